resource "aws_db_instance" "ledger" {
  identifier = "ledger"
  engine     = "postgres"
  multi_az   = true
  tags = {
    Environment = "production"
  }
}

resource "aws_db_instance" "dev" {
  identifier = "ledger-dev"
  engine     = "postgres"
  tags = {
    Environment = "dev"
  }
}
