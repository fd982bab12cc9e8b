resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier  = "warehouse"
  node_type           = "ra3.xlplus"
  publicly_accessible = false
}

resource "aws_dms_replication_instance" "sync" {
  replication_instance_id    = "sync"
  replication_instance_class = "dms.t3.medium"
  publicly_accessible        = false
}

resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  vpc_options {
    subnet_ids = ["subnet-1"]
  }
}
