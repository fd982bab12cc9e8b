resource "aws_db_instance" "ledger" {
  identifier                      = "ledger"
  engine                          = "postgres"
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
}
