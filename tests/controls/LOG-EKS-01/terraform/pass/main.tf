resource "aws_eks_cluster" "main" {
  name     = "payments"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  enabled_cluster_log_types = ["api", "audit", "authenticator"]
  vpc_config {
    subnet_ids              = ["subnet-1", "subnet-2"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:111122223333:key/eks"
    }
  }
}

resource "aws_eks_cluster" "restricted" {
  name     = "tools"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  enabled_cluster_log_types = ["audit"]
  vpc_config {
    subnet_ids          = ["subnet-1", "subnet-2"]
    public_access_cidrs = ["203.0.113.0/24"]
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "arn:aws:kms:eu-west-1:111122223333:key/eks"
    }
  }
}
