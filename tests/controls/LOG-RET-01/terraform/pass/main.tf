resource "aws_cloudwatch_log_group" "audit" {
  name              = "/audit"
  retention_in_days = 400
}

resource "aws_cloudwatch_log_group" "forever" {
  name = "/forever"
}
