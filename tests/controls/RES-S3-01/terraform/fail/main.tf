resource "aws_s3_bucket" "backups" {
  bucket = "ledger-backups"
}

resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id
  versioning_configuration {
    status = "Suspended"
  }
}
