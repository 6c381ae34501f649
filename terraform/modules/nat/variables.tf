variable "name" {
  type        = string
  description = "Name tag of the NAT gateway and its address."
}

variable "public_subnet_id" {
  type        = string
  description = "Public subnet the NAT gateway lives in."
}
