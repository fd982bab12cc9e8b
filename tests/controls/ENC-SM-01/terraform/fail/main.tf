resource "aws_secretsmanager_secret" "api" {
  name = "prod/api"
}
