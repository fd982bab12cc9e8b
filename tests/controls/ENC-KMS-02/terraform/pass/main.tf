resource "aws_kms_key" "default_window" {
  description = "waits the default 30 days"
}

resource "aws_kms_key" "explicit" {
  description             = "explicit"
  deletion_window_in_days = 30
}
