"""A Terraform scan in parts, one per root module, each named by a digest of its inputs.

So that an unchanged repository costs little more than reading its files:

- The *layout* keeps, per scanned folder and under a digest of its files' names and
  bytes, what parsing the folder found: the local modules it calls (which decide the
  root modules), whether a file did not parse, and what parsing reported. Only the
  folders whose files changed are parsed; a root that must be evaluated again has the
  folders it needs parsed then (from the parse cache), quietly, as their reports were
  already told.
- A root's *inputs* are the folders of every module its evaluation loaded, the files
  ``file()`` and ``templatefile()`` read, its ``.tfvars`` files, ``--var-file``s and ``--var``s, and the
  requested types. Which folders and files those are is only known after evaluating
  the root, so it is kept too (the root's *manifest*); the root's key is a digest of
  their current contents. A change of any of them changes the key; a change that makes
  the root read new inputs is a change of an input it already read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import cache
from evidence.recording import Recording, replay
from evidence.terraform.files import TF_SUFFIX, tfvars_files
from evidence.terraform.scan import Root, RootResult, Scan

LAYOUT_VERSION = 2


class IncrementalScan:
    def __init__(self, scan: Scan, wanted: frozenset[str]) -> None:
        self.scan = scan
        self.wanted = wanted
        self.folder = Path()  # the parse cache's folder, known once the files are read
        self._roots: list[Root] = []
        self._folder_keys: dict[Path, str] = {}
        self._manifest_keys: dict[Path, str] = {}

    def roots(self) -> list[Root]:
        """The root modules; only folders whose files changed since the layout was kept
        are parsed."""
        self.scan.read()
        assert self.scan.cache is not None and self.scan.cache.directory is not None
        self.folder = self.scan.cache.directory
        self._note_folder_keys()
        key = cache.key_of("terraform-layout", json.dumps(self.scan.settings.paths))
        entry = cache.read(self.folder / "layout", key)
        kept: dict[str, Any] = {}
        if isinstance(entry, dict) and entry.get("version") == LAYOUT_VERSION:
            kept = entry["folders"]
        folders = [folder for folder, *_ in self.scan.pending]
        calls: dict[Path, list[Path]] = {}
        changed, layout = [], {}
        for folder in folders:
            name = self._relative(folder)
            stored = kept.get(name)
            if not isinstance(stored, dict) or stored.get("key") != self._folder_keys[folder]:
                changed.append(folder)
                continue
            layout[name] = stored
            replay(stored["effects"], self.scan.context)
            calls[folder] = [self._absolute(c) for c in stored["calls"]]
            if stored["broken"]:
                self.scan.broken.add(folder)
        recordings = {folder: Recording(self.scan.context) for folder in changed}
        self.scan.parse(changed, recordings.__getitem__)
        for folder in changed:
            calls[folder] = self.scan.calls(folder)
            layout[self._relative(folder)] = {
                "key": self._folder_keys[folder], "effects": recordings[folder].effects,
                "calls": [self._relative(c) for c in calls[folder]],
                "broken": folder in self.scan.broken}
        if changed:
            cache.write(self.folder / "layout", key,
                        {"version": LAYOUT_VERSION, "folders": layout})
        # what parsing a folder says is told above; parsing it again for a root is quiet
        self.scan.late_parse_context = Recording(self.scan.context, forward=False)
        self._roots = self.scan.roots(calls)
        return self._roots

    def evaluate(self, root: Root) -> RootResult:
        """Resolve one root, parsing the folders it needs that were not parsed yet."""
        result = self.scan.evaluate_root(root, self._roots, self.wanted)
        manifest = {"folders": sorted({self._relative(f) for f in self.scan.used_folders}),
                    "files": sorted({self._relative(f) for f in self.scan.used_files})}
        cache.write(self.folder / "manifest", self._manifest_key(root), manifest)
        return result

    def key(self, root: Root) -> Callable[[], str | None]:
        """The root's input digest, or None while its manifest is not known."""
        def digest() -> str | None:
            manifest = cache.read(self.folder / "manifest", self._manifest_key(root))
            if not isinstance(manifest, dict):
                return None
            parts = [self._manifest_key(root), str(self.scan.root_broken(root))]
            parts += [f"folder {f} {self._folder_key(self._absolute(f))}"
                      for f in manifest["folders"]]
            parts += [f"file {f} {_file_key(self._absolute(f))}" for f in manifest["files"]]
            parts += [f"tfvars {p.name} {_file_key(p)}" for p in tfvars_files(root.folder)]
            parts += [f"var-file {f} {_file_key(self.scan.resolve_path(f))}"
                      for f in self.scan.settings.var_files]
            return cache.key_of("terraform-root", "\n".join(parts))
        return digest

    # ----------------------------------------------------------------- digests

    def _note_folder_keys(self) -> None:
        for folder, *_ in self.scan.pending:
            lines = [f"{shown} {key}" for shown, key, _ in self.scan.folder_texts.get(folder, [])]
            self._folder_keys[folder] = _digest(lines + [f"broken {folder in self.scan.broken}"])

    def _folder_key(self, folder: Path) -> str:
        """The folder's .tf files and their bytes; a folder outside the scanned paths is
        read now."""
        if folder not in self._folder_keys:
            try:
                files = sorted(p for p in folder.iterdir()
                               if p.name.endswith(TF_SUFFIX) and p.is_file())
            except OSError:
                files = []
            self._folder_keys[folder] = _digest([f"{p.name} {_file_key(p)}" for p in files])
        return self._folder_keys[folder]

    def _manifest_key(self, root: Root) -> str:
        if root.folder not in self._manifest_keys:
            self._manifest_keys[root.folder] = self._manifest_key_of(root)
        return self._manifest_keys[root.folder]

    def _manifest_key_of(self, root: Root) -> str:
        settings = self.scan.settings
        return cache.key_of("terraform-manifest", json.dumps([
            self._relative(root.folder), root.label, len(self._roots) > 1, settings.paths,
            settings.var_files, sorted(settings.vars.items()), sorted(self.wanted)],
            default=str))

    # Paths in keys and entries are relative to the run's base folder, so two checkouts
    # of one repository (a pull request's and its target branch's) share the cache.

    def _relative(self, path: Path) -> str:
        return os.path.relpath(path, self.scan.context.base_dir)

    def _absolute(self, text: str) -> Path:
        return Path(os.path.normpath(os.path.join(self.scan.context.base_dir, text)))


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _file_key(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable {exc.errno}"

