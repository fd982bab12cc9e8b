resource "aws_sqs_queue" "kms" {
  name              = "jobs"
  kms_master_key_id = "alias/aws/sqs"
}

resource "aws_sqs_queue" "managed" {
  name                    = "jobs-dlq"
  sqs_managed_sse_enabled = true
}
