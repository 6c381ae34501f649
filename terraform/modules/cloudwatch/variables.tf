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

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic that receives the alarms and their recoveries."
}
