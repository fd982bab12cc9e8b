resource "aws_dynamodb_table" "cache" {
  name     = "cache"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
}
