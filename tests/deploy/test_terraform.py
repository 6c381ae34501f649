"""terraform/ parsed with python-hcl2: module calls, variables and outputs agree; checkov passes."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import hcl2
import pytest

from tests.deploy.conftest import REPO

TERRAFORM = REPO / "terraform"
MODULES = TERRAFORM / "modules"
SKIPS_FILE = Path(__file__).with_name("checkov_skips.txt")
IN_CI = os.environ.get("CI", "").lower() == "true"
EXPECTED_MODULES = {
    "vpc", "subnet", "igw", "route", "nat", "sg", "key", "instance",
    "rds", "elasticache", "s3", "iamrole", "cloudwatch", "sns", "alb", "asg",
}  # fmt: skip
MODULE_META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}
PARSER_KEYS = {"__is_block__", "__comments__"}  # python-hcl2's own bookkeeping
NOT_RESOURCE_TYPES = {"var", "local", "module", "data", "path", "each", "count", "self"}


def unquote(label: str) -> str:
    return label.strip('"')


@functools.cache
def parse_dir(directory: Path) -> dict[str, list]:
    """All top-level blocks of a directory's .tf files, merged by block type."""
    merged: dict[str, list] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            for kind, blocks in hcl2.load(handle).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def tf_dirs() -> list[Path]:
    return sorted({path.parent for path in TERRAFORM.rglob("*.tf")})


def strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in PARSER_KEYS:
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def declared(parsed: dict) -> dict[str, set[str]]:
    """Names a directory declares: variables, locals, modules, resources and data sources."""
    names: dict[str, set[str]] = {kind: set() for kind in ("var", "local", "module", "data", "res")}
    for block in parsed.get("variable", []):
        names["var"].update(unquote(name) for name in block)
    for block in parsed.get("locals", []):
        names["local"].update(set(block) - PARSER_KEYS)
    for block in parsed.get("module", []):
        names["module"].update(unquote(name) for name in block)
    for kind, target in (("resource", "res"), ("data", "data")):
        for block in parsed.get(kind, []):
            for type_, named in block.items():
                names[target].update(f"{unquote(type_)}.{unquote(name)}" for name in named)
    return names


def references(text: str) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {kind: set() for kind in ("var", "local", "module", "data", "res")}
    for kind in ("var", "local", "module"):
        refs[kind].update(re.findall(rf"\b{kind}\.([A-Za-z_][\w-]*)", text))
    refs["data"].update(re.findall(r"\bdata\.([a-z][\w]*\.[A-Za-z_][\w-]*)", text))
    without_data = re.sub(r"\bdata\.[a-z][\w]*\.[A-Za-z_][\w-]*", "", text)
    for type_, name in re.findall(
        r"(?<![./\w-])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)", without_data
    ):
        if type_ not in NOT_RESOURCE_TYPES:
            refs["res"].add(f"{type_}.{name}")
    return refs


def module_variables(module_dir: Path) -> tuple[set[str], set[str]]:
    """(all variables, required variables) of a module."""
    all_vars, required = set(), set()
    for block in parse_dir(module_dir).get("variable", []):
        for name, body in block.items():
            all_vars.add(unquote(name))
            if "default" not in body:
                required.add(unquote(name))
    return all_vars, required


def module_calls() -> Iterator[tuple[Path, str, dict]]:
    for directory in tf_dirs():
        for block in parse_dir(directory).get("module", []):
            for name, body in block.items():
                yield directory, unquote(name), body


def test_every_module_the_design_names_exists_and_is_used():
    assert {path.name for path in MODULES.iterdir() if path.is_dir()} == EXPECTED_MODULES
    used = {
        (directory / unquote(body["source"])).resolve().name
        for directory, _, body in module_calls()
    }
    assert used == EXPECTED_MODULES


@pytest.mark.parametrize("call", list(module_calls()), ids=lambda call: call[1])
def test_module_call_passes_every_required_variable_and_nothing_unknown(call):
    directory, name, body = call
    module_dir = (directory / unquote(body["source"])).resolve()
    assert module_dir.is_dir(), f"module {name}: no folder {module_dir}"
    all_vars, required = module_variables(module_dir)
    passed = set(body) - MODULE_META_ARGUMENTS - PARSER_KEYS
    assert required - passed == set(), f"module {name} misses required variables"
    assert passed - all_vars == set(), f"module {name} passes unknown variables"


