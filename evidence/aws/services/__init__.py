"""Per-service listers; each module exports ``LISTERS`` (see evidence.aws.table)."""
