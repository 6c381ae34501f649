output "log_group_name" {
  description = "Name of the containers' log group."
  value       = aws_cloudwatch_log_group.app.name
}

output "log_group_arn" {
  description = "ARN of the containers' log group."
  value       = aws_cloudwatch_log_group.app.arn
}

output "alarm_arns" {
  description = "ARNs of the alarms: sync failure, no sync success, web 5xx rate, web p95 latency."
  value = [
    aws_cloudwatch_metric_alarm.sync_failure.arn,
    aws_cloudwatch_metric_alarm.no_sync_success.arn,
    aws_cloudwatch_metric_alarm.web_5xx_rate.arn,
    aws_cloudwatch_metric_alarm.web_p95_latency.arn,
  ]
}
