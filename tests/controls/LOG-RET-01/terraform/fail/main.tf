resource "aws_cloudwatch_log_group" "short" {
  name              = "/short"
  retention_in_days = 30
}
