resource "aws_kms_key" "logs" {
  description = "logs"
}

resource "aws_cloudwatch_log_group" "app" {
  name       = "/app/api"
  kms_key_id = aws_kms_key.logs.arn
}
