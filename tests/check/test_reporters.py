"""Tests for omkit_sagemaker.check.reporters: what a user sees in each output format."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker import __version__
from omkit_sagemaker.base.diagnostics import CODES, Diagnostic, Severity, make
from omkit_sagemaker.check.reporters import FORMATS, render, use_color

ANSI = re.compile(r"\x1b\[[0-9;]*m")

UNKNOWN_KEY = make(
    "S001",
    "configs/prod.yaml",
    12,
    5,
    "unknown key 'sourceConfg'",
    path="$.source.sourceConfg",
    hint="did you mean 'sourceConfig'?",
)
YAML11 = make(
    "Y009",
    "configs/dev.yaml",
    3,
    14,
    "'yes' is read as true by YAML 1.1",
    path="$.source.serviceConnection.config.verifySSL",
)
MISSING = make("S002", "configs/prod.yaml", 2, 1, "'sink' is required", path="$")
FILES = ["configs/dev.yaml", "configs/prod.yaml", "configs/clean.yaml"]


def lint_code(severity: Severity = Severity.WARNING, **overrides: Any) -> Diagnostic:
    """A diagnostic whose code a later lint rule registers: not in the catalogue."""
    fields: dict[str, Any] = {
        "file": "configs/dev.yaml",
        "line": 7,
        "column": 3,
        "severity": severity,
        "code": "L042",
        "message": "the bucket name looks like a placeholder",
        "path": "$.source.serviceConnection.config.bucket",
        "hint": None,
    }
    fields.update(overrides)
    return Diagnostic(**fields)


def sarif(diagnostics: list[Diagnostic], files: list[str]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render(diagnostics, files, "sarif"))
    return loaded


# -- text ----------------------------------------------------------------------------------------


def test_text_lines_for_error_with_hint_and_warning() -> None:
    out = render([UNKNOWN_KEY, YAML11], FILES, "text")
    assert out.splitlines() == [
        "configs/dev.yaml:3:14: warning Y009 'yes' is read as true by YAML 1.1",
        "configs/prod.yaml:12:5: error S001 unknown key 'sourceConfg'"
        " (hint: did you mean 'sourceConfig'?)",
        "3 files checked: 1 error, 1 warning",
    ]
    assert out.endswith("\n")
    assert not out.endswith("\n\n")


@pytest.mark.parametrize(
    ("diagnostics", "files", "summary"),
    [
        ([], ["a.yaml"], "1 file checked: no problems"),
        ([], ["a.yaml", "b.yaml"], "2 files checked: no problems"),
        ([], [], "0 files checked: no problems"),
        ([MISSING], ["configs/prod.yaml"], "1 file checked: 1 error, 0 warnings"),
        ([YAML11], ["configs/dev.yaml"], "1 file checked: 0 errors, 1 warning"),
        ([MISSING, UNKNOWN_KEY, YAML11], FILES, "3 files checked: 2 errors, 1 warning"),
        (
            [YAML11, lint_code(), lint_code(line=9)],
            ["configs/dev.yaml", "x.yaml"],
            "2 files checked: 0 errors, 3 warnings",
        ),
    ],
)
def test_summary_wording_and_plurals(
    diagnostics: list[Diagnostic], files: list[str], summary: str
) -> None:
    for fmt in ("text", "github"):
        assert render(diagnostics, files, fmt).splitlines()[-1] == summary


def test_clean_run_prints_only_the_summary() -> None:
    assert render([], ["a.yaml"], "text") == "1 file checked: no problems\n"


def test_files_are_counted_once_and_a_file_only_named_by_a_diagnostic_counts() -> None:
    out = render([MISSING], ["configs/prod.yaml", "configs/prod.yaml", "a.yaml"], "text")
    assert out.splitlines()[-1] == "2 files checked: 1 error, 0 warnings"
    out = render([MISSING], [], "text")
    assert out.splitlines()[-1] == "1 file checked: 1 error, 0 warnings"


def test_diagnostics_are_sorted_by_file_line_column_code() -> None:
    same_place_b = make("S003", "b.yaml", 4, 2, "wrong type")
    same_place_a = make("S001", "b.yaml", 4, 2, "unknown key")
    later_column = make("S001", "b.yaml", 4, 10, "unknown key")
    line_ten = make("S001", "b.yaml", 10, 1, "unknown key")  # 10 sorts after 4 numerically
    other_file = make("S002", "a.yaml", 99, 1, "missing")
    shuffled = [line_ten, same_place_b, other_file, later_column, same_place_a]
    lines = render(shuffled, [], "text").splitlines()[:-1]
    assert [line.split(" ", 1)[0] + " " + line.split()[2] for line in lines] == [
        "a.yaml:99:1: S002",
        "b.yaml:4:2: S001",
        "b.yaml:4:2: S003",
        "b.yaml:4:10: S001",
        "b.yaml:10:1: S001",
    ]
    # Every format follows the same order.
    github = [line.split("::")[1] for line in render(shuffled, [], "github").splitlines()[:-1]]
    assert github[0].startswith("error file=a.yaml,line=99")
    assert github[-1].startswith("error file=b.yaml,line=10")
    data = json.loads(render(shuffled, [], "json"))
    assert [(d["file"], d["line"], d["column"]) for d in data["diagnostics"]] == [
        ("a.yaml", 99, 1),
        ("b.yaml", 4, 2),
        ("b.yaml", 4, 2),
        ("b.yaml", 4, 10),
        ("b.yaml", 10, 1),
    ]
    results = sarif(shuffled, [])["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [
        99,
        4,
        4,
        4,
        10,
    ]


def test_no_ansi_without_color() -> None:
    for fmt in FORMATS:
        out = render([UNKNOWN_KEY, YAML11], FILES, fmt, color=False)
        assert "\x1b" not in out, fmt


def test_color_paints_location_severity_and_code() -> None:
    out = render([UNKNOWN_KEY, YAML11], FILES, "text", color=True)
    error_line = next(line for line in out.splitlines() if "S001" in line)
    warning_line = next(line for line in out.splitlines() if "Y009" in line)
    assert "\x1b[1mconfigs/prod.yaml:12:5:\x1b[0m" in error_line
    assert "\x1b[31merror\x1b[0m" in error_line
    assert "\x1b[2mS001\x1b[0m" in error_line
    assert "\x1b[33mwarning\x1b[0m" in warning_line
    # Stripping the colour gives exactly the plain output.
    assert ANSI.sub("", out) == render([UNKNOWN_KEY, YAML11], FILES, "text")


def test_color_only_affects_text() -> None:
    for fmt in ("json", "sarif", "github"):
        assert render([UNKNOWN_KEY], FILES, fmt, color=True) == render([UNKNOWN_KEY], FILES, fmt)


def test_text_keeps_one_line_per_problem_and_no_terminal_escapes_from_messages() -> None:
    nasty = make("S004", "a.yaml", 1, 1, "value 'x\ny' \x1b[31mred", hint="use\r\n'z'")
    out = render([nasty], ["a.yaml"], "text")
    assert out.splitlines() == [
        "a.yaml:1:1: error S004 value 'x\\ny' \\x1b[31mred (hint: use\\r\\n'z')",
        "1 file checked: 1 error, 0 warnings",
    ]
    assert "\x1b" not in out


# -- use_color -----------------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return monkeypatch


def test_use_color_on_a_tty(clean_env: pytest.MonkeyPatch) -> None:
    assert use_color(FakeTTY()) is True


def test_use_color_off_when_not_a_tty(clean_env: pytest.MonkeyPatch) -> None:
    assert use_color(io.StringIO()) is False


def test_no_color_turns_colour_off(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("NO_COLOR", "1")
    assert use_color(FakeTTY()) is False


def test_empty_no_color_is_ignored(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("NO_COLOR", "")
    assert use_color(FakeTTY()) is True


def test_force_color_turns_colour_on_for_a_pipe(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORCE_COLOR", "1")
    assert use_color(io.StringIO()) is True


def test_empty_force_color_is_ignored(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORCE_COLOR", "")
    assert use_color(io.StringIO()) is False


def test_no_color_wins_over_force_color(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FORCE_COLOR", "1")
    clean_env.setenv("NO_COLOR", "1")
    assert use_color(FakeTTY()) is False


def test_use_color_on_a_closed_stream(clean_env: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    stream.close()
    assert use_color(stream) is False


# -- json ----------------------------------------------------------------------------------------


def test_json_round_trip_counts_and_valid_flags() -> None:
    out = render([YAML11, UNKNOWN_KEY, MISSING], FILES, "json", tool_version="9.9.9")
    assert out.endswith("}\n")
    data = json.loads(out)
    assert list(data) == ["version", "tool", "summary", "files", "diagnostics"]
    assert data["version"] == 1
    assert data["tool"] == {"name": "omkit", "version": "9.9.9"}
    assert data["summary"] == {"files": 3, "errors": 2, "warnings": 1, "valid": False}
    by_file = {f["file"]: f for f in data["files"]}
    assert by_file == {
        "configs/clean.yaml": {
            "file": "configs/clean.yaml",
            "valid": True,
            "errors": 0,
            "warnings": 0,
        },
        "configs/dev.yaml": {
            "file": "configs/dev.yaml",
            "valid": True,  # warnings alone do not make a file invalid
            "errors": 0,
            "warnings": 1,
        },
        "configs/prod.yaml": {
            "file": "configs/prod.yaml",
            "valid": False,
            "errors": 2,
            "warnings": 0,
        },
    }
    assert data["diagnostics"][-1] == {
        "file": "configs/prod.yaml",
        "line": 12,
        "column": 5,
        "severity": "error",
        "code": "S001",
        "message": "unknown key 'sourceConfg'",
        "path": "$.source.sourceConfg",
        "hint": "did you mean 'sourceConfig'?",
    }
    assert data["diagnostics"][0]["hint"] is None
    assert list(data["diagnostics"][0]) == [
        "file",
        "line",
        "column",
        "severity",
        "code",
        "message",
        "path",
        "hint",
    ]


def test_json_clean_run_is_valid_and_uses_the_package_version_by_default() -> None:
    data = json.loads(render([], ["a.yaml"], "json"))
    assert data["summary"] == {"files": 1, "errors": 0, "warnings": 0, "valid": True}
    assert data["files"] == [{"file": "a.yaml", "valid": True, "errors": 0, "warnings": 0}]
    assert data["diagnostics"] == []
    assert data["tool"]["version"] == __version__


def test_json_output_is_stable() -> None:
    first = render([UNKNOWN_KEY, YAML11], FILES, "json")
    second = render([YAML11, UNKNOWN_KEY], list(reversed(FILES)), "json")
    assert first == second


# -- sarif ---------------------------------------------------------------------------------------


def check_sarif_structure(log: dict[str, Any]) -> None:
    """The parts of the SARIF 2.1.0 schema a consumer relies on, checked by hand."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list)
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "omkit"
    assert isinstance(driver["version"], str)
    assert driver["informationUri"] == "https://github.com/omkit/omkit"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)), "rule ids must be unique"
    for rule in driver["rules"]:
        assert isinstance(rule["shortDescription"]["text"], str)
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"none", "note", "warning", "error"}
    artifact_uris = [a["location"]["uri"] for a in run["artifacts"]]
    for result in run["results"]:
        assert isinstance(result["message"]["text"], str)
        assert result["level"] in {"none", "note", "warning", "error"}
        index = result["ruleIndex"]
        assert isinstance(index, int)
        assert 0 <= index < len(rule_ids)
        assert rule_ids[index] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact_uris[artifact["index"]] == artifact["uri"]
        region = physical["region"]
        assert isinstance(region["startLine"], int)
        assert region["startLine"] >= 1
        assert isinstance(region["startColumn"], int)
        assert region["startColumn"] >= 1
        (logical,) = location["logicalLocations"]
        assert logical["fullyQualifiedName"].startswith("$")


