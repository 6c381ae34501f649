output "autoscaling_group_name" {
  description = "Name of the web instances' auto-scaling group."
  value       = aws_autoscaling_group.web.name
}

output "launch_template_id" {
  description = "ID of the web instances' launch template."
  value       = aws_launch_template.web.id
}
