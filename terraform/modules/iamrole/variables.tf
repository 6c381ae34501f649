variable "name" {
  type        = string
  description = "Name of the role and its instance profile."
}

variable "aws_region" {
  type        = string
  description = "Region of the SSM parameters."
}

variable "bucket_arn" {
  type        = string
  description = "ARN of the raw-data archive bucket the app reads and writes."
}

variable "log_group_arn" {
  type        = string
  description = "ARN of the CloudWatch log group the containers write to."
}

variable "ssm_parameter_path" {
  type        = string
  description = "SSM Parameter Store path holding the app's settings, e.g. /carbonscope/prod (no trailing slash)."

  validation {
    condition     = startswith(var.ssm_parameter_path, "/") && !endswith(var.ssm_parameter_path, "/")
    error_message = "ssm_parameter_path starts with / and does not end with one."
  }
}

variable "metric_namespace" {
  type        = string
  description = "The only CloudWatch namespace the app may publish metrics to."
  default     = "OffsetsPipeline"
}
