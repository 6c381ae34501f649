variable "name" {
  type        = string
  description = "Name tag of the VPC and prefix of its resources."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 range of the VPC, e.g. 10.20.0.0/16."
}
