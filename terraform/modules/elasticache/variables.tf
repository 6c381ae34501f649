variable "name" {
  type        = string
  description = "ID of the cache cluster and name of its subnet group."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets the cache nodes may live in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the cache (reachable from the app group only)."
}

variable "engine_version" {
  type        = string
  description = "Memcached version."
  default     = "1.6.22"
}

variable "node_type" {
  type        = string
  description = "ElastiCache node type."
  default     = "cache.t4g.micro"
}

variable "num_cache_nodes" {
  type        = number
  description = "Number of cache nodes (more than one spreads them across zones)."
  default     = 1
}
