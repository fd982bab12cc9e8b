"""Every renderer turns the results document into bytes; nothing else."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import ClassVar

from engine.results import Results


class Renderer(ABC):
    format: ClassVar[str]
    file_name: ClassVar[str]  # the fixed name `scan` writes into --out-dir
    media_type: ClassVar[str]

    @abstractmethod
    def render(self, results: Results) -> bytes: ...


_RENDERERS: dict[str, str] = {
    "json": "reports.json_renderer:JsonRenderer",
    "sarif": "reports.sarif:SarifRenderer",
    "junit": "reports.junit:JunitRenderer",
    "markdown": "reports.markdown:MarkdownRenderer",
    "csv": "reports.csv_renderer:CsvRenderer",
    "html": "reports.html:HtmlRenderer",
    "oscal": "reports.oscal:OscalRenderer",
    "pdf": "reports.pdf:PdfRenderer",
}


def formats() -> list[str]:
    return list(_RENDERERS)


def renderer(fmt: str) -> Renderer:
    """The renderer for ``fmt``; KeyError for an unknown format."""
    module_name, _, attr = _RENDERERS[fmt].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    instance = cls()
    assert isinstance(instance, Renderer)
    return instance
