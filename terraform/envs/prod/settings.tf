# The app's settings in SSM Parameter Store; the instance's deploy.sh turns them into .env.
# All are SecureString: some are secrets, and one rule for all keeps it simple.
resource "random_password" "secret_key" {
  length  = 64
  special = false
}

locals {
  https = var.site_domain != null
  tls_settings = {
    # Behind Caddy (web is published on 127.0.0.1 only), trust its X-Forwarded-* headers.
    for name, value in { COMPOSE_PROFILES = "tls", SITE_DOMAIN = var.site_domain, FORWARDED_ALLOW_IPS = "*" } :
    name => value if local.https
  }
  app_settings = merge(
    {
      DATABASE_URL          = "postgresql://${module.rds.username}:${random_password.db.result}@${module.rds.address}:${module.rds.port}/${module.rds.db_name}"
      MEMCACHED_SERVERS     = module.elasticache.servers
      SECRET_KEY            = random_password.secret_key.result
      RAW_BUCKET            = module.s3.bucket_name
      AWS_REGION            = var.aws_region
      SESSION_COOKIE_SECURE = local.https ? "true" : "false"
      PREFERRED_URL_SCHEME  = local.https ? "https" : "http"
      WEB_PORT              = local.https ? "127.0.0.1:8000" : "80"
      WEB_CONCURRENCY       = tostring(var.web_concurrency)
      CACHE_KEY_PREFIX      = "carbonscope-${var.environment}:"
      LOG_LEVEL             = "INFO"
    },
    local.tls_settings,
    var.extra_app_settings,
  )
  # The names alone, so for_each does not depend on the (sensitive) values.
  setting_names = concat(
    [
      "DATABASE_URL", "MEMCACHED_SERVERS", "SECRET_KEY", "RAW_BUCKET", "AWS_REGION",
      "SESSION_COOKIE_SECURE", "PREFERRED_URL_SCHEME", "WEB_PORT", "WEB_CONCURRENCY",
      "CACHE_KEY_PREFIX", "LOG_LEVEL",
    ],
    local.https ? ["COMPOSE_PROFILES", "SITE_DOMAIN", "FORWARDED_ALLOW_IPS"] : [],
    keys(var.extra_app_settings),
  )
}

resource "aws_ssm_parameter" "app" {
  for_each = toset(local.setting_names)

  name  = "${local.ssm_path}/${each.key}"
  type  = "SecureString"
  value = local.app_settings[each.key]
}