@pytest.mark.parametrize("directory", tf_dirs(), ids=lambda path: str(path.relative_to(TERRAFORM)))
def test_every_reference_is_declared(directory):
    parsed = parse_dir(directory)
    names = declared(parsed)
    refs = references("\n".join(strings(parsed)))
    for kind in names:
        assert refs[kind] - names[kind] == set(), f"undeclared {kind} references"


@pytest.mark.parametrize("directory", tf_dirs(), ids=lambda path: str(path.relative_to(TERRAFORM)))
def test_every_output_references_something_that_exists(directory):
    parsed = parse_dir(directory)
    names = declared(parsed)
    for block in parsed.get("output", []):
        for output, body in block.items():
            assert body.get("description"), f"output {output} has no description"
            refs = references(str(body["value"]))
            assert any(refs.values()), f"output {output} references nothing"
            for kind in names:
                assert refs[kind] <= names[kind], f"output {output}: unknown {kind} reference"


def test_module_outputs_used_by_the_environment_exist():
    calls = {name: (d / unquote(body["source"])).resolve() for d, name, body in module_calls()}
    for directory in tf_dirs():
        text = "\n".join(strings(parse_dir(directory)))
        for module, output in re.findall(r"\bmodule\.([\w-]+)\.([\w-]+)", text):
            outputs = {
                unquote(key)
                for block in parse_dir(calls[module]).get("output", [])
                for key in block
            }
            assert output in outputs, f"module.{module}.{output} is not an output"


@pytest.mark.parametrize("directory", tf_dirs(), ids=lambda path: str(path.relative_to(TERRAFORM)))
def test_every_variable_is_typed_and_described(directory):
    for block in parse_dir(directory).get("variable", []):
        for name, body in block.items():
            assert body.get("type"), f"variable {name} has no type"
            assert unquote(body.get("description", "")), f"variable {name} has no description"


def test_files_hold_no_credentials():
    for path in TERRAFORM.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"AKIA[0-9A-Z]{16}", text), path
            assert not re.search(r"\b(access_key|secret_key|token)\s*=", text), path
            assert not re.search(r"\bpassword\s*=\s*\"", text), f"literal password in {path}"


def fmt_problems(path: Path) -> list[str]:
    """terraform fmt's layout: two-space indents, no tabs, `=` aligned in a run of attributes."""
    problems, run = [], []
    lines = path.read_text().splitlines()
    for number, line in enumerate([*lines, ""], start=1):
        if "\t" in line or (len(line) - len(line.lstrip(" "))) % 2:
            problems.append(f"{path.name}:{number}: indentation")
        match = re.match(r"^(\s*)[\w\"-]+(\s*)=\s*(.*)$", line)
        single_line = match and not re.search(r"[\[{(]\s*$", match.group(3))
        if single_line and (not run or run[-1][1] == match.group(1)):
            run.append((number, match.group(1), line.index("=")))
            continue
        if len({column for _, _, column in run}) > 1:
            problems.append(f"{path.name}:{run[0][0]}: '=' not aligned")
        run = [(number, match.group(1), line.index("="))] if single_line else []
    return problems


