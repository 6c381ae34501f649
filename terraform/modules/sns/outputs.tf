output "topic_arn" {
  description = "ARN of the alarm topic."
  value       = aws_sns_topic.alarms.arn
}
