"""Terraform scan speed: cold (empty parse cache, process pool), warm (cache filled) and
python-hcl2 alone, plus peak memory, on a generated repository of ~2,000 files.

Targets (issue 3), 2 cores: cold <= 1.0 x python-hcl2 alone, warm <= 1 s, peak RSS <= 300 MB.
Cold and warm run ``assay check CORPUS`` with the built-in library in a fresh interpreter,
as a user would (with its bytecode cache, even when PYTHONDONTWRITEBYTECODE is set here);
python-hcl2 alone is ``hcl2.load()`` of every file in one process. "One file edited" is
the pre-merge case: a warm cache and a change to one root module.

    python -m bench.terraform [--stacks 99] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5
FILES_PER_STACK = 19  # + variables, locals => ~2,000 files for 99 stacks

MODULES = {
    "bucket": {
        "variables.tf": """
variable "name" {}
variable "kms_key_arn" { default = null }
variable "tags" { default = {} }
""",
        "main.tf": """
resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = merge(var.tags, { module = "bucket" })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
""",
        "outputs.tf": """
output "id" { value = aws_s3_bucket.this.id }
output "arn" { value = aws_s3_bucket.this.arn }
""",
    },
    "network": {
        "variables.tf": """
variable "name" {}
variable "rules" {
  default = [{ port = 443, cidr = "10.0.0.0/8" }]
}
""",
        "main.tf": """
resource "aws_security_group" "this" {
  name = var.name
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
""",
        "outputs.tf": """
output "id" { value = aws_security_group.this.id }
""",
    },
    "database": {
        "variables.tf": """
variable "name" {}
variable "encrypted" { default = true }
""",
        "main.tf": """
resource "aws_db_instance" "this" {
  identifier              = var.name
  engine                  = "postgres"
  instance_class          = "db.t3.medium"
  storage_encrypted       = var.encrypted
  backup_retention_period = 14
  deletion_protection     = true
  publicly_accessible     = false
}
""",
        "outputs.tf": """
output "arn" { value = aws_db_instance.this.arn }
""",
    },
}

TEMPLATES = [
    """
resource "aws_s3_bucket" "data_{n}" {{
  bucket = "${{local.prefix}}-data-{n}"
  tags   = local.tags
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_{n}" {{
  bucket = aws_s3_bucket.data_{n}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.key_{n}.arn
    }}
  }}
}}

resource "aws_s3_bucket_versioning" "data_{n}" {{
  bucket = aws_s3_bucket.data_{n}.id
  versioning_configuration {{
    status = var.versioning ? "Enabled" : "Suspended"
  }}
}}

resource "aws_s3_bucket_logging" "data_{n}" {{
  bucket        = aws_s3_bucket.data_{n}.id
  target_bucket = "${{local.prefix}}-logs"
  target_prefix = "data-{n}/"
}}

resource "aws_kms_key" "key_{n}" {{
  description         = "key {n} for ${{var.env}}"
  enable_key_rotation = var.kms_rotation
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "kms:*", Resource = "*" }}]
  }})
}}
""",
    """
resource "aws_security_group" "app_{n}" {{
  name = "${{local.prefix}}-app-{n}"
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.allowed_cidr]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group_rule" "ssh_{n}" {{
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["10.{n}.0.0/16"]
  security_group_id = aws_security_group.app_{n}.id
}}

resource "aws_lb" "app_{n}" {{
  name                       = "app-{n}"
  internal                   = {n} % 2 == 0
  drop_invalid_header_fields = true
  access_logs {{
    bucket  = "${{local.prefix}}-logs"
    enabled = true
  }}
}}

resource "aws_lb_listener" "app_{n}" {{
  load_balancer_arn = aws_lb.app_{n}.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}}

resource "aws_cloudwatch_log_group" "app_{n}" {{
  name              = "/app/{n}"
  retention_in_days = var.retention_days
}}
""",
    """
