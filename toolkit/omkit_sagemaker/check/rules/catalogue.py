"""The code catalogue: every ``Y``, ``S`` and ``R`` code with its severity and summary, as text,
JSON and the generated ``docs/rules.md``."""

from __future__ import annotations

import json

from omkit_sagemaker.base.diagnostics import CODES, Severity
from omkit_sagemaker.base.records import Record
from omkit_sagemaker.check import versions
from omkit_sagemaker.check.rules.rulebook import RULES, Rule
from omkit_sagemaker.check.versions import DEFAULT_TARGET, format_version

# --- the catalogue ----------------------------------------------------------------------------


class RuleEntry(Record):
    """One line of the code catalogue."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "code",
        "severity",
        "summary",
        "name",
        "fixable",
    )

    code: str
    severity: Severity
    summary: str
    name: str
    #: ``omkit fix`` fixes it when the fix is certain (see :mod:`omkit_sagemaker.check.fix`).
    fixable: bool

    def __init__(
        self,
        code: str,
        severity: Severity,
        summary: str,
        name: str = "",
        fixable: bool = False,
    ) -> None:
        self.code = code
        self.severity = severity
        self.summary = summary
        self.name = name
        self.fixable = fixable


#: The names of the loader (Y) and schema (S) codes; a rule (R) names itself in ``@rule``.
CODE_NAMES: dict[str, str] = {
    "Y001": "yaml-syntax",
    "Y002": "not-utf8",
    "Y003": "empty-file",
    "Y004": "root-not-mapping",
    "Y005": "duplicate-key",
    "Y006": "tab-indentation",
    "Y007": "alias-expansion",
    "Y008": "non-string-key",
    "Y009": "yaml-version-difference",
    "Y010": "multiple-documents",
    "Y011": "unreadable-file",
    "Y012": "too-many-lines",
    "S001": "unknown-key",
    "S002": "missing-key",
    "S003": "wrong-type",
    "S004": "not-allowed-value",
    "S005": "pattern-mismatch",
    "S006": "format-mismatch",
    "S007": "out-of-range",
    "S008": "no-matching-form",
    "S009": "schema-rule",
    "S010": "not-in-target-release",
}


def catalogue() -> list[RuleEntry]:
    """Every code omkit can report: loader (Y), schema (S) and rule (R) codes, in that order."""
    from omkit_sagemaker.check import explain  # not on the validate path of a valid file

    fixers = {*explain.FIXERS, versions.CODE}
    found = [
        RuleEntry(c.code, c.severity, c.summary, CODE_NAMES[c.code], fixable=c.code in fixers)
        for c in CODES.values()
    ]
    found += [
        RuleEntry(r.code, r.severity, r.summary, r.name, fixable=r.fix is not None)
        for r in RULES.values()
    ]
    return found


def docs_anchor(code: str) -> str:
    """The anchor of ``code``'s section in docs/rules.md (a rule's own, else the code table)."""
    entry = RULES.get(code)
    return f"{code.lower()}-{entry.name}" if entry is not None else "all-codes"


def full_description(code: str) -> str:
    """A code's summary and, for a rule, how to fix it: one paragraph."""
    entry = RULES.get(code)
    if entry is not None:
        return f"{entry.summary}. Fix: {entry.hint}."
    known = CODES.get(code)
    return f"{known.summary}." if known is not None else code


def catalogue_json() -> str:
    """The catalogue as a JSON array of ``{code, name, severity, summary, fixable}`` objects."""
    items = [
        {
            "code": e.code,
            "name": e.name,
            "severity": e.severity.value,
            "summary": e.summary,
            "fixable": e.fixable,
        }
        for e in catalogue()
    ]
    return json.dumps(items, indent=2) + "\n"


def catalogue_text() -> str:
    """The catalogue as aligned plain-text lines: code, severity, fix (``fix`` when ``omkit fix``
    can fix it), description."""
    return "".join(
        f"{e.code}  {e.severity.value:<7}  {'fix' if e.fixable else '   '}  {e.summary}\n"
        for e in catalogue()
    )


