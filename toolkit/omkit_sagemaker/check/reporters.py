"""Turn diagnostics into the text omkit prints: for people, for scripts, for CI.

Four formats:

``text``
    One line per problem (``file:line:column: severity code message``) and a summary line,
    optionally coloured with hand-written ANSI escape codes.
``json``
    One JSON document with a summary, a per-file verdict and every diagnostic.
``sarif``
    A SARIF 2.1.0 log, for code-scanning dashboards (GitHub code scanning and others).
``github``
    GitHub Actions workflow commands, which show up as annotations on the changed lines.

This module sits on the hot path of the pre-commit hook, so it imports only the standard
library and :mod:`omkit_sagemaker.base.diagnostics`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, TextIO
from urllib.parse import quote

from omkit_sagemaker.base.diagnostics import CODES, Diagnostic, Severity
from omkit_sagemaker.base.version import __version__

__all__ = ["FORMATS", "render", "use_color"]

#: The output formats :func:`render` understands, default first.
FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")

TOOL_NAME = "omkit"
INFORMATION_URI = "https://github.com/omkit/omkit"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
JSON_FORMAT_VERSION = 1

# ANSI SGR escape codes, written by hand (no rich on the hot path).
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_GREEN = "\x1b[32m"
_SEVERITY_COLOR = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW}

# Control characters (except tab) are shown escaped in text output, so that a file name or a
# value quoted in a message can neither break the one-line-per-problem layout nor send escape
# sequences to the terminal.
_CONTROL_ESCAPES: dict[int, str] = {
    cp: {0x0A: "\\n", 0x0D: "\\r"}.get(cp, f"\\x{cp:02x}")
    for cp in (*range(0x00, 0x20), *range(0x7F, 0xA0))
    if cp != 0x09
}

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")
# Characters that may appear literally in a URI path (RFC 3986 pchar minus unreserved, plus "/").
_URI_PATH_SAFE = "/!$&'()*+,;=:@~"


def use_color(stream: TextIO) -> bool:
    """Whether to colour output written to ``stream``.

    ``NO_COLOR`` (https://no-color.org), when set and not empty, always turns colour off.
    Otherwise ``FORCE_COLOR``, when set and not empty, turns it on; otherwise colour is used
    only when ``stream`` is a terminal.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (OSError, ValueError):  # A closed or detached stream.
        return False


def render(
    diagnostics: Sequence[Diagnostic],
    files: Sequence[str],
    fmt: str,
    *,
    color: bool = False,
    tool_version: str = __version__,
    skipped: int = 0,
) -> str:
    """Render ``diagnostics`` found in ``files`` in format ``fmt``; the result ends with a newline.

    ``skipped`` YAML files were passed over as not workflow configs: the text and GitHub
    summaries say so, and JSON has the count.

    ``files`` lists every file checked, including the ones without problems; a file that only
    appears in a diagnostic is counted as checked too. Diagnostics may come in any order: they
    are rendered sorted by :meth:`Diagnostic.sort_key`. ``color`` only affects ``text``.

    Raises :class:`ValueError` for a format not in :data:`FORMATS`.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    out = renderer(ordered, _checked_files(files, ordered), color, tool_version)
    if skipped and fmt in ("text", "github"):
        out += f"{_plural(skipped, 'YAML file')} skipped: not OpenMetadata workflow configs\n"
    elif skipped and fmt == "json":
        document = json.loads(out)
        document["summary"]["skipped"] = skipped
        out = json.dumps(document, indent=2) + "\n"
    return out


# -- shared helpers ------------------------------------------------------------------------------


def _checked_files(files: Sequence[str], diagnostics: Sequence[Diagnostic]) -> list[str]:
    """Every file checked, once each, sorted like the diagnostics are."""
    return sorted({*files, *(d.file for d in diagnostics)})


def _count(diagnostics: Sequence[Diagnostic]) -> tuple[int, int]:
    errors = sum(1 for d in diagnostics if _is_error(d))
    return errors, len(diagnostics) - errors


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary_line(n_files: int, errors: int, warnings: int) -> str:
    checked = f"{_plural(n_files, 'file')} checked"
    if errors == 0 and warnings == 0:
        return f"{checked}: no problems"
    return f"{checked}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _with_hint(d: Diagnostic) -> str:
    return f"{d.message} (hint: {d.hint})" if d.hint else d.message


def _severity_name(severity: Severity) -> str:
    return Severity(severity).value


def _is_error(d: Diagnostic) -> bool:
    # Compare by value, so a plain "error" string (Severity is a str enum) counts too.
    return Severity(d.severity) is Severity.ERROR


# -- text ----------------------------------------------------------------------------------------


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    text = text.translate(_CONTROL_ESCAPES)
    # Format characters such as U+202E (right-to-left override) could disguise a line.
    return "".join(c if c.isprintable() or c == "\t" else f"\\u{ord(c):04x}" for c in text)


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def _render_text(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], color: bool, tool_version: str
) -> str:
    lines = []
    for d in diagnostics:
        location = _paint(f"{_printable(d.file)}:{d.line}:{d.column}:", _BOLD, color)
        severity = _severity_name(d.severity)
        severity = _paint(severity, _SEVERITY_COLOR.get(Severity(d.severity), ""), color)
        code = _paint(_printable(d.code), _DIM, color)
        lines.append(f"{location} {severity} {code} {_printable(_with_hint(d))}")
    errors, warnings = _count(diagnostics)
    summary = _summary_line(len(files), errors, warnings)
    summary_style = _BOLD + (_RED if errors else _YELLOW if warnings else _GREEN)
    lines.append(_paint(summary, summary_style, color))
    return "\n".join(lines) + "\n"


# -- json ----------------------------------------------------------------------------------------


def _render_json(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], color: bool, tool_version: str
) -> str:
    errors, warnings = _count(diagnostics)
    per_file: dict[str, list[int]] = {f: [0, 0] for f in files}
    for d in diagnostics:
        per_file[d.file][0 if _is_error(d) else 1] += 1
    document: dict[str, Any] = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "summary": {
            "files": len(files),
            "errors": errors,
            "warnings": warnings,
            "valid": errors == 0,
        },
        "files": [
            {"file": f, "valid": e == 0, "errors": e, "warnings": w}
            for f, (e, w) in per_file.items()
        ],
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "severity": _severity_name(d.severity),
                "code": d.code,
                "message": d.message,
                "path": d.path,
                "hint": d.hint,
            }
            for d in diagnostics
        ],
    }
    return json.dumps(document, indent=2) + "\n"


# -- sarif ---------------------------------------------------------------------------------------


def _file_uri(path: str) -> str:
    """The file path as a URI reference: forward slashes, percent-encoded only where needed.

    A Windows drive path becomes a ``file:///`` URI (``C:`` would otherwise read as a scheme);
    a colon in the first segment of any other relative path is encoded for the same reason.
    """
    slashed = path.replace("\\", "/")
    if _WINDOWS_DRIVE.match(slashed):
        return "file:///" + slashed[:2] + quote(slashed[2:], safe=_URI_PATH_SAFE)
    encoded = quote(slashed, safe=_URI_PATH_SAFE)
    first, sep, rest = encoded.partition("/")
    return first.replace(":", "%3A") + sep + rest


def _sarif_level(severity: Severity) -> str:
    return "error" if Severity(severity) is Severity.ERROR else "warning"


def _sarif_rules(diagnostics: Sequence[Diagnostic]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The ``rules`` of the SARIF driver, one per code found (sorted by code), and the index of
    each code in that list."""
    from omkit_sagemaker.check.rules import RULES
    from omkit_sagemaker.check.rules.catalogue import docs_anchor, full_description

    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for d in sorted(diagnostics, key=lambda d: d.code):
        if d.code in rule_index:
            continue
        rule = RULES.get(d.code)
        known = CODES.get(d.code)
        summary = rule.summary if rule else known.summary if known else d.code
        default = rule.severity if rule else known.severity if known else d.severity
        rule_index[d.code] = len(rules)
        rules.append(
            {
                "id": d.code,
                "name": rule.name if rule else d.code,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": full_description(d.code)},
                "helpUri": f"{INFORMATION_URI}/blob/main/docs/rules.md#{docs_anchor(d.code)}",
                "defaultConfiguration": {"level": _sarif_level(default)},
            }
        )
    return rules, rule_index


def _sarif_result(d: Diagnostic, rule_index: int, artifact_index: int) -> dict[str, Any]:
    """One diagnostic as a SARIF result."""
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _file_uri(d.file), "index": artifact_index}
    }
    if d.line >= 1:  # SARIF regions are 1-based; a whole-file problem has no region.
        region = {"startLine": d.line}
        if d.column >= 1:
            region["startColumn"] = d.column
        physical["region"] = region
    return {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _sarif_level(d.severity),
        "message": {"text": _with_hint(d)},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"fullyQualifiedName": d.path}],
            }
        ],
    }


