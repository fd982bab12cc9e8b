"""One Terraform scan: find, read and parse the files, then evaluate every root module."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import cache
from evidence.interface import CollectContext
from evidence.terraform.cache import ParseCache, default_cache_dir
from evidence.terraform.config import ModuleConfig, ParsedFile
from evidence.terraform.files import discover, read_text, shown_path, tfvars_files
from evidence.terraform.instance import Environment, Instance, ModuleInstance
from evidence.terraform.variables import VarFileError, cli_value, convert, read_var_file


@dataclass
class Settings:
    paths: list[str]
    var_files: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    cache: bool = True
    cache_dir: str | None = None

    @classmethod
    def of(cls, config: Any) -> Settings:
        paths = config.get("paths") or ["."]
        if isinstance(paths, str):
            paths = [paths]
        return cls(
            paths=[str(p) for p in paths],
            var_files=[str(p) for p in config.get("var_files") or []],
            vars=dict(config.get("vars") or {}),
            cache=bool(config.get("cache", True)),
            cache_dir=config.get("cache_dir"),
        )


@dataclass
class Root:
    """A root module: a folder with ``.tf`` files that no other scanned folder calls."""

    folder: Path
    label: str  # how the folder is named in ids when there are several roots
    scanned: Path  # the configured path it was found under
    given: str


@dataclass
class RootResult:
    root: Root
    instances: list[Instance]
    id_prefix: str
    errors: bool = False  # a file of this root, or of a module, could not be read or parsed


class Scan:
    """Reading (``read``), parsing (``parse``) and root finding (``roots``) are separate
    steps, so ``evidence.terraform.incremental`` can parse only the folders that changed.
    A folder not parsed yet is parsed when a root's evaluation needs it."""

    def __init__(self, settings: Settings, context: CollectContext) -> None:
        self.settings = settings
        self.context = context
        self.configs: dict[Path, ModuleConfig] = {}
        self.shown: dict[Path, tuple[Path, str, bool]] = {}  # folder → (scanned root, given, abs)
        self.cache: ParseCache | None = None
        self.broken: set[Path] = set()  # folders with a file that could not be read or parsed
        self.pending: list[tuple[Path, list[Path], Path, str, bool]] = []
        # folder → its readable files: (shown name, parse-cache key, text)
        self.folder_texts: dict[Path, list[tuple[str, str, str]]] = {}
        self.parsed: set[Path] = set()
        # parsing a folder on demand reports here (None: to ``context``); the incremental
        # scan has already reported what parsing the folder says
        self.late_parse_context: CollectContext | None = None
        self.modules_broken = False  # set by roots()
        # module folders and files the evaluation of the current root read (its inputs)
        self.used_folders: set[Path] = set()
        self.used_files: set[Path] = set()

    # ----------------------------------------------------------------- loading

    def load(self) -> list[Root]:
        self.read()
        self.parse()
        return self.roots()

    def read(self) -> None:
        """Find the folders and read every file's bytes; nothing is parsed yet."""
        for given in self.settings.paths:
            path = Path(given)
            absolute = path.is_absolute()
            full = path if absolute else self.context.base_dir / path
            if not full.exists():
                self.context.error(f"{given}: no such file or directory", given)
                continue
            full = full.resolve()
            if full.is_file():
                self.pending.append((full.parent, [full], full.parent, str(Path(given).parent),
                                     absolute))
                continue
            found = discover(full)
            for problem_path, message in found.problems:
                self.context.error(message, shown_path(problem_path, full, given, absolute))
                self.broken.add(problem_path.parent.resolve())
            for json_config in found.json_configs:
                self.context.note(f"{shown_path(json_config, full, given, absolute)}: Terraform "
                                  "JSON configuration (.tf.json) is not evaluated")
            for folder, files in found.folders.items():
                self.pending.append((folder, files, full, given, absolute))
        self.cache = ParseCache(self._cache_dir(self.pending))
        self._read_files(self.pending)

    def parse(self, folders: Iterable[Path] | None = None,
              context_of: Callable[[Path], CollectContext] | None = None) -> None:
        """Parse the files of ``folders`` (default: every folder read) not parsed yet, in
        one batch; what parsing a folder reports goes to ``context_of(folder)``."""
        todo = [f for f in (self.folder_texts if folders is None else folders)
                if f in self.folder_texts and f not in self.parsed]
        assert self.cache is not None
        records = self.cache.parse_all(
            (key, text) for f in todo for _, key, text in self.folder_texts[f])
        for folder in todo:
            context = context_of(folder) if context_of is not None else self.context
            self._add_parsed(folder, records, context)
            self.parsed.add(folder)

    def calls(self, folder: Path) -> list[Path]:
        """The local module folders a (parsed) folder calls."""
        return [Path(os.path.normpath(folder / source))
                for source in self.configs[folder].local_module_sources()]

    def roots(self, calls: dict[Path, list[Path]] | None = None) -> list[Root]:
        """The scanned folders no other scanned folder calls as a module."""
        if calls is None:
            calls = {folder: self.calls(folder) for folder in self.configs}
        called = {target for targets in calls.values() for target in targets}
        roots = []
        for folder, _, scanned, given, absolute in self.pending:
            if folder in called and folder != scanned:  # a folder named by the user is a root
                continue
            label = shown_path(folder, scanned, given, absolute)
            roots.append(Root(folder, label, scanned, given))
        # fixed here, before any root's evaluation reads modules outside the scanned paths
        self.modules_broken = bool(self.broken - {r.folder for r in roots})
        return sorted(roots, key=lambda r: r.label)

    def _cache_dir(self, pending: list[tuple[Path, list[Path], Path, str, bool]]) -> Path | None:
        if not self.settings.cache or not cache.enabled():
            return None
        if self.settings.cache_dir:
            return self.context.base_dir / self.settings.cache_dir
        first = pending[0][2] if pending else self.context.base_dir
        return default_cache_dir(first)

    def _read_files(self, pending: list[tuple[Path, list[Path], Path, str, bool]]) -> None:
        assert self.cache is not None
        for folder, files, scanned, given, absolute in pending:
            self.shown[folder] = (scanned, given, absolute)
            self.configs.setdefault(folder, ModuleConfig(folder))
            for path in files:
                shown = shown_path(path, scanned, given, absolute)
                text, raw, problem = read_text(path)
                if text is None or raw is None:
                    self.context.error(problem or "cannot read", shown)
                    self.broken.add(folder)
                    continue
                self.folder_texts.setdefault(folder, []).append(
                    (shown, self.cache.key(raw), text))

    def _add_parsed(self, folder: Path, records: dict[str, tuple[Any, ...]],
                    context: CollectContext) -> None:
        texts = self.folder_texts[folder]
        # Cache hits are not counted in the results: the same inputs must give the
        # same results whether or not the parse cache was warm.
        context.count("files", len(texts))
        config = self.configs[folder]
        for shown, key, _ in texts:
            record = records[key]
            if record[0] == "error":
                _, message, line, column = record
                where = f"{shown}:{line}" if line else shown
                at = f" (line {line}, column {column})" if line else ""
                context.error(f"cannot parse {shown}{at}: {message}", where)
                context.count("parse_errors")
                self.broken.add(folder)
                continue
            config.add_file(shown, ParsedFile(record[1], record[2]))
        for what, file, line in config.duplicates:
            context.error(f"{what} is declared twice", f"{file}:{line}")
        config.duplicates.clear()

    def _parsed(self, folder: Path) -> ModuleConfig:
        if folder not in self.parsed:
            late = self.late_parse_context
            self.parse([folder], None if late is None else lambda _: late)
        return self.configs[folder]

    def load_module(self, folder: Path) -> ModuleConfig | None:
        """A called module's folder: already parsed when it sits under a scanned path."""
        self.used_folders.add(folder)
        if folder in self.configs:
            return self._parsed(folder)
        folder = folder.resolve()
        self.used_folders.add(folder)
        if folder in self.configs:
            return self._parsed(folder)
        if not folder.is_dir():
            return None
        files = sorted(p for p in folder.iterdir() if p.name.endswith(".tf") and p.is_file())
        if not files:
            return None
        scanned, given, absolute = self._nearest_shown(folder)
        self._read_files([(folder, files, scanned, given, absolute)])
        self.parse([folder])  # outside the scanned paths: an input of this root alone
        return self.configs.get(folder)

    def read_file(self, path: Path) -> tuple[str | None, bytes | None, str | None]:
        """``file()`` of a module: the file becomes an input of the root being evaluated."""
        self.used_files.add(path)
        return read_text(path)

    def _nearest_shown(self, folder: Path) -> tuple[Path, str, bool]:
        for known, shown in self.shown.items():
            if folder.is_relative_to(known):
                return shown
        first = next(iter(self.shown.values()), (self.context.base_dir, ".", False))
        return first

    # ----------------------------------------------------------------- evaluation

    def evaluate(self, roots: list[Root], wanted: frozenset[str]) -> Iterator[RootResult]:
        for root in roots:
            yield self.evaluate_root(root, roots, wanted)

    def evaluate_root(self, root: Root, roots: list[Root], wanted: frozenset[str]) -> RootResult:
        """One root module's resources; ``used_folders`` and ``used_files`` then name the
        module folders and files its evaluation read."""
        env = Environment(self.load_module, self.context.note, self.context.error,
                          self.read_file)
        self.used_folders = {root.folder}
        self.used_files = set()
        config = self._parsed(root.folder)
        prefix = f"{root.label}/" if len(roots) > 1 else ""
        instance = ModuleInstance(config, env, prefix, inputs=self._root_inputs(root, config),
                                  ancestry=())
        instances = list(instance.instances(wanted))
        return RootResult(root, instances, prefix, self.root_broken(root))

    def root_broken(self, root: Root) -> bool:
        """A file of the root, or of any scanned module folder, could not be read or parsed."""
        return root.folder in self.broken or self.modules_broken

    def _root_inputs(self, root: Root, config: ModuleConfig) -> dict[str, Any]:
        values: dict[str, Any] = {}
        files = tfvars_files(root.folder)
        files += [self.resolve_path(f) for f in self.settings.var_files]
        for path in files:
            try:
                values.update(read_var_file(path, self.cache.parse_one if self.cache else None))
            except VarFileError as exc:
                shown = os.path.relpath(path, self.context.base_dir)
                where = f"{shown}:{exc.line}" if exc.line else shown
                self.context.error(f"variables file {shown}: {exc}", where)
        for name, raw in self.settings.vars.items():
            values[name] = cli_value(raw, config, name)
        return {name: convert(value, config, name) for name, value in values.items()}

    def resolve_path(self, given: str) -> Path:
        """A path of the settings, relative to the run's base folder."""
        path = Path(given)
        return path if path.is_absolute() else self.context.base_dir / path
