# FinAI Nexus — the platform of a fintech-education company (demo estate).
# Deliberate gaps are marked "GAP:" so a reader can match them to findings.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  type    = string
  default = "production"
}

locals {
  name = "finai"
  tags = {
    Environment = var.environment
    Owner       = "platform-team"
  }
}
