"""engine.yamlloc: safe_load semantics with a position for every key and value."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import ControlError, Location
from engine.yamlloc import display_name, load_located, loads_located

DOCUMENT = """\
id: EX-1
title: "quoted"
checks:
  - id: tf
    assert: {path: a.b, in: [1, 2]}
  - id: aws
numbers: [1, 2.5, 0x10, ~, yes, 2026-01-02]
when: 2026-01-02T03:04:05Z
"""


def test_data_equals_safe_load() -> None:
    data, _ = loads_located(DOCUMENT, "f.yaml")
    assert data == yaml.safe_load(DOCUMENT)
    assert data["numbers"] == [1, 2.5, 16, None, True, date(2026, 1, 2)]
    assert data["when"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "", "# only a comment\n", "plain", "- a\n- b\n", "a: &x {k: 1}\nb: *x\n",
    "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
    "a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc:\n  <<: [*a, *b]\n",
    "s: |\n  line one\n  line two\n", "'key with: colon': [1, {n: null}]\n",
    "!!str 12: !!int '7'\n", "bin: !!binary aGVsbG8=\n",
])
def test_same_data_as_safe_load(text: str) -> None:
    assert loads_located(text, "f.yaml")[0] == yaml.safe_load(text)


def test_positions_of_keys_and_values() -> None:
    _, pos = loads_located(DOCUMENT, "f.yaml")
    assert pos.value(("title",)) == Location("f.yaml", 2, 8)
    assert pos.key(("title",)) == Location("f.yaml", 2, 1)
    assert pos.value(("checks", 0)) == Location("f.yaml", 4, 5)
    assert pos.key(("checks", 0, "assert", "path")) == Location("f.yaml", 5, 14)
    assert pos.value(("checks", 0, "assert", "in", 1)) == Location("f.yaml", 5, 33)
    assert pos.value(("checks", 1, "id")) == Location("f.yaml", 6, 9)
    assert pos.has(("numbers", 5)) and not pos.has(("numbers", 6))


def test_missing_path_falls_back_to_deepest_ancestor() -> None:
    _, pos = loads_located(DOCUMENT, "f.yaml")
    assert pos.value(("checks", 0, "assert", "nope", 3)) == Location("f.yaml", 5, 13)
    assert pos.key(("checks", 1, "missing")) == Location("f.yaml", 6, 5)
    assert pos.value(("nothing",)) == Location("f.yaml", 1, 1)


def _error(text: str) -> str:
    with pytest.raises(ControlError) as caught:
        loads_located(text, "f.yaml")
    return str(caught.value)


@pytest.mark.parametrize(("text", "line"), [
    ("a: [1, 2\nb: 3\n",
     "f.yaml:2:2: invalid YAML: did not find expected ',' or ']' "
     "(while parsing a flow sequence at line 1)"),
    ("a: 1\n  b: 2\n", "f.yaml:2:4: invalid YAML: mapping values are not allowed in this context"),
    ("key: 'unterminated\n",
     "f.yaml:2:1: invalid YAML: found unexpected end of stream "
     "(while scanning a quoted scalar at line 1)"),
    ("a: 1\n---\nb: 2\n",
     "f.yaml:2:1: invalid YAML: expected a single document in the stream, "
     "but found another document"),
])
def test_malformed_yaml_is_located(text: str, line: str) -> None:
    assert _error(text) == line


def test_duplicate_keys_are_errors() -> None:
    assert _error("a: 1\nb: 2\na: 3\n") == "f.yaml:3:1: duplicate key 'a' (first at line 1)"
    assert _error("x:\n  - {k: 1, k: 2}\n") == "f.yaml:2:12: duplicate key 'k' (first at line 2)"


def test_merge_keys_are_not_duplicates_but_local_repeats_are() -> None:
    data, _ = loads_located("b: &b {x: 1}\nd:\n  <<: *b\n  x: 2\n", "f.yaml")
    assert data["d"] == {"x": 2}
    assert _error("b: &b {x: 1}\nd:\n  <<: 5\n") == \
        "f.yaml:3:7: a merge key (<<) needs a mapping or a list of mappings"


def test_unsafe_tags_are_refused() -> None:
    assert _error("a: !!python/object/apply:os.system [ls]\n") == (
        "f.yaml:1:4: unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'; "
        "only plain lists and mappings")
    assert _error("a: !!python/name:os.system x\n") == (
        "f.yaml:1:4: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'")


def test_other_constructor_failures() -> None:
    assert _error("a: &x [*x]\n") == "f.yaml:1:4: recursive alias is not supported"
    assert _error("? [1]\n: 2\n") == \
        "f.yaml:1:3: a mapping key must be a plain value, not a list or mapping"
    assert _error("a: ok\nb: \x07\n") == \
        "f.yaml:2:4: invalid YAML: control characters are not allowed"


def test_an_impossible_date_stays_text_for_the_model_to_report() -> None:
    data, positions = loads_located("a: 2026-02-30\nb: 2026-02-28\n", "f.yaml")
    assert data == {"a": "2026-02-30", "b": date(2026, 2, 28)}
    assert str(positions.value(("a",))) == "f.yaml:1:4"


def test_file_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(ControlError) as caught:
        load_located(bad)
    assert str(caught.value) == f"{bad}:2:7: file is not valid UTF-8"
    with pytest.raises(ControlError) as caught:
        load_located(tmp_path / "missing.yaml")
    assert str(caught.value) == f"{tmp_path / 'missing.yaml'}: cannot read file: " \
        "No such file or directory"
    with pytest.raises(ControlError) as caught:
        load_located(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, expected a YAML file"


def test_utf8_bom_and_file_positions(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes("\ufeffname: Zoë\nlist:\n  - x\n".encode())
    data, pos = load_located(good)
    assert data == {"name": "Zoë", "list": ["x"]}
    assert pos.value(("list", 0)) == Location(str(good), 3, 5)


def test_display_name_is_relative_inside_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_name(tmp_path / "a" / "b.yaml") == os.path.join("a", "b.yaml")
    assert display_name("/elsewhere/c.yaml") == "/elsewhere/c.yaml"


_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
_keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


@settings(max_examples=60, deadline=None)
@given(_documents, st.booleans())
def test_any_dumped_document_loads_like_safe_load(data: object, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    loaded, pos = loads_located(text, "f.yaml")
    assert loaded == yaml.safe_load(text)  # (not always == data: PyYAML folds e.g. U+0085)
    lines = text.splitlines()
    for path in _paths(loaded)[1:]:
        where = pos.value(path)
        assert pos.has(path) and 1 <= where.line <= len(lines)
        if isinstance(path[-1], str):
            key_at = pos.key(path)
            rest = lines[key_at.line - 1][key_at.column - 1:]
            assert rest.lstrip("'\"").startswith(path[-1])
