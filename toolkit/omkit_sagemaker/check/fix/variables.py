"""The environment variables the unsafe secret fixes name: which one each fix writes, and how
it is explained once made. Within one file, two different secrets never share a variable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from omkit_sagemaker.check.fix.model import Fix, secret_explanation


@dataclass(frozen=True)
class How:
    """What a plan may do: ``migrate`` (the S010 fixes), ``unsafe`` (the fixes not declared
    safe), and ``names``: the environment variable to write instead of the one a fix names
    (``{"AWS_SECRET_ACCESS_KEY": "PROD_AWS_SECRET_ACCESS_KEY"}``)."""

    migrate: bool = False
    unsafe: bool = False
    names: Mapping[str, str] = field(default_factory=dict)


def named(fix: Fix, how: How, claimed: dict[str, str]) -> Fix:
    """``fix`` with the variable ``how.names`` gives it, numbered (``NAME_2``) when the file
    already names another secret so."""
    if fix.variable is None:
        return fix
    base = how.names.get(fix.variable, fix.variable)
    name, number = base, 2
    while claimed.get(name, fix.old) != fix.old:
        name, number = f"{base}_{number}", number + 1
    claimed[name] = fix.old
    if name == fix.variable:
        return fix
    return fix.with_variable(name, fix.explanation.replace(f"${{{fix.variable}}}", f"${{{name}}}"))


def told(fix: Fix, text: str) -> Fix:
    """``fix`` explained truthfully once made: a replaced secret whose text is still in the
    file (a copy in a comment) is not said to be gone."""
    if not fix.secret or fix.variable is None or fix.kind != "value":
        return fix
    try:
        value = yaml.safe_load(fix.old)
    except yaml.YAMLError:
        value = None
    value = value if isinstance(value, str) and len(value) >= 4 else fix.old.strip("'\"")
    copies = [n for n, line in enumerate(text.splitlines(), 1) if value and value in line]
    key = str(fix.path[-1])
    return fix.with_variable(fix.variable, secret_explanation(key, fix.variable, copies))
