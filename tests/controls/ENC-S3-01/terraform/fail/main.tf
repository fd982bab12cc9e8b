resource "aws_s3_bucket" "plain" {
  bucket = "reports-plain"
}

resource "aws_s3_bucket" "other" {
  bucket = "reports-other"
}

# encrypts a different bucket, so it does not help "plain"
resource "aws_s3_bucket_server_side_encryption_configuration" "other" {
  bucket = aws_s3_bucket.other.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
