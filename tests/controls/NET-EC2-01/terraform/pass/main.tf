resource "aws_instance" "app" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_launch_template" "app" {
  name = "app"
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
}
