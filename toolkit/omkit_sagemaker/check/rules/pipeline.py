"""Rules about names, filters and the sink (R015-R019): service names the server refuses,
filter regexes, includes beside excludes, and sink types and settings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.base.masking import excerpt
from omkit_sagemaker.check.loader import DataPath, Document, Position
from omkit_sagemaker.check.rules.reading import (
    is_from_env,
    lookup,
    lookup_text,
    shared,
    shown_value,
)
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version, format_version

# --- names, filters and the sink --------------------------------------------------------------

#: OpenMetadata's entity-name rule (a service name is one), from the release it applies to.
ENTITY_NAMES: tuple[tuple[Version, re.Pattern[str], int, str], ...] = (
    ((1, 1), re.compile(r"[\w'\- .&()%]+"), 128, "letters, digits and _ ' - . & ( ) % or space"),
    ((2, 0), re.compile(r"(?:(?!::).)+"), 256, "any characters except '::' and line breaks"),
)


def _entity_rule(target: Version) -> tuple[Version, re.Pattern[str], int, str]:
    known = [entry for entry in ENTITY_NAMES if entry[0] <= target]
    return known[-1] if known else ENTITY_NAMES[0]


@rule(
    "R015",
    "service-name",
    Severity.ERROR,
    "serviceName breaks OpenMetadata's entity-name rule (1.1: 1-128 letters, digits, "
    "_ ' - . & ( ) % and spaces; 2.0: 1-256 characters without '::')",
    hint="use letters, digits, _ and -, such as sagemaker_prod",
    bad="""
        source:
          serviceName: sagemaker/prod
        """,
    good="""
        source:
          serviceName: sagemaker_prod
        """,
)
def _service_name(document: Document, target: Version) -> Iterator[Finding]:
    path = ("source", "serviceName")
    value = lookup_text(document, path)
    if value is None:
        return
    release, pattern, longest, allowed = _entity_rule(target)
    problems = []
    if not value:
        problems.append("is empty")
    elif len(value) > longest:
        problems.append(f"is {len(value)} characters long (at most {longest})")
    if value and not pattern.fullmatch(value):
        bad = sorted({ch for ch in value if not pattern.fullmatch(ch)})
        if "::" in value or not bad:
            problems.append("contains '::'")
        elif is_from_env(document, path):
            problems.append("contains characters that names do not allow")
        else:
            problems.append("contains " + ", ".join(excerpt(ch) for ch in bad))
    if problems:
        yield Finding(
            path,
            f"serviceName {shown_value(document, path, value)} "
            + " and ".join(problems)
            + f"; OpenMetadata {format_version(release)} names allow {allowed}",
        )


def _find_filter_patterns(document: Document) -> list[tuple[DataPath, str, list[Any]]]:
    found: list[tuple[DataPath, str, list[Any]]] = []
    for path in document.values:
        if not path or not isinstance(path[-1], str) or not path[-1].endswith("FilterPattern"):
            continue
        value = lookup(document, path)
        if not isinstance(value, dict):
            continue
        for which in ("includes", "excludes"):
            items = value.get(which)
            if isinstance(items, list):
                found.append(((*path, which), path[-1], items))
    return found


def _filter_patterns(document: Document) -> list[tuple[DataPath, str, list[Any]]]:
    """Every ``*FilterPattern`` list (includes/excludes) in the document."""
    return shared(document, _find_filter_patterns)


def _find_filter_regexes(document: Document) -> list[tuple[DataPath, str, str]]:
    return [
        ((*path, i), f"{key} {path[-1]}[{i}]", item)
        for path, key, items in _filter_patterns(document)
        for i, item in enumerate(items)
        if isinstance(item, str)
    ]


def _filter_regexes(document: Document) -> list[tuple[DataPath, str, str]]:
    """Every text item of a filter pattern list: its data path, how a message names it
    (``mlModelFilterPattern includes[0]``), and the regular expression."""
    return shared(document, _find_filter_regexes)


def _regex_position(document: Document, path: DataPath, offset: int | None) -> Position | None:
    """Where character ``offset`` of the regex at ``path`` is in the file, when it can be told."""
    scalar = document.scalars.get(path)
    if scalar is None or offset is None or "\n" in scalar.written:
        return None
    value = lookup(document, path)
    start = document.position(path)
    quote = scalar.written[:1]
    if scalar.plain and scalar.written == value:
        return Position(start.line, start.column + offset)
    if quote and quote in "'\"" and scalar.written[1:-1] == value:  # no escapes: characters line up
        return Position(start.line, start.column + 1 + offset)
    return None


@rule(
    "R016",
    "filter-regex",
    Severity.ERROR,
    "a regular expression of a filter pattern (mlModelFilterPattern, ...) does not compile",
    hint="escape ( ) [ ] { } . * + ? with a backslash to match them literally",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - prod-(churn|fraud
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - prod-(churn|fraud)
        """,
    replaces=("S006",),
)
def _filter_regex(document: Document, target: Version) -> Iterator[Finding]:
    for path, name, item in _filter_regexes(document):
        try:
            re.compile(item, re.IGNORECASE)
        except re.error as exc:
            where = f" at position {exc.pos}" if exc.pos is not None else ""
            yield Finding(
                path,
                f"{name} is not a valid regular expression: {exc.msg}{where}",
                position=_regex_position(document, path, exc.pos),
            )


