variable "name" {
  type        = string
  description = "Prefix of the route tables' Name tags."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the route tables."
}

variable "igw_id" {
  type        = string
  description = "Internet gateway that the public subnets route through."
}

variable "nat_gateway_id" {
  type        = string
  description = "NAT gateway that the private subnets route through."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets to associate with the public route table."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets to associate with the private route table."
}
