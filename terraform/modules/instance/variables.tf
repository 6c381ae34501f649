variable "name" {
  type        = string
  description = "Name tag of the instance and prefix of its launch template."
}

variable "ami_id" {
  type        = string
  description = "AMI to boot; null takes the latest Amazon Linux 2023 (x86_64)."
  default     = null
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type."
  default     = "t3.medium"
}

variable "subnet_id" {
  type        = string
  description = "Public subnet the instance lives in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the instance (the app group)."
}

variable "key_name" {
  type        = string
  description = "EC2 key pair allowed to log in over SSH."
}

variable "instance_profile_name" {
  type        = string
  description = "Instance profile carrying the app's IAM role."
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
  description = "Git URL the app's source is cloned from (public, or readable with a deploy key)."
}

variable "app_version" {
  type        = string
  description = "Git tag or commit the first boot deploys; later versions are rolled out with deploy.sh."
}

variable "compose_services" {
  type        = string
  description = "What `docker compose up -d` starts here: the worker (its migrate runs first)."
  default     = "worker"
}

variable "compose_version" {
  type        = string
  description = "Docker Compose plugin release installed on the instance."
  default     = "v2.39.4"
}
