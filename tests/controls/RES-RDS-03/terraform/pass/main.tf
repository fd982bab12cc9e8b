resource "aws_db_instance" "ledger" {
  identifier          = "ledger"
  engine              = "postgres"
  deletion_protection = true
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier  = "analytics"
  engine              = "aurora-postgresql"
  deletion_protection = true
}
