resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-db"
  subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
}

resource "aws_db_instance" "learners" {
  identifier                      = "finai-learners"
  engine                          = "postgres"
  engine_version                  = "16.3"
  instance_class                  = "db.t4g.medium"
  allocated_storage               = 100
  storage_encrypted               = true
  kms_key_id                      = aws_kms_key.documents.arn
  publicly_accessible             = false
  backup_retention_period         = 14
  deletion_protection             = true
  multi_az                        = true
  db_subnet_group_name            = aws_db_subnet_group.main.name
  vpc_security_group_ids          = [aws_security_group.database.id]
  enabled_cloudwatch_logs_exports = ["postgresql"]
  username                        = "finai_admin"
  manage_master_user_password     = true
  tags                            = merge(local.tags, { DataClassification = "confidential" })
}

# GAP: the analytics replica was created unencrypted and without log exports.
resource "aws_db_instance" "analytics" {
  identifier                  = "finai-analytics"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.r6g.large"
  allocated_storage           = 500
  storage_encrypted           = false
  publicly_accessible         = false
  backup_retention_period     = 1
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  username                    = "analytics"
  manage_master_user_password = true
  tags                        = merge(local.tags, { DataClassification = "confidential" })
}
