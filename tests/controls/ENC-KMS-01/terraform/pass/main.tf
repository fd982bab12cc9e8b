resource "aws_kms_key" "data" {
  description         = "data"
  enable_key_rotation = true
}

# asymmetric keys cannot rotate automatically and are out of scope
resource "aws_kms_key" "signing" {
  description              = "signing"
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}
