"""Live AWS evidence: posture resources read through boto3 (see docs/aws-resources.md)."""
