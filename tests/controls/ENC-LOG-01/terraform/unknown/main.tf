variable "log_key_arn" {
  description = "set per environment; no default"
}

resource "aws_cloudwatch_log_group" "app" {
  name       = "/app/api"
  kms_key_id = var.log_key_arn
}
