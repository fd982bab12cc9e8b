resource "aws_db_instance" "ledger" {
  identifier = "ledger"
  engine     = "postgres"
}
