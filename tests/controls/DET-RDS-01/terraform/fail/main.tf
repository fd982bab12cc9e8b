resource "aws_db_instance" "ledger" {
  identifier                 = "ledger"
  engine                     = "postgres"
  auto_minor_version_upgrade = false
}
