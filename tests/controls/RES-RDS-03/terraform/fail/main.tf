resource "aws_db_instance" "ledger" {
  identifier = "ledger"
  engine     = "postgres"
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier  = "analytics"
  engine              = "aurora-postgresql"
  deletion_protection = false
}
