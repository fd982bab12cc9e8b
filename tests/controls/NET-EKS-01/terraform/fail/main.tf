resource "aws_eks_cluster" "main" {
  name     = "payments"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  enabled_cluster_log_types = ["api"]
  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

resource "aws_eks_cluster" "open" {
  name     = "tools"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  vpc_config {
    subnet_ids          = ["subnet-1", "subnet-2"]
    public_access_cidrs = ["0.0.0.0/0"]
  }
}
