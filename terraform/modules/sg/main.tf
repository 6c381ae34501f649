# alb: the load balancer, open to the web clients. app: the web and worker instances, reached
# on 8000 from the load balancer only. db and cache accept traffic from the app group only.
resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "CarbonScope load balancer: HTTP(S) from the web clients, to the app on 8000"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "CarbonScope app instances: 8000 from the load balancer, SSH from the admins"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-app" }
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "CarbonScope PostgreSQL: only from the app group"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-db" }
}

resource "aws_security_group" "cache" {
  name        = "${var.name}-cache"
  description = "CarbonScope Memcached: only from the app group"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-cache" }
}

resource "aws_security_group_rule" "alb_web" {
  for_each = toset(["80", "443"])

  type              = "ingress"
  description       = "HTTP(S) on ${each.value} from the web clients (80 only redirects)"
  security_group_id = aws_security_group.alb.id
  protocol          = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_blocks       = var.web_ingress_cidrs
}

resource "aws_security_group_rule" "alb_to_app" {
  type                     = "egress"
  description              = "gunicorn on 8000 of the app instances"
  security_group_id        = aws_security_group.alb.id
  protocol                 = "tcp"
  from_port                = var.app_port
  to_port                  = var.app_port
  source_security_group_id = aws_security_group.app.id
}

resource "aws_security_group_rule" "app_from_alb" {
  type                     = "ingress"
  description              = "gunicorn on 8000 from the load balancer only"
  security_group_id        = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = var.app_port
  to_port                  = var.app_port
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "app_ssh" {
  type              = "ingress"
  description       = "SSH from the administrators' network only"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [var.ssh_allowed_cidr]
}

resource "aws_security_group_rule" "app_egress_https" {
  for_each = toset(["80", "443"])

  type              = "egress"
  description       = "Outbound HTTP(S) on ${each.value}: AWS APIs, packages, registry downloads, feeds"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "app_egress_db" {
  type                     = "egress"
  description              = "PostgreSQL to the database group"
  security_group_id        = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.db.id
}

resource "aws_security_group_rule" "app_egress_cache" {
  type                     = "egress"
  description              = "Memcached to the cache group"
  security_group_id        = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 11211
  to_port                  = 11211
  source_security_group_id = aws_security_group.cache.id
}

resource "aws_security_group_rule" "db_from_app" {
  type                     = "ingress"
  description              = "PostgreSQL from the app group only"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.app.id
}

resource "aws_security_group_rule" "cache_from_app" {
  type                     = "ingress"
  description              = "Memcached from the app group only"
  security_group_id        = aws_security_group.cache.id
  protocol                 = "tcp"
  from_port                = 11211
  to_port                  = 11211
  source_security_group_id = aws_security_group.app.id
}
