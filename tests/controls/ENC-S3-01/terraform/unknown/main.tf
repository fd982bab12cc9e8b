variable "algorithm" {}

resource "aws_s3_bucket" "configurable" {
  bucket = "reports-configurable"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = var.algorithm
      }
    }
  }
}
