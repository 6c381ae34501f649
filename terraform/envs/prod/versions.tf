terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State lives in S3; bucket, key and region are given at `terraform init -backend-config=...`
  # (docs/DEPLOY.md), so no account details are written here.
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "carbonscope"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
