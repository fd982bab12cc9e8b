resource "aws_cloudtrail" "main" {
  name           = "org-trail"
  s3_bucket_name = "audit-cloudtrail-logs"
  advanced_event_selector {
    name = "management"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }
}
