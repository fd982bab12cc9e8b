"""History read from the evidence locker's runs: trends, first-failed-at, diffs.

The locker is the source of truth, so a nightly job on a fresh runner needs only
the bucket. A local SQLite file (stdlib) caches a small summary of each run; it
is brought up to date against ``list_runs()`` on every use and rebuilt from the
locker when missing or unreadable.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from engine.cache import user_cache_dir
from engine.errors import AssayError

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, summary TEXT NOT NULL
);
"""


class RunSource(Protocol):
    """What history needs of a locker."""

    spec: str

    def list_runs(self) -> list[str]: ...

    def read_run(self, run_id: str) -> bytes: ...


@dataclass(frozen=True)
class RunSummary:
    """What history keeps of one run: enough for trends without re-reading results."""

    run_id: str
    as_of: datetime
    started: datetime
    complete: bool
    group_id: str | None
    shard: dict[str, list[str]] | None
    manifest_sha256: str | None
    summary: dict[str, int]  # finding status → count
    frameworks: dict[str, dict[str, int]]  # framework → requirement status → count
    controls: dict[str, str]  # control id → status

    @property
    def night(self) -> str:
        return self.as_of.date().isoformat()

    def to_json(self) -> str:
        data = {
            "run_id": self.run_id, "as_of": self.as_of.isoformat(),
            "started": self.started.isoformat(), "complete": self.complete,
            "group_id": self.group_id, "shard": self.shard,
            "manifest_sha256": self.manifest_sha256, "summary": self.summary,
            "frameworks": self.frameworks, "controls": self.controls,
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunSummary:
        data = json.loads(text)
        return cls(
            run_id=data["run_id"], as_of=datetime.fromisoformat(data["as_of"]),
            started=datetime.fromisoformat(data["started"]), complete=data["complete"],
            group_id=data.get("group_id"), shard=data.get("shard"),
            manifest_sha256=data.get("manifest_sha256"), summary=data["summary"],
            frameworks=data["frameworks"], controls=data["controls"],
        )

    @classmethod
    def of_results(cls, run_id: str, results: dict[str, Any]) -> RunSummary:
        """Summarise a results document (read as plain JSON, tolerant of added fields)."""
        run = results["run"]
        return cls(
            run_id=run_id, as_of=datetime.fromisoformat(run["as_of"]),
            started=datetime.fromisoformat(run["started"]), complete=bool(run["complete"]),
            group_id=run.get("group_id"), shard=run.get("shard"),
            manifest_sha256=run.get("manifest_sha256"),
            summary={k: int(v) for k, v in results.get("summary", {}).items()},
            frameworks={f["id"]: {k: int(v) for k, v in f.get("summary", {}).items()}
                        for f in results.get("frameworks", [])},
            controls={c["id"]: c["status"] for c in results.get("controls", [])},
        )


def default_cache_path(spec: str) -> Path:
    """Per-locker cache file under ``$ASSAY_CACHE_DIR`` or the user's cache folder."""
    key = hashlib.sha256(spec.encode()).hexdigest()[:16]
    return user_cache_dir() / f"history-{key}.sqlite"


class History:
    """The runs of one locker, oldest first, with a SQLite cache beside it."""

    def __init__(self, locker: RunSource, cache: Path | None = None) -> None:
        self.locker = locker
        root = getattr(locker, "root", None)  # a local locker: its absolute folder, not ".assay"
        key = str(Path(root).resolve()) if root is not None else locker.spec
        self.cache = cache if cache is not None else default_cache_path(key)

    def runs(self) -> list[RunSummary]:
        """Every complete-in-the-locker run, ordered by as-of time then id."""
        ids = self.locker.list_runs()
        cached = self._load_cache()
        fresh = [self._summarise(run_id) for run_id in ids if run_id not in cached]
        if fresh or set(cached) - set(ids):
            self._save_cache(fresh, removed=set(cached) - set(ids))
        found = {**{k: v for k, v in cached.items() if k in ids}, **{s.run_id: s for s in fresh}}
        return sorted(found.values(), key=lambda s: (s.as_of, s.run_id))

    def _summarise(self, run_id: str) -> RunSummary:
        data = self.locker.read_run(run_id)
        try:
            return RunSummary.of_results(run_id, json.loads(data))
        except (ValueError, KeyError, TypeError) as exc:
            raise AssayError(f"{self.locker.spec}: run {run_id}: results.json is not a "
                             f"results document: {exc}") from None

    def _connect(self) -> sqlite3.Connection | None:
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.cache, timeout=10)
            conn.executescript(_SCHEMA)
            version = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if version is None or version[0] != str(_SCHEMA_VERSION):
                conn.execute("DELETE FROM runs")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)",
                             (str(_SCHEMA_VERSION),))
                conn.commit()
            return conn
        except (OSError, sqlite3.Error):
            self._discard_cache()
            return None

    def _discard_cache(self) -> None:
        try:
            self.cache.unlink(missing_ok=True)
        except OSError:
            pass

    def _load_cache(self) -> dict[str, RunSummary]:
        conn = self._connect()
        if conn is None:
            return {}
        try:
            rows = conn.execute("SELECT run_id, summary FROM runs").fetchall()
            return {run_id: RunSummary.from_json(text) for run_id, text in rows}
        except (sqlite3.Error, ValueError, KeyError):
            conn.close()
            self._discard_cache()  # a broken cache is rebuilt from the locker
            return {}
        finally:
            conn.close()

    def _save_cache(self, fresh: Sequence[RunSummary], removed: Iterable[str]) -> None:
        conn = self._connect()
        if conn is None:
            return  # the cache is an optimisation; history works without it
        try:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO runs VALUES (?, ?)",
                                 [(s.run_id, s.to_json()) for s in fresh])
                conn.executemany("DELETE FROM runs WHERE run_id = ?", [(r,) for r in removed])
        except sqlite3.Error:
            self._discard_cache()
        finally:
            conn.close()


