"""`assay check` keeps each Terraform root module's findings between runs: an unchanged
root is not evaluated again, a change of any of its inputs is, and the results are the
same bytes as a run without any cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from engine import cache
from engine.cli import main
from evidence.terraform.cache import ParseCache
from evidence.terraform.incremental import IncrementalScan

CONTROLS = Path(__file__).parent / "data" / "tf" / "controls"
AS_OF = "2026-06-30T00:00:00Z"

REPO = {
    # outside the scanned folder: read through module calls and file()
    "modules/bucket/main.tf": """
variable "name" {}
variable "sse" { default = "AES256" }
resource "aws_s3_bucket" "this" {
  bucket = var.name
  policy = file("${path.module}/policy.json")
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default { sse_algorithm = var.sse }
    }
  }
}
""",
    "modules/bucket/policy.json": '{"Version": "2012-10-17"}',
    "stacks/a/main.tf": """
variable "sse" {}
module "data" {
  source = "../../modules/bucket"
  name   = "data"
  sse    = var.sse
}
module "inner" {
  source = "./inner"
}
""",
    "stacks/a/terraform.tfvars": 'sse = "aws:kms"\n',
    "stacks/a/inner/main.tf": """
resource "aws_kms_key" "inner" { enable_key_rotation = true }
""",
    "stacks/b/main.tf": """
# assay:ignore EX-KMS-01 reason="rotated by hand until the new HSM" until=2026-07-15
resource "aws_kms_key" "manual" { enable_key_rotation = false }
resource "aws_kms_key" "unset" { enable_key_rotation = var.rotate }
variable "rotate" {}
""",
    "stacks/c/ok.tf": """
resource "aws_kms_key" "good" { enable_key_rotation = true }
resource "aws_kms_key" "bad" { enable_key_rotation = false }
""",
    "stacks/c/broken.tf": 'resource "aws_kms_key" "x" {\n',
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in REPO.items():
        path = tmp_path / "repo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The labels of the root modules a run had to resolve and evaluate."""
    labels: list[str] = []
    real = IncrementalScan.evaluate

    def counting(self, root):
        labels.append(root.label)
        return real(self, root)

    monkeypatch.setattr(IncrementalScan, "evaluate", counting)
    return labels


def check(out: Path, as_of: str = AS_OF) -> bytes:
    code = main(["check", "stacks", "--controls", str(CONTROLS), "--no-builtin",
                 "--as-of", as_of, "--format", "json", "--out", str(out)])
    assert code == 1  # failures, and a broken file
    return out.read_bytes()


def without_cache(out: Path, monkeypatch: pytest.MonkeyPatch, as_of: str = AS_OF) -> bytes:
    with monkeypatch.context() as env:
        env.setenv("ASSAY_NO_CACHE", "1")
        return check(out, as_of)


def findings(data: bytes) -> dict[str, tuple[str, str]]:
    return {f["resource"]["id"]: (f["status"], f["message"])
            for f in json.loads(data)["findings"]}


def test_a_warm_run_evaluates_nothing_and_gives_the_same_bytes(repo, tmp_path, evaluated,
                                                               monkeypatch):
    cold = check(tmp_path / "cold.json")
    assert sorted(evaluated) == ["stacks/a", "stacks/b", "stacks/c"]
    evaluated.clear()
    warm = check(tmp_path / "warm.json")
    assert evaluated == []
    assert warm == cold
    assert without_cache(tmp_path / "plain.json", monkeypatch) == cold
    results = json.loads(warm)
    # what loading and evaluating reported is told again: the parse error, the counts
    assert not results["run"]["complete"]
    assert any("cannot parse stacks/c/broken.tf" in e["message"] for e in results["run"]["errors"])
    counts = results["run"]["sources"][0]["counts"]
    assert counts["files"] == 6 and counts["root_modules"] == 3  # with modules/bucket
    assert findings(warm)["stacks/b/aws_kms_key.unset"][0] == "unknown"


