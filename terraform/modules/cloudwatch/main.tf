# Container logs, the sync pipeline's alarms (metrics published by the worker) and the web
# tier's alarms (the load balancer's metrics): 5xx rate and p95 latency.
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

# The share of requests answered 5xx, by the instances or by the load balancer itself
# (no healthy target), over 1-minute periods; 2 of 3 periods above the threshold alarm.
resource "aws_cloudwatch_metric_alarm" "web_5xx_rate" {
  alarm_name          = "${var.name}-web-5xx-rate"
  alarm_description   = "More than ${var.error_rate_percent}% of CarbonScope requests answered 5xx."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests, 0)"
    label       = "5xx share of requests (%)"
    return_data = true
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
    }
  }

  metric_query {
    id = "target_5xx"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
    }
  }

  metric_query {
    id = "elb_5xx"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
    }
  }
}

# The 95th percentile of the instances' response time, per minute; 3 of 5 minutes above alarm.
resource "aws_cloudwatch_metric_alarm" "web_p95_latency" {
  alarm_name          = "${var.name}-web-p95-latency"
  alarm_description   = "CarbonScope's p95 response time is above ${var.p95_latency_seconds} s."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p95"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.p95_latency_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = var.target_group_arn_suffix
  }
  alarm_actions = [var.alarm_topic_arn]
  ok_actions    = [var.alarm_topic_arn]
}
