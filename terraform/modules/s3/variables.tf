variable "bucket_name" {
  type        = string
  description = "Globally unique name of the raw-data archive bucket."
}

variable "infrequent_access_after_days" {
  type        = number
  description = "Days after which archived files move to STANDARD_IA."
  default     = 30
}

variable "glacier_after_days" {
  type        = number
  description = "Days after which archived files move to GLACIER."
  default     = 180
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a replaced (noncurrent) version is kept before it is deleted."
  default     = 365
}
