resource "aws_s3_bucket" "phi" {
  bucket = "patient-records"
}

resource "aws_s3_bucket" "tagged" {
  bucket = "reports"
  tags = {
    DataClassification = "restricted"
  }
}
