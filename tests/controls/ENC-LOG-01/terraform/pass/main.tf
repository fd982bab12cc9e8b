variable "logs_key_arn" {
  default = "arn:aws:kms:eu-west-1:111122223333:key/logs"
}

resource "aws_cloudwatch_log_group" "app" {
  name       = "/app/api"
  kms_key_id = var.logs_key_arn
}
