"""What the scaffold tests share: the SageMaker template's text, the key paths they look at, a
secret and a role to fill in, and reading back what was rendered."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from omkit_sagemaker import scaffold
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.scaffold import KeyPath, Options

TEMPLATE = scaffold.template_text(scaffold.SAGEMAKER)
CONNECTION: KeyPath = ("source", "serviceConnection", "config")
AWS: KeyPath = (*CONNECTION, "awsConfig")
PIPELINE: KeyPath = ("source", "sourceConfig", "config")
SECRET = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"
ROLE = "arn:aws:iam::246813579024:role/OpenMetadataSageMakerReader"
#: Marks a key that must not be in the loaded file (commented out, or never there).
ABSENT = object()


def get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return ABSENT
        data = data[part]
    return data


def prose_lines(text: str) -> list[str]:
    """Comment lines that explain (not commented-out options)."""
    out = []
    for line in text.splitlines():
        body = line.strip()
        if body.startswith("#") and not re.match(r"#\s*([A-Za-z_]\w*:(\s|$)|- )", body):
            out.append(line)
    return out


def errors(found: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in found if d.severity is Severity.ERROR]


def render_to(tmp_path: Path, options: Options) -> tuple[Path, dict[str, Any], str]:
    rendered = scaffold.render(options)
    path = tmp_path / "sm.yaml"
    path.write_text(rendered.text, encoding="utf-8")
    return path, yaml.safe_load(rendered.text), rendered.text
