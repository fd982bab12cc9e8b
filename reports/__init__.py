"""Renderers of the results document, and the evidence bundle."""
