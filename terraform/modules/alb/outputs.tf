output "dns_name" {
  description = "The load balancer's DNS name: point the site's name at it (CNAME or alias)."
  value       = aws_lb.this.dns_name
}

output "arn_suffix" {
  description = "The load balancer's ARN suffix, the LoadBalancer dimension of its metrics."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "ARN of the web instances' target group."
  value       = aws_lb_target_group.web.arn
}

output "target_group_arn_suffix" {
  description = "The target group's ARN suffix, the TargetGroup dimension of its metrics."
  value       = aws_lb_target_group.web.arn_suffix
}

output "certificate_validation_records" {
  description = "DNS records that prove the site's name to ACM; create them once."
  value = [
    for option in aws_acm_certificate.site.domain_validation_options : {
      name  = option.resource_record_name
      type  = option.resource_record_type
      value = option.resource_record_value
    }
  ]
}
