# The app's settings in SSM Parameter Store; the instance's deploy.sh turns them into .env.
# All are SecureString: some are secrets, and one rule for all keeps it simple.
resource "random_password" "secret_key" {
  length  = 64
  special = false
}

locals {
  app_settings = merge(
    {
      DATABASE_URL          = "postgresql://${module.rds.username}:${random_password.db.result}@${module.rds.address}:${module.rds.port}/${module.rds.db_name}"
      MEMCACHED_SERVERS     = module.elasticache.servers
      SECRET_KEY            = random_password.secret_key.result
      RAW_BUCKET            = module.s3.bucket_name
      AWS_REGION            = var.aws_region
      SESSION_COOKIE_SECURE = "true"
      PREFERRED_URL_SCHEME  = "https"
      WEB_PORT              = "8000"
      WEB_CONCURRENCY       = tostring(var.web_concurrency)
      CACHE_KEY_PREFIX      = "carbonscope-${var.environment}:"
      LOG_LEVEL             = "INFO"
      # Nothing bundled: RDS and ElastiCache; TLS ends at the load balancer.
      COMPOSE_PROFILES = ""
      # The load balancer is the one proxy: gunicorn takes its X-Forwarded-Proto (the security
      # group lets only the load balancer in), and the app takes the last X-Forwarded-For entry
      # as the client's address, which the sign-in and API rate limits count.
      FORWARDED_ALLOW_IPS = "*"
      TRUSTED_PROXY_COUNT = "1"
    },
    var.extra_app_settings,
  )
  # The names alone, so for_each does not depend on the (sensitive) values.
  setting_names = concat(
    [
      "DATABASE_URL", "MEMCACHED_SERVERS", "SECRET_KEY", "RAW_BUCKET", "AWS_REGION",
      "SESSION_COOKIE_SECURE", "PREFERRED_URL_SCHEME", "WEB_PORT", "WEB_CONCURRENCY",
      "CACHE_KEY_PREFIX", "LOG_LEVEL", "COMPOSE_PROFILES", "FORWARDED_ALLOW_IPS",
      "TRUSTED_PROXY_COUNT",
    ],
    keys(var.extra_app_settings),
  )
}

resource "aws_ssm_parameter" "app" {
  for_each = toset(local.setting_names)

  name  = "${local.ssm_path}/${each.key}"
  type  = "SecureString"
  value = local.app_settings[each.key]
}