def test_files_follow_terraform_fmt_layout():
    problems = [p for path in sorted(TERRAFORM.rglob("*.tf")) for p in fmt_problems(path)]
    assert problems == []
    terraform = shutil.which("terraform")
    if terraform:  # the real formatter, where it is installed
        result = subprocess.run(
            [terraform, "fmt", "-check", "-recursive", str(TERRAFORM)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout


def checkov_skips() -> list[str]:
    skips = []
    for line in SKIPS_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            check, _, reason = line.partition(" ")
            assert re.fullmatch(r"CKV2?_AWS_\d+", check), line
            assert len(reason.strip()) > 20, f"{check}: give a reason"
            skips.append(check)
    return skips


def checkov_binary() -> str | None:
    tools = REPO / ".venv" / "tools" / "bin" / "checkov"
    return str(tools) if tools.exists() else shutil.which("checkov")


def test_checkov_passes_with_only_the_listed_skips():
    skips = checkov_skips()
    assert len(skips) == len(set(skips))
    checkov = checkov_binary()
    if checkov is None:
        message = "checkov is not installed (make setup-dev puts it in .venv/tools)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    result = subprocess.run(
        [
            checkov, "--quiet", "--compact", "--skip-download", "--framework", "terraform",
            "-d", "terraform", "--skip-check", ",".join(skips),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Passed checks: [1-9]\d*, Failed checks: 0", result.stdout)


# --- the scale-out shape (issue 19) ------------------------------------------------------


def value(item):
    """A parsed attribute as Terraform means it (python-hcl2 keeps a string's quotes)."""
    return unquote(item) if isinstance(item, str) else item


def resources(module: str, type_: str) -> dict[str, dict]:
    """The module's resources of one type, by name."""
    found = {}
    for block in parse_dir(MODULES / module).get("resource", []):
        for name, body in block.get(f'"{type_}"', block.get(type_, {})).items():
            found[unquote(name)] = body
    return found


def one(module: str, type_: str) -> dict:
    (body,) = resources(module, type_).values()
    return body


def variable_default(directory: Path, name: str):
    for block in parse_dir(directory).get("variable", []):
        for variable, body in block.items():
            if unquote(variable) == name:
                return body.get("default")
    raise AssertionError(f"no variable {name} in {directory}")


def test_the_load_balancer_serves_https_and_redirects_http():
    assert value(one("alb", "aws_lb")["load_balancer_type"]) == "application"
    assert one("alb", "aws_lb")["drop_invalid_header_fields"] is True
    listeners = resources("alb", "aws_lb_listener")
    https, http = listeners["https"], listeners["http"]
    assert (https["port"], value(https["protocol"])) == (443, "HTTPS")
    assert "aws_acm_certificate_validation.site.certificate_arn" in str(https["certificate_arn"])
    assert "TLS13" in value(https["ssl_policy"])
    redirect = http["default_action"][0]["redirect"][0]
    assert (http["port"], value(redirect["protocol"]), value(redirect["port"])) == (
        80,
        "HTTPS",
        "443",
    )
    assert value(one("alb", "aws_acm_certificate")["validation_method"]) == "DNS"
    check = one("alb", "aws_lb_target_group")["health_check"][0]
    assert (value(check["path"]), value(check["matcher"])) == ("/healthz", "200")


def test_web_instances_are_an_autoscaling_group_of_at_least_two_from_a_launch_template():
    group = one("asg", "aws_autoscaling_group")
    assert value(group["health_check_type"]) == "ELB"
    assert "aws_launch_template.web.id" in str(group["launch_template"])
    assert variable_default(MODULES / "asg", "min_size") >= 2
    assert variable_default(TERRAFORM / "envs" / "prod", "web_min_instances") >= 2
    template = one("asg", "aws_launch_template")
    assert value(template["metadata_options"][0]["http_tokens"]) == "required"
    assert "--no-deps web" in str(parse_dir(MODULES / "asg")["locals"])


def test_the_worker_has_its_own_instance_and_runs_the_migrations():
    assert value(variable_default(MODULES / "instance", "compose_services")) == "worker"
    assert "${compose_services}" in (MODULES / "instance" / "user_data.sh.tftpl").read_text()


def test_memcached_has_two_nodes_or_more_and_rds_multi_az_is_an_option():
    assert variable_default(MODULES / "elasticache", "num_cache_nodes") >= 2
    assert variable_default(TERRAFORM / "envs" / "prod", "cache_nodes") >= 2
    assert value(one("elasticache", "aws_elasticache_cluster")["az_mode"]) == "cross-az"
    assert variable_default(TERRAFORM / "envs" / "prod", "db_multi_az") is True


def test_alarms_on_5xx_rate_and_p95_latency_go_to_sns():
    alarms = resources("cloudwatch", "aws_cloudwatch_metric_alarm")
    rate, latency = alarms["web_5xx_rate"], alarms["web_p95_latency"]
    assert "HTTPCode_Target_5XX_Count" in str(rate["metric_query"])
    assert "RequestCount" in str(rate["metric_query"])
    assert value(latency["metric_name"]) == "TargetResponseTime"
    assert value(latency["extended_statistic"]) == "p95"
    for alarm in (rate, latency):
        assert [value(arn) for arn in alarm["alarm_actions"]] == ["${var.alarm_topic_arn}"]


def test_the_app_knows_it_is_behind_exactly_one_proxy():
    (settings,) = [
        block["app_settings"]
        for block in parse_dir(TERRAFORM / "envs" / "prod")["locals"]
        if "app_settings" in block
    ]
    text = str(settings)
    assert 'TRUSTED_PROXY_COUNT = "1"' in text
    assert 'SESSION_COOKIE_SECURE = "true"' in text
    # The app instances take traffic from the load balancer's group only.
    rule = resources("sg", "aws_security_group_rule")["app_from_alb"]
    assert value(rule["source_security_group_id"]) == "${aws_security_group.alb.id}"
