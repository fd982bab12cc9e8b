"""Evidence collectors and the evidence locker."""
