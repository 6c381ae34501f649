output "igw_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}
