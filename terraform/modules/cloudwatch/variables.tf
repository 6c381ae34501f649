variable "name" {
  type        = string
  description = "Prefix of the alarms' names."
}

variable "log_group_name" {
  type        = string
  description = "Name of the log group the containers write to."
}

variable "log_retention_days" {
  type        = number
  description = "Days the container logs are kept."
  default     = 365
}

variable "metric_namespace" {
  type        = string
  description = "CloudWatch namespace of the sync pipeline's metrics."
  default     = "OffsetsPipeline"
}

variable "sync_success_window_hours" {
  type        = number
  description = "Hours without a SyncSuccess datapoint before the alarm fires."
  default     = 26
}

variable "load_balancer_arn_suffix" {
  type        = string
  description = "The load balancer's ARN suffix (the LoadBalancer dimension of its metrics)."
}

variable "target_group_arn_suffix" {
  type        = string
  description = "The web target group's ARN suffix (the TargetGroup dimension of its metrics)."
}

variable "error_rate_percent" {
  type        = number
  description = "Share of requests answered 5xx, in percent, above which the web alarm fires."
  default     = 2
}

variable "p95_latency_seconds" {
  type        = number
  description = "p95 response time, in seconds, above which the latency alarm fires."
  default     = 1.5
}

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic that receives the alarms and their recoveries."
}
