output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "Security group of the app instances (web and worker)."
  value       = aws_security_group.app.id
}

output "db_security_group_id" {
  description = "Security group of the PostgreSQL database."
  value       = aws_security_group.db.id
}

output "cache_security_group_id" {
  description = "Security group of the Memcached cluster."
  value       = aws_security_group.cache.id
}
