"""engine.loader: controls and catalogs load, and every mistake is one located line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.coverage import framework_coverage
from engine.errors import InputErrors
from engine.library_files import builtin_catalog_dir, builtin_library_dir, library_digest
from engine.loader import (
    load_catalogs,
    load_controls,
    load_library,
    load_model,
    load_model_located,
)
from engine.model import Control, Framework

CATALOGS = Path(__file__).parent / "data" / "catalogs"

GOOD = """\
id: {id}
title: Customer-managed keys rotate yearly
objective: Key material is replaced on schedule.
severity: medium
frameworks: {{acme: ["1.1"], demo-fw: [A.1]}}
params:
  role: {{default: deployer, description: the deployment role}}
checks:
  - id: tf
    source: terraform
    resource: aws_kms_key
    assert: {{path: enable_key_rotation, eq: true}}
    remediation: Set enable_key_rotation = true.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def errors_of(paths: list[Path]) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        load_controls(paths, load_catalogs([CATALOGS]), builtin=False)
    return str(caught.value).splitlines()


def one_error(tmp_path: Path, text: str, name: str = "EX-KMS-01.yaml") -> str:
    path = write(tmp_path, name, text)
    found = errors_of([path])
    assert len(found) == 1, found
    prefix = f"{path}:"
    assert found[0].startswith(prefix)
    return found[0].removeprefix(prefix)


def test_good_control_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "enc/EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    write(tmp_path, "iam/EX-IAM-01.yml", GOOD.format(id="EX-IAM-01"))
    (tmp_path / "notes.txt").write_text("not a control")
    controls = load_controls([tmp_path], load_catalogs([CATALOGS]), builtin=False)
    assert [c.id for c in controls] == ["EX-IAM-01", "EX-KMS-01"]
    assert controls[1].checks[0].assert_ is not None
    assert load_model(path, Control).id == "EX-KMS-01"
    loaded = load_model_located(path, Control)
    assert (loaded.model.id, loaded.data["severity"]) == ("EX-KMS-01", "medium")
    assert str(loaded.positions.value(("checks", 0, "source"))) == f"{path}:10:13"


def test_catalogs_load() -> None:
    catalogs = load_catalogs([CATALOGS])
    assert sorted(catalogs) == ["acme", "demo-fw"]
    assert catalogs["acme"].requirement_ids == ["1.1", "1.2", "1.3", "2.1", "2.2"]