@rule(
    "R017",
    "includes-and-excludes",
    Severity.WARNING,
    "a filter pattern has both includes and excludes; metadata ingest ignores the excludes",
    hint="keep one list: fold the exclusions into the includes (for example with a negative "
    "lookahead such as ^(?!tmp-)prod-), or drop the includes",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^prod-
                excludes:
                  - -scratch$
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^prod-(?!.*-scratch$)
        """,
)
def _includes_and_excludes(document: Document, target: Version) -> Iterator[Finding]:
    for path, key, items in _filter_patterns(document):
        if path[-1] != "excludes" or not items:
            continue
        includes = lookup(document, (*path[:-1], "includes"))
        if isinstance(includes, list) and includes:
            yield Finding(
                path,
                f"{key} has both includes and excludes; when includes has entries, metadata "
                "ingest ignores excludes",
                at_key=True,
            )


SINK_TYPES = ("metadata-rest", "file")


@rule(
    "R018",
    "sink-type",
    Severity.ERROR,
    "sink.type is not a sink metadata ingest has (metadata-rest or file)",
    hint="write sink: {type: metadata-rest, config: {}} to send the models to OpenMetadata",
    bad="""
        sink:
          type: console
          config: {}
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _sink_type(document: Document, target: Version) -> Iterator[Finding]:
    path = ("sink", "type")
    value = lookup_text(document, path)
    if value is None or value in SINK_TYPES:
        return
    message = (
        f"sink type {shown_value(document, path, value)} does not exist; metadata ingest has "
        "metadata-rest and file"
    )
    close = difflib.get_close_matches(value.strip().lower(), SINK_TYPES, n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{close[0]}'?"
    yield Finding(path, message)


@rule(
    "R019",
    "file-sink-filename",
    Severity.ERROR,
    "a file sink has no config.filename",
    hint="add config: {filename: /tmp/sagemaker-entities.json}",
    bad="""
        sink:
          type: file
          config: {}
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _file_sink(document: Document, target: Version) -> Iterator[Finding]:
    if lookup_text(document, ("sink", "type")) != "file":
        return
    config = lookup(document, ("sink", "config"))
    if isinstance(config, dict) and config.get("filename"):
        return
    at = ("sink", "config") if isinstance(config, dict) else ("sink", "type")
    yield Finding(
        at,
        "the file sink needs config.filename, the path of the JSON file it writes",
        at_key=at[-1] == "config",
    )


def _nested_quantifier(pattern: str) -> bool:
    """True when ``pattern`` repeats a part that itself repeats without bound, such as
    ``(a+)+`` or ``(\\w*)*``: on a name that almost matches, the engine tries every way of
    splitting it, which takes exponential time."""
    import importlib
    import sys

    # The standard library's own regular-expression parser (public as sre_parse until 3.11).
    name = "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
    sre_parse: Any = importlib.import_module(name)

    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False  # R016 reports what does not compile
    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT} - {None}

    def walk(items: Any, inside: bool) -> bool:
        """True when a repeat inside ``items`` is unbounded and ``inside`` another repeat."""
        for op, arg in items:
            found = False
            if op in repeats:
                _, high, body = arg
                unbounded = high == sre_parse.MAXREPEAT or high > 1
                if (inside and unbounded) or walk(body, inside or unbounded):
                    return True
            elif op is sre_parse.SUBPATTERN:
                found = walk(arg[-1], inside)
            elif op is sre_parse.BRANCH:
                found = any(walk(branch, inside) for branch in arg[1])
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                found = walk(arg[1], inside)
            if found:
                return True
        return False

    return walk(parsed, False)


@rule(
    "R024",
    "backtracking-filter",
    Severity.WARNING,
    "a filter pattern repeats a group that itself repeats ((a+)+, (\\w*)*): on a name that "
    "almost matches, matching takes exponential time",
    hint="repeat once, such as a+ instead of (a+)+; the run gives up on a name after 0.5 s",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^(prod-\\w+)+$
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^prod-[\\w-]+$
        """,
)
def _backtracking_filter(document: Document, target: Version) -> Iterator[Finding]:
    for path, name, item in _filter_regexes(document):
        if _nested_quantifier(item):
            yield Finding(
                path,
                f"{name} repeats a group that itself repeats, so one crafted model name can "
                "stall the match",
            )
