"""assay engine: models, loader, condition language, evaluator and CLI."""

__version__ = "0.1.0"