resource "aws_db_instance" "db_{n}" {{
  identifier              = "${{local.prefix}}-db-{n}"
  engine                  = "postgres"
  instance_class          = "db.r6g.large"
  storage_encrypted       = true
  backup_retention_period = var.retention_days
  multi_az                = var.env == "prod"
  enabled_cloudwatch_logs_exports = ["postgresql"]
}}

resource "aws_dynamodb_table" "table_{n}" {{
  name         = "table-{n}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
  server_side_encryption {{
    enabled = true
  }}
  point_in_time_recovery {{
    enabled = {n} % 3 != 0
  }}
}}

resource "aws_ebs_volume" "vol_{n}" {{
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
}}

resource "aws_sqs_queue" "queue_{n}" {{
  name                    = "queue-{n}"
  sqs_managed_sse_enabled = true
}}

resource "aws_secretsmanager_secret" "secret_{n}" {{
  name       = "secret-{n}"
  kms_key_id = lookup(local.keys, "secrets", null)
}}
""",
    """
resource "aws_cloudtrail" "trail_{n}" {{
  name                          = "trail-{n}"
  s3_bucket_name                = "${{local.prefix}}-trail"
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  include_global_service_events = true
  kms_key_id                    = data.aws_kms_key.trail.arn
}}

resource "aws_iam_policy" "policy_{n}" {{
  name = "policy-{n}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::${{local.prefix}}-data-{n}/*"
    }}]
  }})
}}

resource "aws_sns_topic" "topic_{n}" {{
  name              = "topic-{n}"
  kms_master_key_id = "alias/aws/sns"
}}

resource "aws_ecr_repository" "repo_{n}" {{
  name                 = "repo-{n}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {{
    scan_on_push = true
  }}
}}

resource "aws_instance" "vm_{n}" {{
  count         = var.instances
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  metadata_options {{
    http_tokens = "required"
  }}
  root_block_device {{
    encrypted = true
  }}
}}
""",
]

STACK_FILES = {
    "variables.tf": """
variable "env" { default = "prod" }
variable "kms_rotation" { default = false }
variable "versioning" { default = true }
variable "retention_days" { default = 30 }
variable "instances" { default = 1 }
variable "allowed_cidr" {}
""",
    "locals.tf": """
locals {
  prefix = "finai-${var.env}-{stack}"
  tags   = { env = var.env, stack = "{stack}", owner = "platform" }
  keys   = { secrets = "alias/secrets" }
}

data "aws_kms_key" "trail" { key_id = "alias/trail" }

module "logs" {
  source      = "../../modules/bucket"
  name        = "${local.prefix}-logs"
  kms_key_arn = null
  tags        = local.tags
}

module "web" {
  source = "../../modules/network"
  name   = "${local.prefix}-web"
}

module "db" {
  source    = "../../modules/database"
  name      = "${local.prefix}-db"
  encrypted = var.env == "prod"
}
""",
    "terraform.tfvars": """
kms_rotation = true
""",
}


def generate(root: Path, stacks: int) -> int:
    """Write the corpus; return the number of .tf files."""
    rng = random.Random(7)
    count = 0
    for name, files in MODULES.items():
        folder = root / "modules" / name
        folder.mkdir(parents=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text)
            count += 1
    for s in range(stacks):
        stack = f"s{s:03d}"
        folder = root / "stacks" / stack
        folder.mkdir(parents=True)
        for file_name, text in STACK_FILES.items():
            # every file differs (the parse cache deduplicates identical contents)
            (folder / file_name).write_text(f"# {stack}/{file_name}\n"
                                            + text.replace("{stack}", stack))
            count += file_name.endswith(".tf")
        for f in range(FILES_PER_STACK - 1):
            template = rng.choice(TEMPLATES)
            (folder / f"r{f:02d}.tf").write_text(f"# {stack}/r{f:02d}.tf\n" + template.format(n=f))
            count += 1
    return count


def hcl2_alone(root: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of ``hcl2.load()`` of every file, parser built beforehand."""
    import hcl2

    hcl2.loads("a = 1\n")
    files = sorted(root.rglob("*.tf"))
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        with path.open() as handle:
            hcl2.load(handle)
    return time.perf_counter() - start, time.process_time() - cpu