def replace(old: str, new: str) -> str:
    text = GOOD.format(id="EX-KMS-01")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(("old", "new", "line"), [
    ("title:", "titel:", "2:1: unknown key 'titel' (did you mean 'title'?)"),
    ("remediation:", "descripton: x\n    remediation:",
     "13:5: unknown key 'descripton' (did you mean 'description'?)"),
    ("eq: true", "in: {param: role, default: [1]}",
     "12:59: unknown key 'default'; expected one of param"),
    ("{default: deployer,", "{default: deployer, type: string,",
     "7:29: unknown key 'type'; expected one of default, description"),
    ("eq: true", "equals: true",
     "12:41: unknown operator 'equals'; expected one of eq, ne, in, not_in, matches, gt, gte, "
     "lt, lte, age_lte, exists, contains, not_contains, cidr_open"),
    ("severity: medium", "severity: urgent",
     "4:11: severity: expected 'info', 'low', 'medium', 'high' or 'critical', got 'urgent'"),
    ("title: Customer-managed keys rotate yearly", "title: [a]",
     "2:8: title: expected a string, got a list"),
    ("    remediation: Set enable_key_rotation = true.\n", "",
     "9:5: missing required key 'remediation'"),
    ("eq: true", "age_lte: 90days",
     "12:50: age_lte: invalid duration '90days'; expected e.g. 90d, 24h, 30m, 1d12h"),
    ("eq: true", "matches: '(a'",
     "12:50: matches: invalid regular expression '(a': missing ), unterminated subpattern "
     "at position 0"),
    ("eq: true", "in: 5", "12:45: in: expected a list or {param: NAME}, got a number"),
    ("source: terraform", "source: terrafrom",
     "10:13: unknown source 'terrafrom'; expected one of auditlog, aws, cloudtrail, k8s_audit, "
     "manual, terraform, terraform_plan (did you mean 'terraform'?)"),
    ("acme: [\"1.1\"]", "acme: [\"9.9\"]", "5:21: unknown requirement '9.9' in acme"),
    ("acme: [\"1.1\"]", "acme: [\"1.1\", \"1.1\"]", "5:28: requirement '1.1' is listed twice"),
    ("acme: [\"1.1\"]", "acme: [\"1\"]",
     "5:21: '1' is a heading in acme, not a requirement; map the requirements under it "
     "(1.1, 1.2, 1.3)"),
    ("acme: [\"1.1\"]", "acmee: [\"1.1\"]",
     "5:14: unknown framework 'acmee'; expected one of acme, demo-fw (did you mean 'acme'?)"),
    ("id: EX-KMS-01", "id: EX-KMS-02",
     "1:5: control id 'EX-KMS-02' does not match its file name 'EX-KMS-01'"),
    ("id: EX-KMS-01", "id: ex-kms",
     "1:5: invalid control id 'ex-kms'; expected upper-case words joined by '-', e.g. ENC-S3-01"),
    ("- id: tf", "- id: TF",
     "9:9: invalid check id 'TF'; expected lower-case letters, digits, '-' or '_', e.g. tf"),
    ("eq: true", "eq: {param: rol}", "12:53: unknown parameter 'rol'; declared: role"),
    ("eq: true", "in: [x, {param: rol}]", "12:57: unknown parameter 'rol'; declared: role"),
    ("resource: aws_kms_key", "resource: kms",
     "11:15: unknown terraform resource type 'kms'"),
    ("assert: {path: enable_key_rotation, eq: true}",
     "assert: {related: aws.kms.alias, by: target_key_id}",
     "12:23: related: unknown terraform resource type 'aws.kms.alias'"),
    ("assert: {path: enable_key_rotation, eq: true}", "assert: {foo: 1}",
     "12:13: assert: expected a condition: all, any, not, {path, <operator>}, any_item, "
     "all_items, no_item or related"),
    ("assert: {path: enable_key_rotation, eq: true}", "assert: {path: x}",
     "12:13: a path condition needs exactly one operator, got 0 (none); operators: eq, ne, in, "
     "not_in, matches, gt, gte, lt, lte, age_lte, exists, contains, not_contains, cidr_open"),
    ("    resource: aws_kms_key\n", "", "9:5: a terraform check needs resource: TYPE"),
    ("{path: enable_key_rotation, eq: true}", "{any: [{no_item: }]}",
     "12:20: use exactly one of any_item, all_items, no_item"),
    ("id: tf", "id: {param: p}", "9:9: id: expected a string, got a mapping"),
    ("path: enable_key_rotation", "path: \"a..b\"",
     "12:20: invalid path 'a..b' at column 3: empty key"),
    ("eq: true", "in: {param: role}",
     "12:45: enable_key_rotation: in: expected a list of values, got \"deployer\""),
    ("eq: true", "eq: null",
     "12:45: enable_key_rotation: eq: null never matches (JSON null is absent); "
     "use exists: false"),
])
def test_each_mistake_is_one_located_line(tmp_path: Path, old: str, new: str, line: str) -> None:
    assert one_error(tmp_path, replace(old, new)) == line


def test_condition_errors_deep_in_the_tree(tmp_path: Path) -> None:
    text = replace("assert: {path: enable_key_rotation, eq: true}", """assert:
      all:
        - not: {path: a, eq: 1}
        - any_item:
            path: rules
            where: {any: [{path: port, gt: [1]}, {path: cidr, equal: x}]}
        - related: aws_kms_alias
          by: target_key_id
          assert: {path: name, matches: {param: nope}}""")
    path = write(tmp_path, "EX-KMS-01.yaml", text)
    assert errors_of([path]) == [
        f"{path}:17:44: gt: expected a number, a string or {{param: NAME}}, got a list",
        f"{path}:17:63: unknown operator 'equal'; expected one of eq, ne, in, not_in, matches, "
        "gt, gte, lt, lte, age_lte, exists, contains, not_contains, cidr_open",
        f"{path}:20:49: unknown parameter 'nope'; declared: role",
    ]
    fixed = text.replace("gt: [1]", "gt: 1").replace("equal:", "eq:")
    path.write_text(fixed)
    assert errors_of([path]) == [f"{path}:20:49: unknown parameter 'nope'; declared: role"]


