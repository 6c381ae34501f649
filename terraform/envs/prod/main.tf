locals {
  name           = "carbonscope-${var.environment}"
  ssm_path       = "/carbonscope/${var.environment}"
  log_group_name = "/carbonscope/${var.environment}/app"
}

module "vpc" {
  source = "../../modules/vpc"

  name       = local.name
  cidr_block = var.vpc_cidr
}

module "subnet" {
  source = "../../modules/subnet"

  name               = local.name
  vpc_id             = module.vpc.vpc_id
  availability_zones = var.availability_zones
  public_cidrs       = var.public_subnet_cidrs
  private_cidrs      = var.private_subnet_cidrs
}

module "igw" {
  source = "../../modules/igw"

  name   = local.name
  vpc_id = module.vpc.vpc_id
}

module "nat" {
  source = "../../modules/nat"

  name             = local.name
  public_subnet_id = module.subnet.public_subnet_ids[0]

  depends_on = [module.igw]
}

module "route" {
  source = "../../modules/route"

  name               = local.name
  vpc_id             = module.vpc.vpc_id
  igw_id             = module.igw.igw_id
  nat_gateway_id     = module.nat.nat_gateway_id
  public_subnet_ids  = module.subnet.public_subnet_ids
  private_subnet_ids = module.subnet.private_subnet_ids
}

module "sg" {
  source = "../../modules/sg"

  name              = local.name
  vpc_id            = module.vpc.vpc_id
  ssh_allowed_cidr  = var.ssh_allowed_cidr
  web_ingress_cidrs = var.web_ingress_cidrs
}

module "key" {
  source = "../../modules/key"

  name       = local.name
  public_key = var.ssh_public_key
}

module "sns" {
  source = "../../modules/sns"

  name        = "${local.name}-alarms"
  alarm_email = var.alarm_email
}

module "cloudwatch" {
  source = "../../modules/cloudwatch"

  name                     = local.name
  log_group_name           = local.log_group_name
  alarm_topic_arn          = module.sns.topic_arn
  load_balancer_arn_suffix = module.alb.arn_suffix
  target_group_arn_suffix  = module.alb.target_group_arn_suffix
}

module "alb" {
  source = "../../modules/alb"

  name               = local.name
  vpc_id             = module.vpc.vpc_id
  public_subnet_ids  = module.subnet.public_subnet_ids
  security_group_ids = [module.sg.alb_security_group_id]
  site_domain        = var.site_domain
}

module "s3" {
  source = "../../modules/s3"

  bucket_name = var.raw_bucket_name
}

module "iamrole" {
  source = "../../modules/iamrole"

  name               = "${local.name}-app"
  aws_region         = var.aws_region
  bucket_arn         = module.s3.bucket_arn
  log_group_arn      = module.cloudwatch.log_group_arn
  ssm_parameter_path = local.ssm_path
}

resource "random_password" "db" {
  length  = 40
  special = false # the password goes into a URL
}

module "rds" {
  source = "../../modules/rds"

  name               = local.name
  subnet_ids         = module.subnet.private_subnet_ids
  security_group_ids = [module.sg.db_security_group_id]
  instance_class     = var.db_instance_class
  multi_az           = var.db_multi_az
  password           = random_password.db.result
}

module "elasticache" {
  source = "../../modules/elasticache"

  name               = local.name
  subnet_ids         = module.subnet.private_subnet_ids
  security_group_ids = [module.sg.cache_security_group_id]
  node_type          = var.cache_node_type
  num_cache_nodes    = var.cache_nodes
}

# The web tier: at least two instances behind the load balancer, health-checked on /healthz.
module "asg" {
  source = "../../modules/asg"

  name                  = "${local.name}-web"
  instance_type         = var.web_instance_type
  subnet_ids            = module.subnet.private_subnet_ids
  security_group_ids    = [module.sg.app_security_group_id]
  instance_profile_name = module.iamrole.instance_profile_name
  target_group_arn      = module.alb.target_group_arn
  min_size              = var.web_min_instances
  max_size              = var.web_max_instances
  aws_region            = var.aws_region
  ssm_parameter_path    = local.ssm_path
  log_group_name        = module.cloudwatch.log_group_name
  app_repository_url    = var.app_repository_url
  app_version           = var.app_version

  # The settings exist before the first boot reads them.
  depends_on = [aws_ssm_parameter.app, module.route]
}

# The worker on its own instance: migrations, scheduled syncs and news (the sync lock keeps
# one sync at a time even if a second worker were started).
module "instance" {
  source = "../../modules/instance"

  name                  = "${local.name}-worker"
  instance_type         = var.instance_type
  subnet_id             = module.subnet.public_subnet_ids[0]
  security_group_ids    = [module.sg.app_security_group_id]
  key_name              = module.key.key_name
  instance_profile_name = module.iamrole.instance_profile_name
  aws_region            = var.aws_region
  ssm_parameter_path    = local.ssm_path
  log_group_name        = module.cloudwatch.log_group_name
  app_repository_url    = var.app_repository_url
  app_version           = var.app_version

  # The settings exist before the first boot reads them.
  depends_on = [aws_ssm_parameter.app, module.route]
}
