resource "aws_cloudtrail" "main" {
  name                       = "org-trail"
  s3_bucket_name             = "audit-cloudtrail-logs"
  is_multi_region_trail      = false
  enable_log_file_validation = false
  enable_logging             = false
  event_selector {
    read_write_type           = "WriteOnly"
    include_management_events = true
  }
}
