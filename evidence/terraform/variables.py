"""Root module variable values, in Terraform's order: defaults, ``terraform.tfvars``,
``*.auto.tfvars``, ``-var-file`` files, then ``-var`` — a later source wins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.values import Unknown
from evidence.terraform.config import ModuleConfig
from evidence.terraform.expressions import EvalError, Evaluator
from evidence.terraform.files import read_text
from evidence.terraform.hcl import HclSyntaxError, parse_expression, parse_text


class _NoNames:
    """Resolver for tfvars files: literal values only, no references."""

    def _refuse(self, *args: Any) -> Any:
        raise EvalError("a variables file can only hold literal values")

    variable = local = module_output = path = read_file = _refuse

    def resource(self, type_name: str, name: str) -> Any:
        return self._refuse()

    def is_resource_type(self, name: str) -> bool:
        return False


LITERAL = Evaluator(_NoNames())


class VarFileError(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


Parse = Callable[[bytes, str], tuple[Any, ...]]  # (raw, text) → a parse cache record


def read_var_file(path: Path, parse: Parse | None = None) -> dict[str, Any]:
    """Values in a ``.tfvars`` (HCL) or ``.tfvars.json`` file; VarFileError when unusable."""
    text, raw, problem = read_text(path)
    if text is None or raw is None:
        raise VarFileError(problem or "cannot read")
    if path.name.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise VarFileError(f"invalid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise VarFileError("a JSON variables file must hold an object")
        return data
    if parse is not None:
        record = parse(raw, text)
        if record[0] == "error":
            raise VarFileError(f"cannot parse: {record[1]}", record[2])
        attrs = record[1][0]
    else:
        try:
            attrs, _ = parse_text(text)
        except HclSyntaxError as exc:
            raise VarFileError(f"cannot parse: {exc}", exc.line) from None
    return {name: LITERAL.value(expr) for name, (expr, _) in attrs.items()}


def cli_value(raw: Any, config: ModuleConfig, name: str) -> Any:
    """A ``-var k=v`` value: a string for string variables, else parsed as HCL like Terraform."""
    if not isinstance(raw, str):
        return raw
    declared = config.variables.get(name)
    type_expr = declared.body[0].get("type") if declared else None
    if type_expr is None or (type_expr[0][0] == "name" and type_expr[0][1] == "string"):
        return raw
    try:
        value = LITERAL.value(parse_expression(raw))
    except HclSyntaxError:
        return raw
    return raw if isinstance(value, Unknown) else value


def convert(value: Any, config: ModuleConfig, name: str) -> Any:
    """Convert a value to its variable's primitive type (``"true"`` for a bool, ``"3"`` for a number)."""
    declared = config.variables.get(name)
    type_expr = declared.body[0].get("type") if declared else None
    if type_expr is None or type_expr[0][0] != "name" or not isinstance(value, str):
        return value
    kind = type_expr[0][1]
    if kind == "bool" and value in ("true", "false"):
        return value == "true"
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value