def _md(text: str) -> str:
    """Plain text for Markdown: ``<name>`` would otherwise be taken for an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def _preface() -> list[str]:
    """The head of ``docs/rules.md``: what the codes are, how to turn them off, what
    ``omkit fix`` does, and the header of the table of all codes."""
    return [
        "# omkit rules",
        "",
        "<!-- Generated from omkit_sagemaker/check/rules and base/diagnostics.py: do not edit. -->",
        "<!-- Regenerate with: omkit rules --format markdown > docs/rules.md -->",
        "",
        "Every problem `omkit validate` reports has a stable code: `Y` codes come from reading "
        "the YAML, `S` codes from the schemas in `spec/`, `R` codes from the lint rules below.",
        "",
        "## Turning codes off",
        "",
        "- `# omkit: disable=R001,S001` at the end of a line turns those codes off on that line.",
        "- The same comment on a line of its own, before any YAML content, turns them off for "
        "the whole file.",
        "- In the nearest `pyproject.toml` (table `[tool.omkit]`) or `.omkit.toml`, searched "
        "upward from the config file's folder (then from the current folder):",
        "",
        "  ```toml",
        "  [tool.omkit]",
        '  disable = ["R011"]',
        '  severity = { R001 = "error", Y009 = "error" }',
        '  target-version = "1.3"',
        "  ```",
        "",
        "- On the command line, `--disable R011,R017` and `--enable R011` (of `omkit validate`, "
        "`omkit test-connection` and `omkit run`) turn codes off or back on for one run.",
        "",
        "Only `R` codes, Y005 and Y009 can be turned off or made warnings: every other `S` and "
        "`Y` code marks a file that `metadata ingest` rejects, so it stays on whatever a "
        "comment or a setting says (R022 flags such a comment, R021 a code that does not "
        "exist, and an unknown code in a setting or on the command line is a usage error). "
        "That claim is checked against the official 1.1.7.5 and 2.0.7.0 on every CI run "
        "(tests/differential); the README's compatibility section lists the few places where "
        "omkit is stricter on purpose. What the runner refuses that the schema cannot say is "
        "R020 (as an error), R025, R027, R028 and R029; what it converts and runs is R030. "
        "`target-version` (or `omkit validate --target-version X.Y`) picks the "
        f"OpenMetadata release to validate for; the default is {format_version(DEFAULT_TARGET)}.",
        "",
        "`omkit fix FILE` applies the fixes that are certain (the *fixable* column: S001 with one "
        "did-you-mean, S004 in the wrong letter case, S010 with `--target-version`, and the rules "
        "marked below, such as R030 on a quoted boolean or number), keeping comments and layout; "
        "`omkit fix --diff FILE` shows them and writes nothing.",
        "",
        "## All codes",
        "",
        "| code | severity | fixable | description |",
        "| --- | --- | --- | --- |",
    ]


def _code_rows() -> list[str]:
    """One row of the table of all codes per code; a rule's code links to its section."""
    rows = []
    for entry in catalogue():
        name = f"[{entry.code}](#{docs_anchor(entry.code)})" if entry.code in RULES else entry.code
        fix = "yes" if entry.fixable else ""
        rows.append(f"| {name} | {entry.severity.value} | {fix} | {_cell(entry.summary)} |")
    return rows


def _rule_section(r: Rule) -> list[str]:
    """A rule's section: its summary, hint and failing and passing examples."""
    return [
        f"### {r.code} {r.name}",
        "",
        f"**{r.severity.value}**: {_md(r.summary)}.",
        "",
        f"Fix: {_md(r.hint)}."
        + (" `omkit fix` makes this change when it is certain." if r.fix else ""),
        "",
        "Fails:",
        "",
        "```yaml",
        *r.bad.splitlines(),
        "```",
        "",
        "Passes:",
        "",
        "```yaml",
        *r.good.splitlines(),
        "```",
        "",
    ]


def markdown() -> str:
    """``docs/rules.md``: every code, and every rule with its hint and examples."""
    lines = [*_preface(), *_code_rows(), "", "## Rules", ""]
    for r in RULES.values():
        lines += _rule_section(r)
    return "\n".join(lines).rstrip("\n") + "\n"
