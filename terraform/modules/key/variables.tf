variable "name" {
  type        = string
  description = "Name of the EC2 key pair."
}

variable "public_key" {
  type        = string
  description = "OpenSSH public key (ssh-ed25519 ... or ssh-rsa ...) allowed to log in."
}
