"""The cache helpers and the validated-library cache: hits, misses, and what is never cached."""

from __future__ import annotations

import shutil

import pytest

from engine import cache, loader
from engine.errors import InputErrors
from engine.library_cache import load_library_cached
from engine.library_files import builtin_library_dir

CONTROL = """\
id: T-01
title: {title}
objective: Something holds.
severity: high
frameworks: {{soc2: [CC6.1]}}
checks:
  - id: tf
    source: terraform
    resource: aws_kms_key
    assert: {{path: enable_key_rotation, eq: true}}
    remediation: Set it.
"""


def test_keys_depend_on_every_part_and_its_boundaries():
    assert cache.key_of("a", "b") == cache.key_of("a", "b")
    assert cache.key_of("a", "b") != cache.key_of("b", "a")
    assert cache.key_of("ab", "") != cache.key_of("a", "b")  # lengths are part of the key


def test_entries_round_trip_and_a_corrupt_one_is_a_miss(tmp_path):
    key = cache.key_of("x")
    cache.write(tmp_path, key, {"a": [1, "two", None]})
    assert cache.read(tmp_path, key) == {"a": [1, "two", None]}
    (tmp_path / key[:2] / key).write_bytes(b"\x00not marshal")
    assert cache.read(tmp_path, key) is None
    assert cache.read(tmp_path, cache.key_of("y")) is None


def test_a_cache_that_cannot_be_written_only_costs_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache.write(blocker / "below", cache.key_of("x"), {"a": 1})  # no exception
    assert cache.read(blocker / "below", cache.key_of("x")) is None


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that had to read, validate and cross-check the files."""
    calls: list[int] = []
    real = loader.load_library

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load_library", counting)
    return calls


def test_the_second_load_is_served_from_the_cache_and_equal(loads):
    first = load_library_cached()
    second = load_library_cached()
    assert len(loads) == 1
    assert second.controls == first.controls and second.catalogs == first.catalogs
    assert second.files == first.files and second.catalog_paths == first.catalog_paths
    assert len(second.controls) == len(list(builtin_library_dir().rglob("*.yaml")))


def test_an_edited_control_is_read_again(tmp_path, loads):
    control = tmp_path / "T-01.yaml"
    control.write_text(CONTROL.format(title="Keys rotate"))
    assert load_library_cached([tmp_path], builtin=False).controls[0].title == "Keys rotate"
    control.write_text(CONTROL.format(title="Keys rotate yearly"))
    assert load_library_cached([tmp_path], builtin=False).controls[0].title == "Keys rotate yearly"
    assert len(loads) == 2
    load_library_cached([tmp_path], builtin=False)
    assert len(loads) == 2


def test_an_invalid_library_is_never_cached(tmp_path, loads):
    (tmp_path / "T-01.yaml").write_text(CONTROL.format(title="x").replace("high", "severe"))
    for _ in range(2):
        with pytest.raises(InputErrors) as raised:
            load_library_cached([tmp_path], builtin=False)
        assert "T-01.yaml:4:" in str(raised.value.errors[0])
    assert len(loads) == 2


def test_a_missing_path_is_reported_by_the_loader(tmp_path, loads):
    with pytest.raises(InputErrors, match="no such file or folder"):
        load_library_cached([tmp_path / "absent"], builtin=False)


def test_assay_no_cache_reads_the_files_every_time(tmp_path, loads, monkeypatch):
    shutil.copytree(builtin_library_dir() / "encryption", tmp_path / "encryption")
    monkeypatch.setenv("ASSAY_NO_CACHE", "1")
    load_library_cached([tmp_path], builtin=False)
    load_library_cached([tmp_path], builtin=False)
    assert len(loads) == 2


def test_entries_unused_for_a_month_are_pruned_once_a_day(tmp_path):
    import os
    import time

    old, fresh, used = (cache.key_of(name) for name in ("old", "fresh", "used"))
    for key in (old, fresh, used):
        cache.write(tmp_path, key, {"k": key})
    month_ago = time.time() - (cache.UNUSED_DAYS + 1) * cache.DAY
    for key in (old, used):
        os.utime(tmp_path / key[:2] / key, (month_ago, month_ago))
    assert cache.read(tmp_path, used) == {"k": used}  # reading marks it used
    (tmp_path / cache.PRUNED_STAMP).unlink()  # the writes above pruned today already
    assert cache.prune(tmp_path) == 1
    assert cache.read(tmp_path, old) is None
    assert cache.read(tmp_path, fresh) == {"k": fresh} and cache.read(tmp_path, used)
    assert cache.prune(tmp_path, now=time.time() + 3600) == 0  # not twice a day


def test_the_cache_folder_without_a_home(tmp_path, monkeypatch):
    for name in ("ASSAY_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("pathlib.Path.home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    monkeypatch.chdir(tmp_path)
    assert cache.user_cache_dir() == tmp_path / ".assay" / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.user_cache_dir() == tmp_path / "xdg" / "assay"
    monkeypatch.setenv("ASSAY_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.user_cache_dir() == tmp_path / "mine"
