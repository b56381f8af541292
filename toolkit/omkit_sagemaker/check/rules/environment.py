"""Rules about ``$VAR`` references (R020): a variable that is not set stays in the value as
literal text, because ``metadata ingest`` leaves unknown references as they are.

R020 follows what the runner then does with the text: an error where its parser rejects it
(booleans, numbers, fixed choices, URLs), a warning where it accepts it and only the run fails
later (keys, secrets, names). A command that is about to run (``omkit run``, ``omkit
test-connection``) names itself with :func:`before_run`: every unset reference is then an error,
so it stops before any network call, and the hint does not offer ``--no-env``, which it lacks."""

from __future__ import annotations

from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.generated.fastcheck import STRICT_KEYS
from omkit_sagemaker.check.loader import DataPath, Document, Position
from omkit_sagemaker.check.rules.reading import ENV_REFERENCE
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version

#: The command about to run the config ("run", "test-connection"); None for ``omkit validate``.
#: A process-wide setting (one command per process), seen by the threads of a multi-run too.
_COMMAND: list[str | None] = [None]


def before_run(command: str | None) -> None:
    """Check for ``command`` ("run", "test-connection"), which runs the config next; None: for
    ``omkit validate`` (the default)."""
    _COMMAND[0] = command


def _strict(key: object) -> bool:
    """True when the runner's parser rejects a literal ``${NAME}`` as the value of ``key``."""
    return isinstance(key, str) and key in STRICT_KEYS


@rule(
    "R020",
    "unset-variable",
    Severity.ERROR,
    "a value names an environment variable ($NAME or ${NAME}) that is not set, so the runner "
    "uses the reference as literal text (an error where its parser rejects that text: booleans, "
    "numbers, fixed choices, URLs; a warning where the run only fails later: keys, secrets, "
    "names; always an error for omkit run and test-connection)",
    hint="set the variable before running omkit or metadata ingest, or write the value itself",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: ${OMKIT_EXAMPLE_UNSET_HOST}
        """,
    good="""
        workflowConfig:
          loggerLevel: INFO
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
        """,
    replaces=("S003", "S004", "S005", "S006", "S007", "S008"),
)
def _unset_variable(document: Document, target: Version) -> Iterator[Finding]:
    expansion = document.expansion
    if expansion is None or not expansion.unset_names():
        return  # --no-env, or every reference was set
    unset = set(expansion.unset_names())
    command = _COMMAND[0]
    for path, scalar in document.scalars.items():
        if "$" not in scalar.written:
            continue
        start = None  # found when needed: most references are set
        for match in ENV_REFERENCE.finditer(scalar.written):
            name = match.group(1).strip("{}")
            if name not in unset:
                continue
            start = start or document.position(path)
            before = scalar.written[: match.start()]
            line = start.line + before.count("\n")
            column = (
                start.column + match.start()
                if "\n" not in before
                else match.start() - before.rfind("\n")
            )
            yield _finding(path, name, match.group(), Position(line, column), command)


def _finding(
    path: DataPath, name: str, written: str, where: Position, command: str | None
) -> Finding:
    key = next((p for p in reversed(path) if isinstance(p, str)), "the value")
    strict = _strict(path[-1] if path else None)
    effect = (
        "the runner's parser rejects it" if strict else "the run uses it as written and fails later"
    )
    variable = (
        f"the environment variable {name} is not set" if name else f"'{written}' names no variable"
    )
    if name:
        hint = f"set it before the run (export {name}=...)"
    else:
        hint = "write the variable's name between the braces, or the value itself"
    if command is None:
        hint += "; --no-env checks the file as written"
    return Finding(
        path,
        f"{key}: {variable}, so metadata ingest keeps '{written}' as literal text and {effect}",
        hint=hint,
        position=where,
        severity=Severity.ERROR if strict or command is not None else Severity.WARNING,
    )
