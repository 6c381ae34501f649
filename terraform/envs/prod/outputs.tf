output "load_balancer_dns_name" {
  description = "The load balancer's DNS name: point the site's name at it (CNAME or alias)."
  value       = module.alb.dns_name
}

output "certificate_validation_records" {
  description = "DNS records to create once, so ACM issues the site's certificate."
  value       = module.alb.certificate_validation_records
}

output "web_autoscaling_group" {
  description = "Auto-scaling group of the web instances."
  value       = module.asg.autoscaling_group_name
}

output "worker_ip" {
  description = "Public address of the worker instance (SSH, deploys, the CLI)."
  value       = module.instance.public_ip
}

output "ssh_command" {
  description = "How to reach the worker instance (from ssh_allowed_cidr, with the operators' key)."
  value       = "ssh ec2-user@${module.instance.public_ip}"
}

output "instance_id" {
  description = "ID of the worker instance."
  value       = module.instance.instance_id
}

output "database_address" {
  description = "Host name of the PostgreSQL database (private)."
  value       = module.rds.address
}

output "memcached_servers" {
  description = "Memcached nodes as host:port (private)."
  value       = module.elasticache.servers
}

output "raw_bucket" {
  description = "Raw-data archive bucket."
  value       = module.s3.bucket_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the sync alarms."
  value       = module.sns.topic_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the containers."
  value       = module.cloudwatch.log_group_name
}

output "settings_path" {
  description = "SSM Parameter Store path of the app's settings."
  value       = local.ssm_path
}

output "nat_public_ip" {
  description = "Address the private subnets' outbound traffic comes from."
  value       = module.nat.public_ip
}
