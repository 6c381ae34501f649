variable "aws_region" {
  type        = string
  description = "AWS region of the whole environment."
  default     = "eu-west-1"
}

variable "environment" {
  type        = string
  description = "Environment name, used in resource names and the SSM path."
  default     = "prod"
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 range of the VPC."
  default     = "10.20.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Two availability zones of the region."
  default     = ["eu-west-1a", "eu-west-1b"]
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "Public subnets' ranges, one per availability zone."
  default     = ["10.20.0.0/24", "10.20.1.0/24"]
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "Private subnets' ranges, one per availability zone."
  default     = ["10.20.10.0/24", "10.20.11.0/24"]
}

variable "ssh_allowed_cidr" {
  type        = string
  description = "The one range allowed to reach the instance over SSH, e.g. 203.0.113.10/32."
}

variable "web_ingress_cidrs" {
  type        = list(string)
  description = "Ranges allowed on the load balancer's ports 80/443 (the internet)."
  default     = ["0.0.0.0/0"]
}

variable "ssh_public_key" {
  type        = string
  description = "OpenSSH public key of the operators (the private key stays with them)."
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the worker instance (syncs hold a release in memory)."
  default     = "t3.medium"
}

variable "web_instance_type" {
  type        = string
  description = "EC2 instance type of a web instance."
  default     = "t3.small"
}

variable "web_min_instances" {
  type        = number
  description = "Fewest web instances behind the load balancer (at least 2)."
  default     = 2
}

variable "web_max_instances" {
  type        = number
  description = "Most web instances the CPU scaling policy may start."
  default     = 6
}

variable "cache_nodes" {
  type        = number
  description = "ElastiCache Memcached nodes (at least 2, across zones)."
  default     = 2
}

variable "db_instance_class" {
  type        = string
  description = "RDS instance class of PostgreSQL."
  default     = "db.t4g.small"
}

variable "db_multi_az" {
  type        = bool
  description = "RDS Multi-AZ: keep a PostgreSQL standby in the second availability zone (false halves the database's cost)."
  default     = true
}

variable "cache_node_type" {
  type        = string
  description = "ElastiCache node type of Memcached."
  default     = "cache.t4g.micro"
}

variable "raw_bucket_name" {
  type        = string
  description = "Globally unique name of the raw-data archive bucket."
}

variable "alarm_email" {
  type        = string
  description = "E-mail address that receives the alarms (syncs, web 5xx rate, web latency)."
}

variable "app_repository_url" {
  type        = string
  description = "Git URL of the CarbonScope source that the instance clones."
}

variable "app_version" {
  type        = string
  description = "Git tag or commit deployed on first boot."
}

variable "site_domain" {
  type        = string
  description = "DNS name of the site: the load balancer's ACM certificate is issued for it."
}

variable "web_concurrency" {
  type        = number
  description = "gunicorn worker processes in each web instance's container."
  default     = 3
}

variable "extra_app_settings" {
  type        = map(string)
  description = "More app settings for the SSM path (e.g. NEWS_FEEDS, SYNC_CRON); never secrets in tfvars."
  default     = {}
}
