"""CLI commands, one module per command group; ``engine.cli`` registers them."""
