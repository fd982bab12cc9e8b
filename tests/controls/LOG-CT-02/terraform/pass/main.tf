resource "aws_cloudtrail" "main" {
  name                          = "org-trail"
  s3_bucket_name                = "audit-cloudtrail-logs"
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = "arn:aws:kms:eu-west-1:111122223333:key/trail"
  cloud_watch_logs_group_arn    = "arn:aws:logs:eu-west-1:111122223333:log-group:cloudtrail:*"
  cloud_watch_logs_role_arn     = "arn:aws:iam::111122223333:role/cloudtrail-logs"
  include_global_service_events = true
}
