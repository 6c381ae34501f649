output "role_arn" {
  description = "ARN of the app instance's role."
  value       = aws_iam_role.this.arn
}

output "instance_profile_name" {
  description = "Instance profile that carries the role onto the instance."
  value       = aws_iam_instance_profile.this.name
}
