resource "aws_db_parameter_group" "mysql" {
  name   = "legacy-mysql"
  family = "mysql8.0"
  parameter {
    name  = "max_connections"
    value = "500"
  }
}

resource "aws_rds_cluster_parameter_group" "aurora" {
  name   = "analytics"
  family = "aurora-postgresql15"
  parameter {
    name  = "rds.force_ssl"
    value = "0"
  }
}
