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
  description = "Number of cache nodes, spread across zones; the app hashes keys over them all."
  default     = 2

  validation {
    condition     = var.num_cache_nodes >= 2
    error_message = "Keep at least two cache nodes: losing one then loses only part of the cache."
  }
}
