resource "aws_s3_bucket" "pii" {
  bucket = "customer-pii-exports"
}

resource "aws_s3_bucket_logging" "pii" {
  bucket        = aws_s3_bucket.pii.id
  target_bucket = "access-logs"
  target_prefix = "customer-pii-exports/"
}

resource "aws_s3_bucket" "tagged" {
  bucket = "reports"
  tags = {
    DataClassification = "confidential"
  }
  logging {
    target_bucket = "access-logs"
  }
}

# not sensitive: out of scope
resource "aws_s3_bucket" "assets" {
  bucket = "public-assets"
}
