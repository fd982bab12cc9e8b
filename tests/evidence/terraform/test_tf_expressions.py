"""Expression resolution as Terraform would do it, through real .tf text."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.values import Unknown
from evidence.terraform.collector import TerraformCollector


def evaluate(collect, tmp_path: Path, values: dict[str, str], extra: str = "",
             **config) -> dict:
    body = "\n".join(f"  {k} = {v}" for k, v in values.items())
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  default = 3\n}\nvariable "unset" {}\n'
        'variable "m" {\n  default = { a = 1, b = "two" }\n}\n'
        'locals {\n  base = "app"\n  full = "${local.base}-${var.n}"\n'
        '  loop = local.loop2\n  loop2 = local.loop\n}\n'
        f'resource "aws_test_thing" "t" {{\n{body}\n}}\n{extra}')
    found, context = collect(TerraformCollector, {"paths": ["."], **config}, tmp_path)
    return found["aws_test_thing.t"].attributes


CASES = {
    'local.full': "app-3",
    '"${upper(local.base)}:${var.n * 2 + 1}"': "APP:7",
    'var.n > 2 && !false': True,
    'var.n == 3 ? "yes" : "no"': "yes",
    '10 / 4': 2.5,
    '7 % 4': 3,
    '-var.n': -3,
    'merge(var.m, { c = true })': {"a": 1, "b": "two", "c": True},
    'concat([1], [2, 3])': [1, 2, 3],
    'lookup(var.m, "z", "dflt")': "dflt",
    'try(var.m.missing, "fallback")': "fallback",
    'coalesce("", "x")': "x",
    'length(var.m)': 2,
    'format("%s-%03d", "id", 7)': "id-007",
    'contains(["a", "b"], "b")': True,
    'jsonencode({ b = 1, a = [true] })': '{"a":[true],"b":1}',
    'jsondecode("{\\"k\\": [1, 2]}").k[1]': 2,
    'tolist(toset(["b", "a", "b"]))': ["a", "b"],
    '[for k, v in var.m : "${k}=${v}"]': ["a=1", "b=two"],
    '{ for s in ["x", "y"] : s => upper(s) if s != "y" }': {"x": "X"},
    '[{ p = 1 }, { p = 2 }][*].p': [1, 2],
    'lower("MiXeD")': "mixed",
    'false || var.unset': Unknown("var.unset is not set"),
    'false && var.unset': False,
    'true || var.unset': True,
    'replace("a-b-c", "-", "_")': "a_b_c",
    'split(",", "x,y")': ["x", "y"],
    'trimspace("  t ")': "t",
    'substr("abcdef", 1, 3)': "bcd",
    'startswith("arn:aws:kms", "arn:")': True,
    'distinct(["a", "b", "a"])': ["a", "b"],
    'compact(["a", "", null])': ["a"],
    'zipmap(["k1", "k2"], [1, 2])': {"k1": 1, "k2": 2},
    'range(3)': [0, 1, 2],
    'one([])': None,
    'alltrue([true, var.n == 3])': True,
    'base64decode(base64encode("hé"))': "hé",
    'ceil(2.1) + floor(2.9)': 5,
}


@pytest.mark.parametrize("expression, expected", list(CASES.items()))
def test_expression(collect, tmp_path, expression, expected):
    assert evaluate(collect, tmp_path, {"v": expression})["v"] == expected


def test_unknowns_say_which_expression(collect, tmp_path):
    extra = 'data "aws_ssm_parameter" "x" {\n  name = "p"\n}\n'
    attrs = evaluate(collect, tmp_path, {
        "a": 'data.aws_ssm_parameter.x.value',
        "b": '"${var.unset}-x"',
        "c": 'cidrsubnet("10.0.0.0/8", 8, 1)',
        "d": 'local.loop',
        "e": 'var.unset ? 1 : 2',
        "f": 'var.unset ? 1 : 1',
        "g": 'var.nope',
    }, extra)
    assert attrs["a"] == Unknown("data.aws_ssm_parameter.x.value is known only at apply")
    assert attrs["b"] == Unknown("var.unset is not set")
    assert "cidrsubnet() is not evaluated by assay" in attrs["c"].reason
    assert "refers to itself" in attrs["d"].reason
    assert attrs["e"] == Unknown("var.unset is unknown: var.unset is not set")
    assert attrs["f"] == 1  # both branches agree: the condition does not matter
    assert attrs["g"] == Unknown("var.nope is not declared")


def test_vars_from_the_command_line_are_typed(collect, tmp_path):
    attrs = evaluate(collect, tmp_path, {"v": "var.n + 1", "w": "var.unset"},
                     vars={"n": "41", "unset": "[1, 2]"})
    assert attrs["v"] == 42
    assert attrs["w"] == "[1, 2]"  # no type: taken as a string, as Terraform does


def test_module_count_for_each_and_nesting(collect, tmp_path):
    (tmp_path / "inner").mkdir()
    (tmp_path / "outer").mkdir()
    (tmp_path / "inner" / "main.tf").write_text(
        'variable "label" {}\nresource "aws_sqs_queue" "q" {\n  name = var.label\n}\n'
        'output "arn" {\n  value = aws_sqs_queue.q.arn\n}\n')
    (tmp_path / "outer" / "main.tf").write_text(
        'variable "label" {}\nmodule "inner" {\n  source = "../inner"\n'
        '  label = "${var.label}-inner"\n}\n'
        'output "queue" {\n  value = module.inner.arn\n}\n')
    (tmp_path / "main.tf").write_text(
        'module "each" {\n  source = "./outer"\n  for_each = { x = 1, y = 2 }\n'
        '  label = each.key\n}\n'
        'module "counted" {\n  source = "./inner"\n  count = 2\n'
        '  label = "c${count.index}"\n}\n'
        'resource "aws_sns_topic_subscription" "s" {\n'
        '  endpoint = module.each["x"].queue\n}\n')
    found, context = collect(TerraformCollector, {"paths": ["."]}, tmp_path)
    assert found['module.each["x"].module.inner.aws_sqs_queue.q'].attributes == {
        "name": "x-inner"}
    assert found['module.each["y"].module.inner.aws_sqs_queue.q'].attributes["name"] == "y-inner"
    assert found["module.counted[1].aws_sqs_queue.q"].attributes["name"] == "c1"
    subscription = found["aws_sns_topic_subscription.s"]
    # through a module output, two levels down
    assert subscription.refs["endpoint"] == ['module.each["x"].module.inner.aws_sqs_queue.q']
    assert isinstance(subscription.attributes["endpoint"], Unknown)
    assert context.errors == []


def test_file_under_path_module_is_read(collect, tmp_path):
    module = tmp_path / "infra" / "modules" / "role"
    module.mkdir(parents=True)
    (module / "policy.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "*"}]}')
    (module / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/policy.json")\n'
        '  where  = path.module\n}\n'
        'resource "aws_iam_policy" "missing" {\n  policy = file("${path.module}/nope.json")\n}\n')
    (tmp_path / "infra" / "main.tf").write_text('module "role" {\n  source = "./modules/role"\n}\n')
    found, _ = collect(TerraformCollector, {"paths": ["infra"]}, tmp_path)
    policy = found["module.role.aws_iam_policy.p"].attributes
    assert policy["where"] == "infra/modules/role"  # as results name the folder: deterministic
    assert '"Action": "*"' in policy["policy"]
    missing = found["module.role.aws_iam_policy.missing"].attributes["policy"]
    assert isinstance(missing, Unknown) and "nope.json" in missing.reason


def test_templatefile_interpolates_its_variables_and_nothing_else(collect, tmp_path):
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "policy.json.tpl").write_text(
        '{"Resource": "arn:aws:s3:::${bucket}/*", "Principal": "${upper(who)}", '
        '"Literal": "$${kept}"}')
    (infra / "loop.tpl").write_text('%{ for b in buckets }${b}\n%{ endfor }')
    (infra / "main.tf").write_text(
        'variable "name" { default = "logs" }\n'
        'variable "unset" {}\n'
        'resource "aws_iam_policy" "p" {\n'
        '  policy = templatefile("${path.module}/policy.json.tpl", {bucket = var.name, who = "ci"})\n'
        '}\n'
        'resource "aws_iam_policy" "loop" {\n'
        '  policy = templatefile("${path.module}/loop.tpl", {buckets = ["a"]})\n'
        '}\n'
        'resource "aws_iam_policy" "unknown_vars" {\n'
        '  policy = templatefile("${path.module}/policy.json.tpl", {bucket = var.unset, who = "x"})\n'
        '}\n'
        'resource "aws_iam_policy" "no_scope" {\n'
        '  policy = templatefile("${path.module}/policy.json.tpl", {who = "x"})\n'
        '}\n')
    found, context = collect(TerraformCollector, {"paths": ["infra"]}, tmp_path)
    assert found["aws_iam_policy.p"].attributes["policy"] == (
        '{"Resource": "arn:aws:s3:::logs/*", "Principal": "CI", "Literal": "${kept}"}')
    loop = found["aws_iam_policy.loop"].attributes["policy"]
    assert isinstance(loop, Unknown) and "template directives" in loop.reason
    unknown = found["aws_iam_policy.unknown_vars"].attributes["policy"]
    assert isinstance(unknown, Unknown) and "var.unset is not set" in unknown.reason
    # a template sees only the variables it is given (bucket is not one of them here)
    no_scope = found["aws_iam_policy.no_scope"].attributes["policy"]
    assert isinstance(no_scope, Unknown) and "bucket" in no_scope.reason
