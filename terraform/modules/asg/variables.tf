variable "name" {
  type        = string
  description = "Name of the auto-scaling group and prefix of its launch template."
}

variable "ami_id" {
  type        = string
  description = "AMI to boot; null takes the latest Amazon Linux 2023 (x86_64)."
  default     = null
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of a web instance."
  default     = "t3.small"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets, one per availability zone, the web instances live in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the web instances (the app group)."
}

variable "instance_profile_name" {
  type        = string
  description = "Instance profile carrying the app's IAM role."
}

variable "target_group_arn" {
  type        = string
  description = "The load balancer's target group the instances register with."
}

variable "min_size" {
  type        = number
  description = "Fewest web instances (also the starting count)."
  default     = 2

  validation {
    condition     = var.min_size >= 2
    error_message = "Run at least two web instances, in two zones, so one can fail or be replaced."
  }
}

variable "max_size" {
  type        = number
  description = "Most web instances the CPU policy may scale out to."
  default     = 6
}

variable "target_cpu_percent" {
  type        = number
  description = "Average CPU the scaling policy keeps the group at."
  default     = 60
}

variable "health_check_grace_period" {
  type        = number
  description = "Seconds a new instance has to build and start before /healthz counts."
  default     = 600
}

variable "root_volume_size" {
  type        = number
  description = "Size of the encrypted root volume in GiB (images, containers, logs)."
  default     = 30
}

variable "aws_region" {
  type        = string
  description = "Region of the SSM parameters and the log group."
}

variable "ssm_parameter_path" {
  type        = string
  description = "SSM Parameter Store path whose parameters become the compose .env file."
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group the containers' output goes to."
}

variable "app_repository_url" {
  type        = string
  description = "Git URL the app's source is cloned from."
}

variable "app_version" {
  type        = string
  description = "Git tag or commit the instances deploy."
}

variable "compose_version" {
  type        = string
  description = "Docker Compose plugin release installed on the instances."
  default     = "v2.39.4"
}
