variable "name" {
  type        = string
  description = "Prefix of the security groups' names."
}

variable "vpc_id" {
  type        = string
  description = "VPC the security groups belong to."
}

variable "ssh_allowed_cidr" {
  type        = string
  description = "The one IPv4 range allowed to reach SSH (port 22), e.g. the office's 203.0.113.10/32."

  validation {
    condition     = can(cidrhost(var.ssh_allowed_cidr, 0)) && var.ssh_allowed_cidr != "0.0.0.0/0"
    error_message = "ssh_allowed_cidr must be a CIDR range narrower than the whole internet."
  }
}

variable "web_ingress_cidrs" {
  type        = list(string)
  description = "IPv4 ranges allowed on the load balancer's ports 80 and 443."
  default     = ["0.0.0.0/0"]
}

variable "app_port" {
  type        = number
  description = "Port gunicorn listens on in the app instances (the load balancer's target)."
  default     = 8000
}
