"""Audit-log evidence: CloudTrail, Kubernetes audit and application logs, streamed."""
