resource "aws_db_instance" "ledger" {
  identifier          = "ledger"
  engine              = "postgres"
  publicly_accessible = false
}

resource "aws_rds_cluster_instance" "analytics" {
  identifier         = "analytics-1"
  cluster_identifier = "analytics"
  instance_class     = "db.r6g.large"
}
