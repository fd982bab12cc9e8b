resource "aws_iam_user" "sam" {
  name = "sam"
}

resource "aws_iam_user_policy_attachment" "sam" {
  user       = aws_iam_user.sam.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "lee" {
  name = "lee"
}

resource "aws_iam_user_policy" "lee" {
  name   = "inline"
  user   = aws_iam_user.lee.name
  policy = "{}"
}
