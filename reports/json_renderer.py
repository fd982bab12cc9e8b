"""The results document itself, canonical bytes."""

from __future__ import annotations

from engine.results import Results
from reports.interface import Renderer


class JsonRenderer(Renderer):
    format = "json"
    file_name = "results.json"
    media_type = "application/json"

    def render(self, results: Results) -> bytes:
        return results.to_json()