def test_empty_check_list(tmp_path: Path) -> None:
    text = GOOD.format(id="EX-KMS-01")
    text = text[:text.index("checks:")] + "checks: []\n"
    assert one_error(tmp_path, text) == "8:9: checks: needs at least 1 entry"


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    empty = write(tmp_path, "EX-A-01.yaml", "")
    listing = write(tmp_path, "EX-B-01.yaml", "- a\n")
    assert errors_of([empty, listing]) == [
        f"{empty}:1:1: the file is empty; expected a mapping",
        f"{listing}:1:1: document: expected a mapping, got a list",
    ]


def test_duplicate_check_ids_are_located(tmp_path: Path) -> None:
    text = GOOD.format(id="EX-KMS-01") + (
        "  - id: tf\n"
        "    source: manual\n"
        "    attestation: {name: key rotation review, max_age: 365d}\n"
        "    remediation: Review.\n")
    assert one_error(tmp_path, text) == "14:9: duplicate check id 'tf'"


def test_duplicate_control_ids_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a/EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    second = write(tmp_path, "b/EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    assert errors_of([tmp_path]) == [
        f"{first}:1:5: duplicate control id 'EX-KMS-01' (also at {second}:1:5)",
        f"{second}:1:5: duplicate control id 'EX-KMS-01' (also at {first}:1:5)",
    ]


def test_a_library_with_five_mistakes_prints_five_lines(tmp_path: Path) -> None:
    write(tmp_path, "a/EX-A-01.yaml", GOOD.format(id="EX-A-01").replace("title:", "titl:"))
    write(tmp_path, "a/EX-B-01.yaml", GOOD.format(id="EX-B-01").replace('"1.1"', '"7.7"'))
    write(tmp_path, "b/EX-C-01.yaml", GOOD.format(id="EX-C-01").replace("eq: true", "eq: ["))
    write(tmp_path, "b/EX-D-01.yaml", GOOD.format(id="EX-X-01"))
    write(tmp_path, "c/EX-E-01.yaml", GOOD.format(id="EX-E-01").replace("90d", "x")
          .replace("source: terraform", "source: tf"))
    found = errors_of([tmp_path])
    assert [line.removeprefix(str(tmp_path)) for line in found] == [
        "/a/EX-A-01.yaml:2:1: unknown key 'titl' (did you mean 'title'?)",
        "/a/EX-B-01.yaml:5:21: unknown requirement '7.7' in acme",
        "/b/EX-C-01.yaml:12:46: invalid YAML: did not find expected node content",
        "/b/EX-D-01.yaml:1:5: control id 'EX-X-01' does not match its file name 'EX-D-01'",
        "/c/EX-E-01.yaml:10:13: unknown source 'tf'; expected one of auditlog, aws, cloudtrail, "
        "k8s_audit, manual, terraform, terraform_plan",
    ]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    assert errors_of([tmp_path / "nope"]) == [f"{tmp_path / 'nope'}: no such file or folder"]


