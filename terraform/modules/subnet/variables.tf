variable "name" {
  type        = string
  description = "Prefix of the subnets' Name tags."
}

variable "vpc_id" {
  type        = string
  description = "VPC the subnets belong to."
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones, one per subnet pair (at least two)."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "public_cidrs" {
  type        = list(string)
  description = "IPv4 ranges of the public subnets, one per availability zone."
}

variable "private_cidrs" {
  type        = list(string)
  description = "IPv4 ranges of the private subnets, one per availability zone."
}