@pytest.mark.parametrize(("edit", "path", "text", "resource", "status"), [
    ("the root's own file", "stacks/b/main.tf",
     REPO["stacks/b/main.tf"].replace("= false", "= true"), "stacks/b/aws_kms_key.manual", "pass"),
    ("a module folder inside the root", "stacks/a/inner/main.tf",
     REPO["stacks/a/inner/main.tf"].replace("true", "false"),
     "stacks/a/module.inner.aws_kms_key.inner", "fail"),
    ("a module outside the scanned folder", "modules/bucket/main.tf",
     REPO["modules/bucket/main.tf"].replace("sse_algorithm = var.sse", "sse_algorithm = \"none\""),
     "stacks/a/module.data.aws_s3_bucket.this", "fail"),
    ("the root's tfvars", "stacks/a/terraform.tfvars", 'sse = "rot13"\n',
     "stacks/a/module.data.aws_s3_bucket.this", "fail"),
])
def test_a_changed_input_evaluates_its_root_again(repo, tmp_path, evaluated, monkeypatch,
                                                  edit, path, text, resource, status):
    check(tmp_path / "cold.json")
    evaluated.clear()
    (repo / path).write_text(text)
    changed = check(tmp_path / "changed.json")
    assert evaluated == ["/".join(resource.split("/")[:2])], edit
    assert findings(changed)[resource][0] == status
    assert changed == without_cache(tmp_path / "plain.json", monkeypatch)


def test_a_file_read_by_file_is_an_input(repo, tmp_path, evaluated):
    check(tmp_path / "cold.json")
    evaluated.clear()
    (repo / "modules/bucket/policy.json").write_text('{"Version": "2008-10-17"}')
    check(tmp_path / "changed.json")
    assert evaluated == ["stacks/a"]


def test_a_new_root_is_evaluated_alone(repo, tmp_path, evaluated):
    check(tmp_path / "cold.json")
    evaluated.clear()
    (repo / "stacks/d").mkdir()
    (repo / "stacks/d/main.tf").write_text('resource "aws_kms_key" "d" {}\n')
    assert "stacks/d/aws_kms_key.d" in findings(check(tmp_path / "more.json"))
    assert evaluated == ["stacks/d"]


def test_an_inline_suppression_expires_on_a_warm_run(repo, tmp_path, evaluated, monkeypatch):
    before = findings(check(tmp_path / "june.json"))["stacks/b/aws_kms_key.manual"]
    assert before[0] == "waived"
    evaluated.clear()
    after_data = check(tmp_path / "august.json", "2026-08-01T00:00:00Z")
    assert evaluated == []
    after = findings(after_data)["stacks/b/aws_kms_key.manual"]
    assert after[0] == "fail" and "expired on 2026-07-15" in after[1]
    assert after_data == without_cache(tmp_path / "plain.json", monkeypatch, "2026-08-01T00:00:00Z")


def test_a_corrupt_entry_is_evaluated_again(repo, tmp_path, evaluated):
    cold = check(tmp_path / "cold.json")
    for entry in Path(os.environ["ASSAY_CACHE_DIR"]).rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"garbage")
    evaluated.clear()
    assert check(tmp_path / "again.json") == cold
    assert sorted(evaluated) == ["stacks/a", "stacks/b", "stacks/c"]


def test_other_checks_are_other_entries(repo, tmp_path, evaluated):
    check(tmp_path / "cold.json")
    evaluated.clear()
    main(["check", "stacks", "--controls", str(CONTROLS / "EX-KMS-01.yaml"), "--no-builtin",
          "--as-of", AS_OF, "--format", "json", "--out", str(tmp_path / "kms.json")])
    assert sorted(evaluated) == ["stacks/a", "stacks/b", "stacks/c"]


def test_a_second_checkout_of_the_same_files_is_served_from_the_cache(repo, tmp_path, evaluated,
                                                                     monkeypatch):
    first = check(tmp_path / "first.json")
    shutil.copytree(repo, tmp_path / "base")
    monkeypatch.chdir(tmp_path / "base")
    evaluated.clear()
    assert check(tmp_path / "second.json") == first
    assert evaluated == []


def test_only_the_folders_that_changed_are_parsed(repo, tmp_path, monkeypatch):
    parsed: list[str] = []
    real = ParseCache.parse_all

    def counting(self, items):
        items = list(items)
        parsed.extend(key for key, _ in items)
        return real(self, items)

    monkeypatch.setattr(ParseCache, "parse_all", counting)
    check(tmp_path / "cold.json")
    assert len(parsed) == 7  # six .tf files and the tfvars
    parsed.clear()
    check(tmp_path / "warm.json")
    assert parsed == []
    (repo / "stacks/b/main.tf").write_text(REPO["stacks/b/main.tf"] + "\n# reviewed\n")
    check(tmp_path / "edited.json")
    assert len(parsed) == 1  # stacks/b/main.tf; stacks/b calls no module


