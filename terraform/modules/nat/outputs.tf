output "nat_gateway_id" {
  description = "ID of the NAT gateway."
  value       = aws_nat_gateway.this.id
}

output "public_ip" {
  description = "Public address the private subnets' outbound traffic comes from."
  value       = aws_eip.nat.public_ip
}
