# Public subnets hold the app instance and the NAT gateway; private ones the database and cache.
resource "aws_subnet" "public" {
  count = length(var.public_cidrs)

  vpc_id                  = var.vpc_id
  cidr_block              = var.public_cidrs[count.index]
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${var.availability_zones[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = length(var.private_cidrs)

  vpc_id            = var.vpc_id
  cidr_block        = var.private_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = { Name = "${var.name}-private-${var.availability_zones[count.index]}", Tier = "private" }
}
