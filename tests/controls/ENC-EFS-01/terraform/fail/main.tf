resource "aws_efs_file_system" "legacy" {
  creation_token = "legacy"
}
