"""docs/library.md: its YAML example is a valid configuration and it lists every parameter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from engine.config import Config
from engine.loader import load_library
from engine.run import effective_params

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def yaml_examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_params_example_configures_real_parameters() -> None:
    examples = yaml_examples()
    assert examples
    library = load_library()
    for text in examples:
        config = Config.model_validate(yaml.safe_load(text))
        for control_id, values in config.params.items():
            control = library.control(control_id)
            assert control is not None, control_id
            resolved = effective_params(control, config.params)
            assert {k: resolved[k] for k in values} == values


def test_every_parameter_is_documented_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    for control in load_library().controls:
        for name, param in control.params.items():
            line = f"- **{control.id}** `{name}` — default `{json.dumps(param.default)}`."
            assert line in text, f"docs/library.md lacks {control.id} {name}"
