# Container logs and the sync pipeline's alarms (metrics published by the worker).
resource "aws_cloudwatch_log_group" "app" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_metric_alarm" "sync_failure" {
  alarm_name          = "${var.name}-sync-failure"
  alarm_description   = "A CarbonScope sync failed (${var.metric_namespace}/SyncFailure >= 1)."
  namespace           = var.metric_namespace
  metric_name         = "SyncFailure"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
}

# 26 hourly periods without a SyncSuccess: a daily sync was missed, or the worker is down.
# Missing data counts as breaching, because a dead worker publishes nothing at all.
resource "aws_cloudwatch_metric_alarm" "no_sync_success" {
  alarm_name          = "${var.name}-no-sync-success"
  alarm_description   = "No successful CarbonScope sync in ${var.sync_success_window_hours} hours."
  namespace           = var.metric_namespace
  metric_name         = "SyncSuccess"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = var.sync_success_window_hours
  datapoints_to_alarm = var.sync_success_window_hours
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
}
