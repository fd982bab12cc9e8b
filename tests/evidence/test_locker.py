"""The local evidence locker: layout, atomicity, concurrency and faults."""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from engine.errors import AssayError
from evidence.locker import LocalLocker, LockerError, open_locker, sha256_hex

REPO = Path(__file__).resolve().parents[2]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_objects_are_gzip_named_by_the_hash_of_the_uncompressed_bytes(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path / "lk")
    data = b'{"Buckets": []}\n' * 50
    sha = _sha(data)
    locker.put_object(sha, data)
    stored = tmp_path / "lk" / "objects" / sha[:2] / sha
    assert gzip.decompress(stored.read_bytes()) == data
    assert len(stored.read_bytes()) < len(data)
    assert locker.get_object(sha) == data
    assert locker.has_object(sha)
    assert not locker.has_object(_sha(b"other"))


def test_identical_evidence_is_stored_once(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    data = b"same evidence every night"
    locker.put_object(_sha(data), data)
    path = tmp_path / "objects" / _sha(data)[:2] / _sha(data)
    os.utime(path, (1, 1))
    locker.put_object(_sha(data), data)
    assert path.stat().st_mtime == 1  # not rewritten
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == [path]


def test_object_whose_bytes_do_not_match_its_name_is_refused(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    with pytest.raises(LockerError, match="does not match"):
        locker.put_object(_sha(b"a"), b"b")
    with pytest.raises(LockerError, match="invalid object id"):
        locker.put_object("../../etc/passwd", b"b")


def test_altered_object_is_detected_on_read(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    sha = _sha(b"original")
    locker.put_object(sha, b"original")
    (tmp_path / "objects" / sha[:2] / sha).write_bytes(gzip.compress(b"altered"))
    with pytest.raises(LockerError, match="does not match its hash"):
        locker.get_object(sha)


def test_run_round_trip_and_manifest_binds_results(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    results = b'{"run": {"id": "r1"}}\n'
    manifest = {"run_id": "r1", "artifacts": {"a.json": "0" * 64}, "library": "1" * 64}
    digest = locker.write_run("r1", results, manifest)
    stored = (tmp_path / "runs" / "r1" / "manifest.json").read_bytes()
    assert digest == sha256_hex(stored)
    assert json.loads(stored)["results_sha256"] == _sha(results)
    assert locker.list_runs() == ["r1"]
    assert locker.read_run("r1") == results
    assert locker.read_manifest("r1")["library"] == "1" * 64


def test_a_run_id_is_written_once(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    locker.write_run("r1", b"{}", {})
    with pytest.raises(LockerError, match="already exists"):
        locker.write_run("r1", b'{"other": 1}', {})
    assert locker.read_run("r1") == b"{}"


def test_altered_results_are_detected(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    locker.write_run("r1", b'{"complete": true}', {})
    (tmp_path / "runs" / "r1" / "results.json").write_bytes(b'{"complete": false}')
    with pytest.raises(LockerError, match="does not match") as info:
        locker.read_run("r1")
    assert info.value.exit_code == 3


def test_missing_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LockerError, match="has no run nope"):
        LocalLocker(tmp_path).read_run("nope")
    with pytest.raises(LockerError, match="invalid run id"):
        LocalLocker(tmp_path).read_run("../x")


_KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from evidence import locker as lk
    real_place = lk.LocalLocker._place
    def place(self, data, dest, *, exclusive):
        if dest.name == "manifest.json":
            os.kill(os.getpid(), signal.SIGKILL)   # killed between results and manifest
        return real_place(self, data, dest, exclusive=exclusive)
    lk.LocalLocker._place = place
    lk.LocalLocker(Path(sys.argv[1])).write_run("killed", b"{}", {})
""")


def test_a_killed_write_leaves_no_half_run_and_the_next_scan_works(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path)
    locker.write_run("before", b"{}", {})
    proc = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)], cwd=REPO,
                          capture_output=True, check=False)
    assert proc.returncode == -9
    assert (tmp_path / "runs" / "killed" / "results.json").exists()  # the kill landed mid-run
    assert locker.list_runs() == ["before"]
    with pytest.raises(LockerError):
        locker.read_run("killed")
    locker.write_run("after", b"{}", {})
    assert locker.list_runs() == ["after", "before"]


def _scan(root: str, name: str, n: int) -> None:
    locker = LocalLocker(Path(root))
    for i in range(n):
        shared = f"shared evidence {i}".encode()
        locker.put_object(_sha(shared), shared)
        own = f"{name} evidence {i}".encode()
        locker.put_object(_sha(own), own)
    locker.write_run(name, json.dumps({"run": name}).encode(), {"scan": name})


def test_two_concurrent_scans_do_not_corrupt_the_locker(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_scan, args=(str(tmp_path), name, 200)) for name in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    locker = LocalLocker(tmp_path)
    assert locker.list_runs() == ["a", "b"]
    for i in range(200):
        for text in (f"shared evidence {i}", f"a evidence {i}", f"b evidence {i}"):
            assert locker.get_object(_sha(text.encode())) == text.encode()
    assert len(list((tmp_path / "objects").rglob("*/*"))) == 600
    assert list((tmp_path / "tmp").iterdir()) == []


def test_full_disk_gives_one_clear_error_and_leaves_the_locker_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locker = LocalLocker(tmp_path)
    locker.write_run("earlier", b"{}", {})
    before = _snapshot(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(AssayError, match="no space left on device") as info:
        locker.put_object(_sha(b"x"), b"x")
    assert info.value.exit_code == 3
    with pytest.raises(AssayError, match="no space left on device"):
        locker.write_run("r2", b"{}", {})
    assert _snapshot(tmp_path) == before
    assert locker.list_runs() == ["earlier"]


_UNWRITABLE = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from engine.errors import AssayError
    from evidence.locker import open_locker
    if os.geteuid() == 0:
        os.setgid(65534); os.setuid(65534)   # root writes anywhere; test as an ordinary user
    locker = open_locker(sys.argv[1], Path("/"), {})
    try:
        locker.ensure_writable()
    except AssayError as exc:
        print(exc); sys.exit(exc.exit_code)
    try:
        locker.put_object("{sha}", b"x")
    except AssayError as exc:
        print(exc); sys.exit(exc.exit_code)
""").replace("{sha}", hashlib.sha256(b"x").hexdigest())


def test_locker_folder_without_write_permission() -> None:
    # Not under tmp_path: pytest makes its base folder private to the user running it.
    tmp_path = Path(tempfile.mkdtemp(prefix="assay-ro-"))
    root = tmp_path / "locker"
    LocalLocker(root).write_run("r1", b"{}", {})
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    tmp_path.chmod(0o755)
    before = _snapshot(root)
    proc = subprocess.run([sys.executable, "-c", _UNWRITABLE, str(root)], cwd=REPO,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755)
    after = _snapshot(root)
    shutil.rmtree(tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.strip() == f"evidence locker {root}: cannot write: permission denied"
    assert after == before


def test_open_locker_resolves_folders_against_the_config_folder(tmp_path: Path) -> None:
    locker = open_locker(".assay", tmp_path, {})
    assert isinstance(locker, LocalLocker)
    assert locker.root == tmp_path / ".assay"
    assert open_locker(str(tmp_path / "abs"), Path("/elsewhere"), {}).root == tmp_path / "abs"
    with pytest.raises(LockerError, match="expected a folder or s3://"):
        open_locker("gs://bucket/x", tmp_path, {})
    (tmp_path / "file").write_text("x")
    with pytest.raises(LockerError, match="is not a folder"):
        open_locker("file", tmp_path, {})
