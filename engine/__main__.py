"""``python -m engine`` runs the assay CLI."""

from engine.cli import entrypoint

entrypoint()