def _render_sarif(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], color: bool, tool_version: str
) -> str:
    rules, rule_index = _sarif_rules(diagnostics)
    artifact_index = {f: i for i, f in enumerate(files)}
    results = [_sarif_result(d, rule_index[d.code], artifact_index[d.file]) for d in diagnostics]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": {"uri": _file_uri(f)}} for f in files],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


# -- github --------------------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _printable(text)  # no raw escape sequences reach the log viewer


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _render_github(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], color: bool, tool_version: str
) -> str:
    lines = []
    for d in diagnostics:
        command = "error" if _is_error(d) else "warning"
        properties = ",".join(
            f"{name}={_escape_property(value)}"
            for name, value in (
                ("file", d.file),
                ("line", str(d.line)),
                ("col", str(d.column)),
                ("title", f"{TOOL_NAME} {d.code}"),
            )
        )
        lines.append(f"::{command} {properties}::{_escape_data(_with_hint(d))}")
    errors, warnings = _count(diagnostics)
    lines.append(_summary_line(len(files), errors, warnings))
    return "\n".join(lines) + "\n"


_Renderer = Callable[[Sequence[Diagnostic], Sequence[str], bool, str], str]

_RENDERERS: dict[str, _Renderer] = {
    "text": _render_text,
    "json": _render_json,
    "sarif": _render_sarif,
    "github": _render_github,
}
