output "bucket_name" {
  description = "Name of the raw-data archive bucket (the app's RAW_BUCKET)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the raw-data archive bucket."
  value       = aws_s3_bucket.this.arn
}
