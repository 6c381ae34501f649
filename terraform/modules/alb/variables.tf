variable "name" {
  type        = string
  description = "Name of the load balancer and prefix of its target group."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the target group."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets, one per availability zone, the load balancer lives in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the load balancer (the alb group)."
}

variable "site_domain" {
  type        = string
  description = "DNS name of the site: the ACM certificate's domain."
}

variable "app_port" {
  type        = number
  description = "Port gunicorn listens on in the web instances."
  default     = 8000
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the load balancer until this is turned off."
  default     = true
}
