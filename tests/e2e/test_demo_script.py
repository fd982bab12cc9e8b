"""The demo script `make demo` runs: it loads, and sees every command it drives."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DEMO = Path(__file__).parents[2] / "examples" / "demo.py"


def test_the_demo_sees_the_commands_it_drives() -> None:
    spec = importlib.util.spec_from_file_location("assay_demo", DEMO)
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    assert {"scan", "history", "diff", "report", "keygen", "export", "verify"} <= demo._commands()
