resource "aws_instance" "app" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}

resource "aws_launch_template" "app" {
  name = "app"
  metadata_options {
    http_tokens = "optional"
  }
}
