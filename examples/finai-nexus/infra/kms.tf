resource "aws_kms_key" "documents" {
  description         = "Learner documents and identity verification files"
  enable_key_rotation = true
  tags                = local.tags
}

resource "aws_kms_key" "logs" {
  description         = "CloudTrail and VPC flow logs"
  enable_key_rotation = true
  tags                = local.tags
}

# GAP: the key of the analytics database never rotates.
resource "aws_kms_key" "analytics" {
  description = "Analytics warehouse"
  tags        = local.tags
}
