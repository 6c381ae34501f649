output "instance_id" {
  description = "ID of the app instance."
  value       = aws_instance.this.id
}

output "public_ip" {
  description = "Elastic IP of the app instance (point the site's DNS name here)."
  value       = aws_eip.this.public_ip
}

output "launch_template_id" {
  description = "ID of the instance's launch template."
  value       = aws_launch_template.this.id
}
