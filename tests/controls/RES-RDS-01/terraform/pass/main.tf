resource "aws_db_instance" "ledger" {
  identifier              = "ledger"
  engine                  = "postgres"
  backup_retention_period = 14
}

# read replicas take no backups of their own
resource "aws_db_instance" "replica" {
  identifier          = "ledger-replica"
  replicate_source_db = "ledger"
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier      = "analytics"
  engine                  = "aurora-postgresql"
  backup_retention_period = 7
}
