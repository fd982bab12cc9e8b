resource "aws_iam_user" "dana" {
  name = "dana"
}

resource "aws_iam_group" "engineers" {
  name = "engineers"
}

resource "aws_iam_user_group_membership" "dana" {
  user   = aws_iam_user.dana.name
  groups = [aws_iam_group.engineers.name]
}

resource "aws_iam_group_policy_attachment" "engineers" {
  group      = aws_iam_group.engineers.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
