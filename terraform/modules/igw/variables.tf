variable "name" {
  type        = string
  description = "Name tag of the internet gateway."
}

variable "vpc_id" {
  type        = string
  description = "VPC the internet gateway is attached to."
}
