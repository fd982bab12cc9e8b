resource "aws_db_instance" "legacy" {
  identifier = "legacy"
  engine     = "mysql"
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier = "reporting"
  engine             = "aurora-mysql"
  storage_encrypted  = false
}
