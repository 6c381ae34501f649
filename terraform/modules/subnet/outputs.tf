output "public_subnet_ids" {
  description = "IDs of the public subnets, in availability-zone order."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in availability-zone order."
  value       = aws_subnet.private[*].id
}
