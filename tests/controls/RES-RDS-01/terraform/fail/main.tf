resource "aws_db_instance" "ledger" {
  identifier              = "ledger"
  engine                  = "postgres"
  backup_retention_period = 1
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier = "analytics"
  engine             = "aurora-postgresql"
}
