resource "aws_sqs_queue" "plain" {
  name                    = "jobs"
  sqs_managed_sse_enabled = false
}
