"""Load catalogs, controls and waivers; every mistake becomes one located line.

Each file is read with positions (``engine.yamlloc``), validated against its
model (``engine.validation``) and then cross-checked against what it refers to
(``engine.crosscheck``): requirement IDs in the catalogs, sources in the
collector registry, declared parameters. Nothing stops at the first error: all
errors of all files are gathered and raised together as ``InputErrors``, sorted
by file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from engine.crosscheck import ControlCheck, catalog_errors
from engine.errors import ControlError, ErrorList, InputErrors, Location, display_name
from engine.library_files import (
    Library,
    PathLike,
    builtin_catalog_dir,
    catalog_files,
    control_paths,
    yaml_files,
)
from engine.model import Control, Framework, Waiver, WaiverFile
from engine.validation import validate
from engine.yamlloc import Positions, load_located

M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated file with its raw data and positions, for checks beyond the model."""

    model: M
    data: Any
    positions: Positions
    path: Path


def _load_one(path: Path, model: type[M], errors: ErrorList) -> Loaded[M] | None:
    try:
        data, positions = load_located(path)
    except ControlError as exc:
        errors.extend([exc])
        return None
    instance, problems = validate(model, data, positions)
    errors.extend(problems)
    if instance is None:
        return None
    return Loaded(instance, data, positions, path)


def load_model(path: PathLike, model: type[M]) -> M:
    """Load one YAML file into ``model``; raise ``InputErrors`` with every located error."""
    return load_model_located(path, model).model


def load_model_located(path: PathLike, model: type[M]) -> Loaded[M]:
    """Like :func:`load_model`, keeping the raw data and positions, so a caller can locate
    its own checks (``loaded.positions.value(("params", "ENC-S3-01"))``)."""
    errors = ErrorList()
    loaded = _load_one(Path(path), model, errors)
    errors.raise_if_any()
    assert loaded is not None
    return loaded


# --------------------------------------------------------------------------- files


# --------------------------------------------------------------------------- catalogs


def load_catalogs(dirs: Iterable[PathLike] | None = None) -> dict[str, Framework]:
    """Every framework catalog (``*.yaml``) in ``dirs`` (default: the shipped ones)."""
    errors = ErrorList()
    catalogs = _load_catalogs(dirs, errors)
    errors.raise_if_any()
    return catalogs


def _load_catalogs(dirs: Iterable[PathLike] | None, errors: ErrorList) -> dict[str, Framework]:
    folders = [builtin_catalog_dir()] if dirs is None else [Path(d) for d in dirs]
    for folder in folders:
        if not folder.is_dir():
            errors.add("catalog folder does not exist", Location(display_name(folder)))
    catalogs: dict[str, Framework] = {}
    first: dict[str, Location] = {}
    for path in catalog_files(folders):
        loaded = _load_one(path, Framework, errors)
        if loaded is None:
            continue
        errors.extend(catalog_errors(loaded.model, loaded.positions))
        framework = loaded.model
        where = loaded.positions.value(("id",))
        if framework.id in first:
            errors.add(f"duplicate framework id {framework.id!r} (also at {first[framework.id]})",
                       where)
            errors.add(f"duplicate framework id {framework.id!r} (also at {where})",
                       first[framework.id])
            continue
        first[framework.id] = where
        catalogs[framework.id] = framework
    return catalogs


# --------------------------------------------------------------------------- controls


def load_controls(paths: Iterable[PathLike], catalogs: dict[str, Framework], *,
                  builtin: bool) -> list[Control]:
    """Every control in ``paths`` (files or folders) plus, with ``builtin``, the shipped
    library — validated and cross-checked; ``InputErrors`` lists every mistake."""
    errors = ErrorList()
    loaded = _load_controls(paths, catalogs, builtin, errors)
    errors.raise_if_any()
    return [entry.model for entry in loaded]