# --------------------------------------------------------------------------- views


def nightly(runs: Sequence[RunSummary]) -> list[RunSummary]:
    """One run per night: the last whole run (a shard counts only if nothing else ran)."""
    by_night: dict[str, list[RunSummary]] = {}
    for run in runs:
        by_night.setdefault(run.night, []).append(run)
    chosen = []
    for night in sorted(by_night):
        whole = [r for r in by_night[night] if not r.shard]
        chosen.append((whole or by_night[night])[-1])
    return chosen


@dataclass(frozen=True)
class ControlHistory:
    control_id: str
    statuses: list[tuple[RunSummary, str | None]]  # None: the control was not in that run
    first_failed_at: datetime | None  # start of the current failing streak
    days_failing: int

    @property
    def failing(self) -> bool:
        return self.first_failed_at is not None


_NOT_EVIDENCE = (None, "error", "unknown", "not_collected")


def control_history(runs: Sequence[RunSummary], control_id: str) -> ControlHistory:
    statuses = [(run, run.controls.get(control_id)) for run in runs]
    streak_start: datetime | None = None
    for run, status in statuses:
        if status == "fail":
            streak_start = streak_start or run.as_of
        elif status not in _NOT_EVIDENCE:  # a broken night does not show it was fixed
            streak_start = None
    days = 0
    if streak_start is not None and statuses:
        days = (statuses[-1][0].as_of.date() - streak_start.date()).days + 1
    return ControlHistory(control_id, statuses, streak_start, days)


def trend(runs: Sequence[RunSummary], last: int = 30) -> dict[str, list[tuple[str, int, int]]]:
    """Per framework: (night, satisfied, requirements) over the last ``last`` nights."""
    series: dict[str, list[tuple[str, int, int]]] = {}
    for run in nightly(runs)[-last:]:
        for framework, counts in sorted(run.frameworks.items()):
            total = sum(v for k, v in counts.items() if k not in ("not_applicable",))
            series.setdefault(framework, []).append(
                (run.night, counts.get("satisfied", 0), total))
    return series


# --------------------------------------------------------------------------- diff

FindingKey = tuple[str, str, str]  # control, check, resource id


@dataclass(frozen=True)
class RunDiff:
    new: list[dict[str, Any]]  # failing in B, not failing in A
    fixed: list[dict[str, Any]]  # failing in A, not failing in B (as they were in A)
    still: list[dict[str, Any]]  # failing in both (as they are in B)

    def to_dict(self) -> dict[str, Any]:
        return {"new": self.new, "fixed": self.fixed, "still_failing": self.still}


def _key(finding: dict[str, Any]) -> FindingKey:
    resource = finding["resource"]
    rid = str(resource["id"])
    if resource.get("type") == "gap":
        # A gap still open tonight ends at tonight's as-of: the same gap, by its start.
        rid = rid.split("..")[0] + ".."
    return finding["control_id"], finding["check_id"], rid


def _failing(results: dict[str, Any]) -> dict[FindingKey, dict[str, Any]]:
    return {_key(f): f for f in results.get("findings", []) if f.get("status") == "fail"}


def diff_runs(a: dict[str, Any], b: dict[str, Any]) -> RunDiff:
    """Failures new in ``b``, fixed since ``a`` and still failing, keyed by
    (control, check, resource); waived findings are not failures."""
    before, after = _failing(a), _failing(b)
    return RunDiff(
        new=[after[k] for k in sorted(after.keys() - before.keys())],
        fixed=[before[k] for k in sorted(before.keys() - after.keys())],
        still=[after[k] for k in sorted(after.keys() & before.keys())],
    )
