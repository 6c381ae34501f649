output "servers" {
  description = "The nodes as host:port, comma-separated: the app's MEMCACHED_SERVERS."
  value       = join(",", [for node in aws_elasticache_cluster.this.cache_nodes : "${node.address}:${node.port}"])
}

output "configuration_endpoint" {
  description = "The cluster's configuration endpoint."
  value       = aws_elasticache_cluster.this.configuration_endpoint
}
