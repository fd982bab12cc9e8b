resource "aws_kms_key" "hasty" {
  description             = "hasty"
  deletion_window_in_days = 7
}
