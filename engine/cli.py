"""The ``assay`` command line: a thin, typed layer over the engine.

``main(argv)`` is what tests call; it returns the exit code and never lets a
traceback reach the user: an ``AssayError`` becomes one located line on stderr.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from engine import __version__
from engine.errors import AssayError

# Each module defines click commands and a ``COMMANDS`` list of them.
_COMMAND_MODULES: list[str] = [
    "engine.commands.check",
    "engine.commands.scan",
    "engine.commands.misc",
    "engine.commands.controls",
    "engine.commands.history",
    "engine.commands.report",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assay")
def cli() -> None:
    """assay — compliance as code for SOC 2, ISO 27001, GDPR, PCI DSS and HIPAA."""


def _register() -> None:
    for module_name in _COMMAND_MODULES:
        module = importlib.import_module(module_name)
        for command in module.COMMANDS:
            cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run assay with ``argv``; return the exit code (0, 1, 2 or 3 — see DESIGN)."""
    if not cli.commands:
        _register()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="assay",
                 standalone_mode=False)
    except AssayError as exc:
        click.echo(str(exc), err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 2
    except ExitCode as exc:
        return exc.code
    return 0


class ExitCode(Exception):
    """Raised by a command to end with a given exit code after its output is written."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def entrypoint() -> None:
    sys.exit(main())
