resource "aws_db_instance" "ledger" {
  identifier        = "ledger"
  engine            = "postgres"
  storage_encrypted = true
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier = "analytics"
  engine             = "aurora-postgresql"
  storage_encrypted  = true
}
