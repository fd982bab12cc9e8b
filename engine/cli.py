"""The ``assay`` command line: a thin, typed layer over the engine.

``main(argv)`` is what tests call; it returns the exit code and never lets a
traceback reach the user: an ``AssayError`` becomes one located line on stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from engine import __version__
from engine.errors import AssayError

# Command name → the module defining it (with a ``COMMANDS`` list). Modules are imported
# only when their command runs, so `assay check` does not pay for reportlab or boto3.
_COMMAND_MODULES: dict[str, str] = {
    "check": "engine.commands.check",
    "scan": "engine.commands.scan",
    "schema": "engine.commands.misc",
    "init": "engine.commands.misc",
    "waivers": "engine.commands.misc",
    "controls": "engine.commands.controls",
    "frameworks": "engine.commands.controls",
    "history": "engine.commands.history",
    "diff": "engine.commands.history",
    "merge": "engine.commands.history",
    "report": "engine.commands.report",
    "export": "engine.commands.report",
    "verify": "engine.commands.report",
    "keygen": "engine.commands.report",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        commands = importlib.import_module(module_name).COMMANDS
        found: click.Command = next(c for c in commands if c.name == cmd_name)
        return found


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assay")
def cli() -> None:
    """assay — compliance as code for SOC 2, ISO 27001, GDPR, PCI DSS and HIPAA."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run assay with ``argv``; return the exit code (0, 1, 2 or 3 — see DESIGN)."""
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


# True in the ``assay`` process, which ends when its command does (not when a test or a
# program calls ``main``): a command may then skip clean-up the exit does anyway.
PROCESS_ENDS_WITH_COMMAND = False


def entrypoint() -> None:
    global PROCESS_ENDS_WITH_COMMAND
    PROCESS_ENDS_WITH_COMMAND = True
    # assay uses no pydantic plugins; looking for them scans every installed package's
    # metadata, a fifth of a pre-merge check's start-up. Only this process is affected.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