def test_catalog_mistakes(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """\
        id: x
        name: X
        version: "1"
        requirements:
          - {id: "1", title: One, heading: true}
          - {id: "1.1", title: A, parent: "1"}
          - {id: "1.1", title: B, parent: "9"}
        not_covered: {"1": heading, "3": nope}
        not_applicable: {"1.2": nope}
        """)
    dup = write(tmp_path, "y.yaml", "id: x\nname: Y\nversion: '1'\nrequirements: []\n")
    with pytest.raises(InputErrors) as caught:
        load_catalogs([tmp_path])
    assert str(caught.value).splitlines() == [
        f"{path}:1:5: duplicate framework id 'x' (also at {dup}:1:5)",
        f"{path}:7:10: duplicate requirement id '1.1' (first at line 6)",
        f"{path}:7:35: unknown parent '9'",
        f"{path}:8:15: '1' is a heading in x, not a requirement",
        f"{path}:8:29: unknown requirement '3' in x",
        f"{path}:9:18: unknown requirement '1.2' in x",
        f"{dup}:1:5: duplicate framework id 'x' (also at {path}:1:5)",
    ]


def test_parent_cycles_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """\
        id: x
        name: X
        version: "1"
        requirements:
          - {id: a, title: A, parent: b}
          - {id: b, title: B, parent: a}
          - {id: c, title: C, parent: a}
        """)
    with pytest.raises(InputErrors) as caught:
        load_catalogs([tmp_path])
    assert str(caught.value).splitlines() == [
        f"{path}:5:31: requirement 'a' is its own ancestor",
        f"{path}:6:31: requirement 'b' is its own ancestor",
    ]


def test_load_model_raises_every_error(tmp_path: Path) -> None:
    path = write(tmp_path, "fw.yaml", "id: Bad Id\nname: 1\nrequirements: {}\n")
    with pytest.raises(InputErrors) as caught:
        load_model(path, Framework)
    assert str(caught.value).splitlines() == [
        f"{path}:1:1: missing required key 'version'",
        f"{path}:1:5: id: 'Bad Id' does not match the pattern ^[a-z0-9][a-z0-9-]*$",
        f"{path}:2:7: name: expected a string, got a number",
        f"{path}:3:15: requirements: expected a list, got a mapping",
    ]


def test_library_digest_changes_with_content(tmp_path: Path) -> None:
    a = write(tmp_path, "lib/EX-A-01.yaml", GOOD.format(id="EX-A-01"))
    first = library_digest([tmp_path / "lib", CATALOGS])
    assert first == library_digest([CATALOGS, a])
    assert len(first) == 64
    a.write_text(GOOD.format(id="EX-A-01").replace("medium", "high"))
    assert library_digest([tmp_path / "lib", CATALOGS]) != first