def run_check(root: Path, cache: Path, out: Path,
              fmt: str = "json") -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, exit code) of ``assay check ROOT`` in a
    fresh interpreter; CPU time includes the parse pool's workers."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), ASSAY_CACHE_DIR=str(cache / "assay"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ASSAY_NO_CACHE", None)
    argv = [sys.executable, "-m", "engine", "check", str(root), "--format", fmt,
            "--out", str(out), "--as-of", "2026-06-30T00:00:00Z"]
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if process.stderr is not None:
        process.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def collector_only(root: Path, cache: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the terraform collector alone on a warm cache."""
    from evidence.interface import CollectRequest
    from evidence.terraform.collector import TerraformCollector
    from evidence.testing import RecordingContext

    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.environ["ASSAY_CACHE_DIR"] = str(cache / "assay")
    start, cpu = time.perf_counter(), time.process_time()
    collector = TerraformCollector({"paths": [str(root)]}, RecordingContext(base_dir=root))
    list(collector.collect(CollectRequest()))
    return time.perf_counter() - start, time.process_time() - cpu


def _spread(runs: list[tuple[float, float, float, int]]) -> str:
    walls = sorted(r[0] for r in runs)
    cpus = sorted(r[1] for r in runs)
    return (f"{statistics.median(walls):6.2f} s wall {statistics.median(cpus):6.2f} s CPU, "
            f"median of {len(runs)} (wall {walls[0]:.2f}-{walls[-1]:.2f})")


def count_resources(out: Path) -> tuple[int, int]:
    import json

    data = json.loads(out.read_text())
    terraform = next((s for s in data["run"]["sources"] if s["name"] == "terraform"), {})
    return terraform.get("counts", {}).get("resources", 0), len(data["findings"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.terraform")
    parser.add_argument("--stacks", type=int, default=99)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="assay-bench-tf-") as tmp:
        base = Path(tmp)
        root = args.keep or base / "corpus"
        files = generate(root, args.stacks)
        out, cache = base / "out.json", base / "cache"
        alone, alone_cpu = hcl2_alone(root)
        cold, cold_cpu, cold_rss, code = run_check(root, cache, out)
        resources, findings = count_resources(out) if out.exists() else (0, 0)
        # one run of a short command is at the mercy of the machine's noise: median of five
        warm_runs = [run_check(root, cache, out) for _ in range(REPEATS)]
        sarif_runs = [run_check(root, cache, base / "out.sarif", "sarif") for _ in range(REPEATS)]
        edited_runs = []
        for i in range(REPEATS):
            edited = root / "stacks" / f"s{i:03d}" / "r00.tf"
            edited.write_text(edited.read_text() + '\nresource "aws_kms_key" "edited" {}\n')
            edited_runs.append(run_check(root, cache, out))
        warm_rss = max(r[2] for r in warm_runs)
        collector, collector_cpu = collector_only(root, cache)
        print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} "
              "(wall times suffer when others share the machine; CPU times less so)")
        print(f"corpus: {files} .tf files, {resources} resources, {findings} findings "
              f"(built-in library, exit {code})")
        print(f"python-hcl2 alone: {alone:6.2f} s wall {alone_cpu:6.2f} s CPU")
        print(f"cold scan:         {cold:6.2f} s wall {cold_cpu:6.2f} s CPU  "
              f"({cold / alone:.2f} x python-hcl2 wall; target <= 1.0)")
        print(f"warm scan:         {_spread(warm_runs)}  (target <= 1 s)")
        print(f"warm scan, SARIF:  {_spread(sarif_runs)}  (the pre-merge format)")
        print(f"one file edited:   {_spread(edited_runs)}  "
              "(warm cache; that root module evaluated again)")
        print(f"  the terraform collector: {collector:.2f} s wall "
              f"{collector_cpu:.2f} s CPU (in-process, parse cache only)")
        print(f"peak RSS:          {max(cold_rss, warm_rss):6.0f} MB (cold {cold_rss:.0f}, "
              f"warm {warm_rss:.0f}; target <= 300)")


if __name__ == "__main__":
    main(sys.argv[1:])
