variable "rot" {
  type = bool
}

resource "aws_kms_key" "a" {
  enable_key_rotation = true
}

resource "aws_kms_key" "b" {}

resource "aws_kms_key" "c" {
  enable_key_rotation = var.rot
}
