# Only the public half of the key is given; the private key never leaves the operator.
resource "aws_key_pair" "this" {
  key_name   = var.name
  public_key = var.public_key
}
