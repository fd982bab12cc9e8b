"""Terraform evidence: HCL configurations (``terraform``) and plan JSON (``terraform_plan``)."""
