"""Rules about ``$VAR`` references (R020): a variable that is not set stays in the value as
literal text, because ``metadata ingest`` leaves unknown references as they are."""

from __future__ import annotations

from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.fastcheck import SECRET_KEYS, STRICT_KEYS
from omkit_sagemaker.check.loader import Document, Position
from omkit_sagemaker.check.rules.reading import _ENV
from omkit_sagemaker.check.rules.registry import Finding, rule
from omkit_sagemaker.check.versions import Version

#: Keys whose value picks the AWS identity or region: a literal ``${NAME}`` there never works.
_CREDENTIALS = frozenset(
    {"awsAccessKeyId", "awsRegion", "profileName", "assumeRoleArn", "assumeRoleSessionName"}
)


def _strict(key: object) -> bool:
    """True when a literal ``${NAME}`` in the value of ``key`` makes the run fail."""
    if not isinstance(key, str):
        return False
    return key in SECRET_KEYS or key in STRICT_KEYS or key in _CREDENTIALS


@rule(
    "R020",
    "unset-variable",
    Severity.ERROR,
    "a value names an environment variable ($NAME or ${NAME}) that is not set, so the runner "
    "uses the reference as literal text (an error for secrets, credentials, URLs and fixed "
    "choices; a warning elsewhere)",
    hint="set the variable before running omkit or metadata ingest, or write the value itself",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OMKIT_EXAMPLE_UNSET_TOKEN}
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
    for path, scalar in document.scalars.items():
        if "$" not in scalar.written:
            continue
        start = document.position(path)
        for match in _ENV.finditer(scalar.written):
            name = match.group(1).strip("{}")
            if name not in unset:
                continue
            before = scalar.written[: match.start()]
            line = start.line + before.count("\n")
            column = (
                start.column + match.start()
                if "\n" not in before
                else match.start() - before.rfind("\n")
            )
            key = next((p for p in reversed(path) if isinstance(p, str)), "the value")
            strict = _strict(path[-1] if path else None)
            effect = "the run fails" if strict else "the value is used as written"
            yield Finding(
                path,
                f"{key}: the environment variable {name} is not set, so metadata ingest keeps "
                f"'{match.group()}' as literal text and {effect}",
                hint=f"set it before the run (export {name}=...); --no-env checks the file "
                "as written",
                position=Position(line, column),
                severity=Severity.ERROR if strict else Severity.WARNING,
            )