def _load_controls(paths: Iterable[PathLike], catalogs: dict[str, Framework], builtin: bool,
                   errors: ErrorList) -> list[Loaded[Control]]:
    files = yaml_files(control_paths(paths, builtin=builtin), errors)
    checker = ControlCheck(catalogs)
    loaded: list[Loaded[Control]] = []
    first: dict[str, Location] = {}
    for path in files:
        try:
            data, positions = load_located(path)
        except ControlError as exc:
            errors.extend([exc])
            continue
        control, problems = validate(Control, data, positions)
        # the cross-check locates duplicate check ids; the model only knows the control
        errors.extend(p for p in problems if not p.message.startswith("duplicate check id"))
        errors.extend(checker.errors(control, data, positions, path.stem))
        if control is None:
            continue
        entry = Loaded(control, data, positions, path)
        control_id = control.id
        where = positions.value(("id",))
        if control_id in first:
            errors.add(f"duplicate control id {control_id!r} (also at {first[control_id]})",
                       where)
            errors.add(f"duplicate control id {control_id!r} (also at {where})",
                       first[control_id])
            continue
        first[control_id] = where
        loaded.append(entry)
    return sorted(loaded, key=lambda e: e.model.id)


def load_library(paths: Sequence[PathLike] = (), *, builtin: bool = True,
                 catalog_dirs: Sequence[PathLike] = ()) -> Library:
    """Catalogs (the shipped ones plus ``catalog_dirs``) and controls, all errors at once."""
    errors = ErrorList()
    dirs = [builtin_catalog_dir(), *[Path(d) for d in catalog_dirs]]
    dirs = [d for d in dirs if d.is_dir() or d != builtin_catalog_dir()]
    catalogs = _load_catalogs(dirs, errors)
    loaded = _load_controls(paths, catalogs, builtin, errors)
    errors.raise_if_any()
    return Library(catalogs, [e.model for e in loaded], {e.model.id: e.path for e in loaded},
                   catalog_files(dirs))


# --------------------------------------------------------------------------- waivers


def load_waivers(path: PathLike, controls: Iterable[Control]) -> list[Waiver]:
    """Waivers of a ``{waivers: [...]}`` file; each must name a known control and check."""
    errors = ErrorList()
    by_id = {c.id: c for c in controls}
    try:
        data, positions = load_located(path)
    except ControlError as exc:
        raise InputErrors([exc]) from None
    for i, item in enumerate(_waiver_items(data)):
        _normalize_expiry(item, ("waivers", i, "expires"), positions, errors)
    model, problems = validate(WaiverFile, data, positions)
    errors.extend(problems)
    _check_waivers(_waiver_items(data), by_id, positions, errors)
    errors.raise_if_any()
    assert model is not None
    return [w.model_copy(update={"expires": _utc(w.expires)}) for w in model.waivers]


def _waiver_items(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("waivers"), list):
        return []
    return [w if isinstance(w, dict) else {} for w in data["waivers"]]


def _normalize_expiry(item: dict[str, Any], path: tuple[Any, ...], positions: Positions,
                      errors: ErrorList) -> None:
    """A date means the end of that day (23:59:59 UTC); reject what is neither."""
    value = item.get("expires")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 \
                else datetime.fromisoformat(value)
        except ValueError:
            errors.add(f"expires: invalid date {value!r}; expected YYYY-MM-DD or an ISO 8601 "
                       "date-time", positions.value(path))
            value = datetime(1970, 1, 1, tzinfo=UTC)  # reported above; keeps the rest checkable
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59), tzinfo=UTC)
    if value is not None:
        item["expires"] = value


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _check_waivers(items: list[dict[str, Any]], controls: dict[str, Control],
                   positions: Positions, errors: ErrorList) -> None:
    """Unique ids; each names a known control and, when given, one of its checks.
    Reads the raw items so these are reported even when the model rejects the file."""
    first: dict[str, Location] = {}
    for i, item in enumerate(items):
        here = ("waivers", i)
        waiver_id = item.get("id")
        if isinstance(waiver_id, str) and waiver_id in first:
            errors.add(f"duplicate waiver id {waiver_id!r} (first at line "
                       f"{first[waiver_id].line})", positions.value((*here, "id")))
        if isinstance(waiver_id, str):
            first.setdefault(waiver_id, positions.value((*here, "id")))
        name = item.get("control")
        if not isinstance(name, str):
            continue
        control = controls.get(name)
        if control is None:
            errors.add(f"unknown control {name!r}", positions.value((*here, "control")))
            continue
        checks = [c.id for c in control.checks]
        check = item.get("check")
        if isinstance(check, str) and check not in checks:
            errors.add(f"control {control.id} has no check {check!r}; its checks: "
                       f"{', '.join(checks)}", positions.value((*here, "check")))