def test_sarif_rules_results_levels_and_regions() -> None:
    log = sarif([YAML11, UNKNOWN_KEY, MISSING], FILES)
    check_sarif_structure(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["S001", "S002", "Y009"]  # only the codes used
    assert rules[0] == {
        "id": "S001",
        "name": "S001",
        "shortDescription": {"text": CODES["S001"].summary},
        "fullDescription": {"text": CODES["S001"].summary + "."},
        "helpUri": "https://github.com/omkit/omkit/blob/main/docs/rules.md#all-codes",
        "defaultConfiguration": {"level": "error"},
    }
    assert rules[2]["defaultConfiguration"] == {"level": "warning"}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert len(run["results"]) == 3
    unknown_key = by_rule["S001"]
    assert unknown_key["ruleIndex"] == 0
    assert unknown_key["level"] == "error"
    assert unknown_key["message"]["text"] == (
        "unknown key 'sourceConfg' (hint: did you mean 'sourceConfig'?)"
    )
    (location,) = unknown_key["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "configs/prod.yaml"
    assert location["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 5}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "$.source.sourceConfg"}]
    assert by_rule["Y009"]["ruleIndex"] == 2
    assert by_rule["Y009"]["level"] == "warning"
    assert by_rule["S002"]["ruleIndex"] == 1
    assert by_rule["S002"]["message"]["text"] == "'sink' is required"


def test_sarif_lists_every_checked_file_as_an_artifact() -> None:
    log = sarif([UNKNOWN_KEY], FILES)
    uris = sorted(a["location"]["uri"] for a in log["runs"][0]["artifacts"])
    assert uris == ["configs/clean.yaml", "configs/dev.yaml", "configs/prod.yaml"]


def test_sarif_clean_run() -> None:
    log = sarif([], ["a.yaml"])
    check_sarif_structure(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_result_level_follows_the_diagnostic_rule_default_follows_the_catalogue() -> None:
    downgraded = make("S001", "a.yaml", 1, 1, "unknown key", severity=Severity.WARNING)
    log = sarif([downgraded], ["a.yaml"])
    check_sarif_structure(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "error"}
    assert run["results"][0]["level"] == "warning"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("configs/prod.yaml", "configs/prod.yaml"),
        ("configs\\win\\prod.yaml", "configs/win/prod.yaml"),
        ("my configs/prod #1.yaml", "my%20configs/prod%20%231.yaml"),
        ("100%.yaml", "100%25.yaml"),
        ("what?.yaml", "what%3F.yaml"),
        ("a,b;c=d(e)@f~g.yaml", "a,b;c=d(e)@f~g.yaml"),
        ("dir/a:b.yaml", "dir/a:b.yaml"),
        ("a:b.yaml", "a%3Ab.yaml"),  # otherwise "a:" would read as a URI scheme
        ("/abs/path.yaml", "/abs/path.yaml"),
        ("C:\\work\\prod.yaml", "file:///C:/work/prod.yaml"),
        ("café.yaml", "caf%C3%A9.yaml"),
    ],
)
def test_sarif_uri_is_the_path_with_forward_slashes_encoded_only_where_needed(
    path: str, uri: str
) -> None:
    log = sarif([make("S001", path, 1, 1, "unknown key")], [path])
    run = log["runs"][0]
    assert run["artifacts"] == [{"location": {"uri": uri}}]
    physical = run["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == uri


# -- github --------------------------------------------------------------------------------------


def test_github_commands_for_error_with_hint_and_warning() -> None:
    out = render([UNKNOWN_KEY, YAML11], FILES, "github")
    assert out.splitlines() == [
        "::warning file=configs/dev.yaml,line=3,col=14,title=omkit Y009::"
        "'yes' is read as true by YAML 1.1",
        "::error file=configs/prod.yaml,line=12,col=5,title=omkit S001::"
        "unknown key 'sourceConfg' (hint: did you mean 'sourceConfig'?)",
        "3 files checked: 1 error, 1 warning",
    ]


def test_github_escapes_messages() -> None:
    d = make("S004", "a.yaml", 1, 2, "50% done\nnext: line\r, end")
    (command, _summary) = render([d], ["a.yaml"], "github").splitlines()
    assert command == (
        "::error file=a.yaml,line=1,col=2,title=omkit S004::50%25 done%0Anext: line%0D, end"
    )


def test_github_escapes_file_names() -> None:
    d = make("S001", "odd,dir/a:b%c\nd.yaml", 4, 1, "unknown key")
    (command, _summary) = render([d], [d.file], "github").splitlines()
    assert command == (
        "::error file=odd%2Cdir/a%3Ab%25c%0Ad.yaml,line=4,col=1,title=omkit S001::unknown key"
    )
    # The only unescaped "::" are the two command separators, the only "," the property ones.
    properties = command.split("::")[1].split(" ", 1)[1]
    assert properties.count(",") == 3


# -- formats and unknown codes -------------------------------------------------------------------


def test_formats_tuple() -> None:
    assert FORMATS == ("text", "json", "sarif", "github")


@pytest.mark.parametrize("fmt", ["xml", "", "TEXT", "sarif "])
def test_unknown_format_raises(fmt: str) -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        render([UNKNOWN_KEY], FILES, fmt)


def test_every_format_ends_with_one_newline() -> None:
    for fmt in FORMATS:
        for diagnostics in ([], [UNKNOWN_KEY, YAML11]):
            out = render(diagnostics, FILES, fmt)
            assert out.endswith("\n"), fmt
            assert not out.endswith("\n\n"), fmt


def test_code_not_in_catalogue_renders_in_every_format() -> None:
    assert "L042" not in CODES
    warning = lint_code(hint="replace it")
    error = lint_code(Severity.ERROR, code="L043", line=8, message="bad")

    text = render([warning, error], ["configs/dev.yaml"], "text").splitlines()
    assert text == [
        "configs/dev.yaml:7:3: warning L042 the bucket name looks like a placeholder"
        " (hint: replace it)",
        "configs/dev.yaml:8:3: error L043 bad",
        "1 file checked: 1 error, 1 warning",
    ]

    data = json.loads(render([warning, error], ["configs/dev.yaml"], "json"))
    assert [d["code"] for d in data["diagnostics"]] == ["L042", "L043"]
    assert data["summary"] == {"files": 1, "errors": 1, "warnings": 1, "valid": False}

    log = sarif([warning, error], ["configs/dev.yaml"])
    check_sarif_structure(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules == [
        {
            "id": "L042",
            "name": "L042",
            "shortDescription": {"text": "L042"},
            "fullDescription": {"text": "L042"},
            "helpUri": "https://github.com/omkit/omkit/blob/main/docs/rules.md#all-codes",
            "defaultConfiguration": {"level": "warning"},
        },
        {
            "id": "L043",
            "name": "L043",
            "shortDescription": {"text": "L043"},
            "fullDescription": {"text": "L043"},
            "helpUri": "https://github.com/omkit/omkit/blob/main/docs/rules.md#all-codes",
            "defaultConfiguration": {"level": "error"},
        },
    ]
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("L042", 0, "warning"),
        ("L043", 1, "error"),
    ]

    github = render([warning, error], ["configs/dev.yaml"], "github").splitlines()
    assert github[0] == (
        "::warning file=configs/dev.yaml,line=7,col=3,title=omkit L042::"
        "the bucket name looks like a placeholder (hint: replace it)"
    )
    assert github[1].startswith("::error file=configs/dev.yaml,line=8,col=3,title=omkit L043::")


def test_sarif_rules_carry_name_descriptions_and_the_docs_link() -> None:
    diag = Diagnostic("c.yaml", 3, 5, Severity.ERROR, "R012", "hostPort does not end in /api")
    (rule,) = sarif([diag], ["c.yaml"])["runs"][0]["tool"]["driver"]["rules"]
    assert rule["name"] == "hostport-api"
    assert rule["shortDescription"]["text"].startswith("hostPort does not end in /api")
    assert "Fix: " in rule["fullDescription"]["text"]
    assert rule["helpUri"].endswith("docs/rules.md#r012-hostport-api")
    docs = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "### R012 hostport-api" in docs  # GitHub's anchor of this heading is the helpUri's


def test_the_summary_says_how_many_files_were_skipped() -> None:
    text = render([], ["a.yaml"], "text", skipped=2)
    assert text.endswith("2 YAML files skipped: not OpenMetadata workflow configs\n")
    data = json.loads(render([], ["a.yaml"], "json", skipped=2))
    assert data["summary"]["skipped"] == 2
