output "log_group_name" {
  description = "Name of the containers' log group."
  value       = aws_cloudwatch_log_group.app.name
}

output "log_group_arn" {
  description = "ARN of the containers' log group."
  value       = aws_cloudwatch_log_group.app.arn
}

output "alarm_arns" {
  description = "ARNs of the sync alarms."
  value       = [aws_cloudwatch_metric_alarm.sync_failure.arn, aws_cloudwatch_metric_alarm.no_sync_success.arn]
}
