"""Every YAML example of docs/loading.md loads as the page says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from engine.loader import load_catalogs, load_controls, load_waivers

PAGE = Path(__file__).resolve().parents[2] / "docs" / "loading.md"


def _blocks() -> dict[str, str]:
    """YAML blocks of the page by the file named in their first comment line."""
    found = {}
    for block in re.findall(r"```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S):
        name = block.splitlines()[0].removeprefix("# ").strip()
        found[Path(name).name] = block
    return found


def test_the_examples_load(tmp_path: Path) -> None:
    blocks = _blocks()
    assert set(blocks) == {"EX-KMS-01.yaml", "waivers.yaml"}
    for name, text in blocks.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    controls = load_controls([tmp_path / "EX-KMS-01.yaml"], load_catalogs(), builtin=False)
    assert controls[0].frameworks == {"pci-dss": ["3.6.1"], "soc2": ["CC6.1"]}
    waivers = load_waivers(tmp_path / "waivers.yaml", controls)
    assert waivers[0].expires == datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