EDITS = [
    ("stacks/b/main.tf", REPO["stacks/b/main.tf"].replace("= false", "= true")),
    ("stacks/b/main.tf", REPO["stacks/b/main.tf"]),
    ("modules/bucket/main.tf", REPO["modules/bucket/main.tf"].replace("var.sse", '"none"')),
    ("modules/bucket/main.tf", REPO["modules/bucket/main.tf"]),
    ("stacks/a/terraform.tfvars", 'sse = "AES256"\n'),
    ("stacks/a/terraform.tfvars", None),  # deleted: the variable has no value
    ("stacks/a/terraform.tfvars", REPO["stacks/a/terraform.tfvars"]),
    ("stacks/c/broken.tf", 'resource "aws_kms_key" "x" { enable_key_rotation = true }\n'),
    ("stacks/c/broken.tf", REPO["stacks/c/broken.tf"]),
    ("stacks/a/inner/main.tf", 'resource "aws_kms_key" "inner" {}\n'),
    ("stacks/a/inner/extra.tf", 'resource "aws_kms_key" "more" { enable_key_rotation = false }\n'),
    ("stacks/a/inner/extra.tf", None),
    ("stacks/d/main.tf", 'resource "aws_kms_key" "d" { enable_key_rotation = true }\n'),
    ("stacks/d/main.tf", None),
    ("stacks/a/main.tf", REPO["stacks/a/main.tf"].replace('source = "./inner"',
                                                          'source = "../c"')),
    ("stacks/a/main.tf", REPO["stacks/a/main.tf"]),
    ("modules/bucket/policy.json", '{"Version": "2008-10-17"}'),
    ("stacks/b/main.tf", REPO["stacks/b/main.tf"].replace("2026-07-15", "2026-06-15")),
]


def test_any_sequence_of_edits_gives_what_a_run_without_cache_gives(repo, tmp_path, monkeypatch):
    """Edits in a shuffled order, each followed by a cached run and an uncached one: the
    bytes must be equal every time, whatever the cache holds from the steps before."""
    import random

    order = list(range(len(EDITS))) * 2
    random.Random(20261125).shuffle(order)
    check(tmp_path / "first.json")
    for step, index in enumerate(order):
        path, text = EDITS[index]
        target = repo / path
        if text is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        out = tmp_path / f"step{step}.json"
        code = main(["check", "stacks", "--controls", str(CONTROLS), "--no-builtin",
                     "--as-of", AS_OF, "--format", "json", "--out", str(out)])
        with monkeypatch.context() as env:
            env.setenv("ASSAY_NO_CACHE", "1")
            plain = tmp_path / f"plain{step}.json"
            plain_code = main(["check", "stacks", "--controls", str(CONTROLS), "--no-builtin",
                               "--as-of", AS_OF, "--format", "json", "--out", str(plain)])
        assert (code, out.read_bytes()) == (plain_code, plain.read_bytes()), (step, path)


def test_no_cache_reads_and_writes_nothing_and_changes_nothing(repo, tmp_path, evaluated):
    folder = Path(os.environ["ASSAY_CACHE_DIR"])
    code = main(["check", "stacks", "--controls", str(CONTROLS), "--no-builtin", "--as-of",
                 AS_OF, "--format", "json", "--out", str(tmp_path / "plain.json"), "--no-cache"])
    assert code == 1
    assert not [p for p in folder.rglob("*") if p.is_file()]  # not even parsed files
    assert not (repo / "stacks" / ".assay").exists()
    assert cache.enabled()  # for this run only
    assert check(tmp_path / "cached.json") == (tmp_path / "plain.json").read_bytes()
    evaluated.clear()
    main(["check", "stacks", "--controls", str(CONTROLS), "--no-builtin", "--as-of", AS_OF,
          "--format", "json", "--out", str(tmp_path / "again.json"), "--no-cache"])
    assert evaluated == []  # the uncached path evaluates without parts
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "plain.json").read_bytes()