def test_load_library_combines_catalogs_and_controls(tmp_path: Path) -> None:
    path = write(tmp_path, "EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    library = load_library([path], builtin=False, catalog_dirs=[CATALOGS])
    assert {"acme", "demo-fw"} <= set(library.catalogs)
    assert [c.id for c in library.controls] == ["EX-KMS-01"]
    assert library.files == {"EX-KMS-01": path}
    assert library.control("EX-KMS-01") is library.controls[0]
    assert library.control("NOPE-1") is None
    assert len(library.digest) == 64


def test_builtin_folders_live_in_the_controls_package() -> None:
    assert builtin_catalog_dir().parts[-2:] == ("controls", "frameworks")
    assert builtin_library_dir().parts[-2:] == ("controls", "library")


def test_coverage_buckets() -> None:
    catalogs = load_catalogs([CATALOGS])
    framework = catalogs["acme"].model_copy(update={"not_applicable": {"2.2": "no badges"}})
    automated = Control.model_validate({
        "id": "EX-A-01", "title": "t", "objective": "o", "severity": "low",
        "frameworks": {"acme": ["1.1", "2.1"]},
        "checks": [{"id": "tf", "source": "terraform", "resource": "aws_s3_bucket",
                    "assert": {"path": "a", "exists": True}, "remediation": "r"},
                   {"id": "m", "source": "manual", "remediation": "r",
                    "attestation": {"name": "n", "max_age": "30d"}}]})
    manual = Control.model_validate({
        "id": "EX-M-01", "title": "t", "objective": "o", "severity": "low",
        "frameworks": {"acme": ["1.1", "1.3"]},
        "checks": [{"id": "m", "source": "manual", "remediation": "r",
                    "attestation": {"name": "n", "max_age": "30d"}}]})
    result = framework_coverage(framework, [manual, automated])
    assert (result.automated, result.manual) == (["1.1", "2.1"], ["1.3"])
    assert result.not_covered == {"1.2": "no control maps to it",
                                  "2.2": "not applicable: no badges"}


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "lib/EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    write(tmp_path, "lib/.#EX-KMS-01.yaml", "broken: [")
    write(tmp_path, "lib/.git/EX-OLD-01.yaml", "broken: [")
    controls = load_controls([tmp_path / "lib"], load_catalogs([CATALOGS]), builtin=False)
    assert [c.id for c in controls] == ["EX-KMS-01"]


def test_aws_resource_types_are_checked(tmp_path: Path) -> None:
    text = replace("source: terraform", "source: aws").replace("aws_kms_key", "aws_kms_keyy")
    assert one_error(tmp_path, text) == "11:15: unknown aws resource type 'aws_kms_keyy'"


def test_types_fall_back_to_name_patterns_without_the_collector(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(source: str) -> type:
        raise ImportError(f"no collector for {source}")

    monkeypatch.setattr("evidence.registry.get", missing)
    good = replace("source: terraform", "source: aws").replace("aws_kms_key", "aws.kms.key")
    path = write(tmp_path, "EX-KMS-01.yaml", good)
    assert load_controls([path], load_catalogs([CATALOGS]), builtin=False)[0].id == "EX-KMS-01"
    assert one_error(tmp_path, replace("aws_kms_key", "KMS")) == \
        "11:15: unknown terraform resource type 'KMS'"


_TOKENS = ["", "[", "]", "{", "}", ":", "- ", "null", "1", "true", "x", "{param: p}", "[1, 2]",
           "{a: 1}", "&a", "*a", "'", "<<: *a", "any:", "all:", "not:", "path:", "no_item:",
           "related:", "2026-13-01"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8), st.sampled_from(_TOKENS)),
                min_size=1, max_size=3))
def test_a_mangled_control_is_located_errors_never_a_crash(
        tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    lines = GOOD.format(id="EX-KMS-01").splitlines()
    for line_no, word_no, token in edits:
        words = lines[line_no % len(lines)].split(" ")
        words[word_no % len(words)] = token
        lines[line_no % len(lines)] = " ".join(words)
    path = write(tmp_path, "EX-KMS-01.yaml", "\n".join(lines))
    try:
        load_controls([path], load_catalogs([CATALOGS]), builtin=False)
    except InputErrors as caught:
        for error in caught.errors:
            assert error.location is not None and error.location.line >= 1, str(error)


def test_a_control_file_that_cannot_be_read_inside_a_folder_is_an_error(tmp_path: Path) -> None:
    """A dangling link in a controls folder is reported, never silently left out."""
    write(tmp_path, "lib/EX-KMS-01.yaml", GOOD.format(id="EX-KMS-01"))
    (tmp_path / "lib" / "EX-GONE-01.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert errors_of([tmp_path / "lib"]) == [
        f"{tmp_path / 'lib' / 'EX-GONE-01.yaml'}: cannot read file: No such file or directory"]


@pytest.mark.parametrize(("expect", "line"), [
    ("{max_gap: 10}", "12:23: max_gap: expected a string, got a number"),
    ("{max_gap: 1 week}", "12:23: invalid duration '1 week'; expected e.g. 90d, 24h, 30m, 1d12h"),
    ("sometimes", "12:13: expect: expected 'none' or {max_gap: DURATION}, got a string"),
])
def test_a_mistake_in_expect_is_one_line(tmp_path: Path, expect: str, line: str) -> None:
    """The member of ``expect`` that took the value's shape explains it; the other
    (``none``) does not add a second, misleading line."""
    text = GOOD.format(id="EX-KMS-01").replace(
        "    source: terraform\n    resource: aws_kms_key\n"
        "    assert: {path: enable_key_rotation, eq: true}\n",
        f"    source: cloudtrail\n    events: {{where: {{path: eventName, eq: X}}}}\n"
        f"    expect: {expect}\n")
    assert one_error(tmp_path, text) == line
