"""Suppressions and settings: ``# omkit: disable=`` by line and by file, ``[tool.omkit]`` in
pyproject.toml or ``.omkit.toml``, severity changes, and the codes that always stay on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import suppress
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings, parse
from omkit_sagemaker.check.validate import UsageError, check_file, check_paths
from omkit_sagemaker.cli import app
from typer.testing import CliRunner

#: A config the schemas accept, with one problem per rule code used below.
CONFIG = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsRegion: us-east2
        awsSecretAccessKey: 4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
"""
REGION_LINE = 8
SECRET_LINE = 9


def write(folder: Path, text: str, name: str = "config.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def found(path: Path) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in check_file(path, environ={})]


def edit(text: str, line: int, comment: str) -> str:
    lines = text.splitlines()
    lines[line - 1] += comment
    return "\n".join(lines) + "\n"


@pytest.fixture
def cwd(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty folder, so that no settings file of the checkout is found."""
    here = tmp_path / "cwd"
    here.mkdir()
    before = Path.cwd()
    os.chdir(here)
    try:
        yield here
    finally:
        os.chdir(before)


def test_baseline(tmp_path: Path, cwd: Path) -> None:
    assert found(write(tmp_path, CONFIG)) == [("R003", REGION_LINE), ("R001", SECRET_LINE)]


# --- comments ---------------------------------------------------------------------------------


def test_suppression_on_a_line(tmp_path: Path, cwd: Path) -> None:
    text = edit(CONFIG, REGION_LINE, "  # omkit: disable=R003")
    assert found(write(tmp_path, text)) == [("R001", SECRET_LINE)]


def test_suppression_of_several_codes_on_a_line(tmp_path: Path, cwd: Path) -> None:
    text = edit(CONFIG, SECRET_LINE, "  #omkit: disable = r001, R003 -- rotated weekly")
    assert found(write(tmp_path, text)) == [("R003", REGION_LINE)]


def test_suppression_on_another_line_does_not_count(tmp_path: Path, cwd: Path) -> None:
    text = edit(CONFIG, SECRET_LINE, "  # omkit: disable=R003")
    assert found(write(tmp_path, text)) == [("R003", REGION_LINE), ("R001", SECRET_LINE)]


def test_suppression_for_the_whole_file(tmp_path: Path, cwd: Path) -> None:
    text = "# SageMaker, production\n# omkit: disable=R001,R003\n---\n" + CONFIG
    assert found(write(tmp_path, text)) == []


def test_a_comment_line_after_yaml_content_is_not_file_wide(tmp_path: Path, cwd: Path) -> None:
    text = CONFIG + "# omkit: disable=R001,R003\n"
    # both stay on, and R021 says the comment turns nothing off
    assert [code for code, _ in found(write(tmp_path, text))] == ["R003", "R001", "R021"]


def test_comment_text_inside_values_is_not_a_directive() -> None:
    text = (
        'a: "x # omkit: disable=R001"\n'
        "b: |\n"
        "  # omkit: disable=R002\n"
        "c: 'it''s # omkit: disable=R003'  # omkit: disable=R004\n"
        "d: x#omkit: disable=R005\n"
    )
    parsed = suppress.parse(text)
    assert parsed.file == frozenset()
    assert parsed.lines == {4: frozenset({"R004"})}


def test_schema_codes_stay_on_and_the_comment_is_flagged(tmp_path: Path, cwd: Path) -> None:
    unknown = CONFIG.replace("  config: {}\n", "  config: {}\n  colour: blue\n", 1)
    assert ("S001", 16) in found(write(tmp_path, unknown))
    after = found(write(tmp_path, edit(unknown, 16, " # omkit: disable=S001")))
    assert ("S001", 16) in after  # metadata ingest rejects the key: it cannot be silenced
    assert ("R022", 16) in after


def test_unknown_codes_in_a_comment_are_reported_at_the_code(tmp_path: Path, cwd: Path) -> None:
    path = write(tmp_path, "# omkit: disable=R0111, r003\n" + CONFIG)
    diags = [d for d in check_file(path, environ={}) if d.code == "R021"]
    assert [(d.line, d.column, d.severity) for d in diags] == [(1, 18, Severity.WARNING)]
    assert diags[0].message == "'R0111' in this # omkit: disable comment is not an omkit code"
    assert diags[0].hint == "did you mean R011?"
    assert "R003" not in {c for c, _ in found(path)}  # the known code still works


def test_yaml_codes_the_runner_survives_can_be_suppressed(tmp_path: Path, cwd: Path) -> None:
    yaml11 = CONFIG.replace("MlModelMetadata", "MlModelMetadata\n      markDeletedMlModels: no")
    assert "Y009" in {c for c, _ in found(write(tmp_path, yaml11))}
    assert "Y009" not in {c for c, _ in found(write(tmp_path, "# omkit: disable=Y009\n" + yaml11))}


def test_a_loader_code_of_an_unreadable_document_can_be_suppressed(
    tmp_path: Path, cwd: Path
) -> None:
    text = "source: {}\nsink: {}\nsink: {}  # omkit: disable=Y005\n"
    assert found(write(tmp_path, text)) == []
    assert found(write(tmp_path, text.replace("  # omkit: disable=Y005", ""))) == [("Y005", 3)]


def test_codes_of_an_unreadable_file_stay_on(tmp_path: Path, cwd: Path) -> None:
    text = "# omkit: disable=Y001\nsource: [\n"
    assert [c for c, _ in found(write(tmp_path, text))] == ["Y001"]


# --- settings files ---------------------------------------------------------------------------


def test_disable_in_pyproject(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\n\n[tool.omkit]\ndisable = ["R003"]\n', "pyproject.toml")
    config = write(tmp_path / "configs" / "prod", CONFIG)
    assert found(config) == [("R001", SECRET_LINE)]


def test_omkit_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, '[tool.omkit]\ndisable = ["R003"]\n', "pyproject.toml")
    write(tmp_path, 'disable = ["R001"]\n', ".omkit.toml")
    assert found(write(tmp_path, CONFIG)) == [("R003", REGION_LINE)]


def test_the_nearest_settings_file_wins(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, '[tool.omkit]\ndisable = ["R003"]\n', ".omkit.toml")
    write(tmp_path / "sub", '[tool.omkit]\ndisable = ["R001"]\n', ".omkit.toml")
    assert found(write(tmp_path / "sub", CONFIG)) == [("R003", REGION_LINE)]


def test_a_pyproject_without_omkit_settings_is_passed_over(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, 'disable = ["R003"]\n', ".omkit.toml")
    write(tmp_path / "sub", '[project]\nname = "x"\n', "pyproject.toml")
    settings = load_settings(tmp_path / "sub")
    assert settings.disable == {"R003"}
    assert settings.source == tmp_path / ".omkit.toml"


def test_the_current_folder_is_the_fallback(tmp_path: Path, cwd: Path) -> None:
    write(cwd, '[tool.omkit]\ndisable = ["R001"]\n', ".omkit.toml")
    elsewhere = write(tmp_path / "elsewhere", CONFIG)
    assert load_settings(elsewhere.parent).disable == {"R001"}
    assert found(elsewhere) == [("R003", REGION_LINE)]


def test_severity_override(tmp_path: Path, cwd: Path) -> None:
    write(
        tmp_path, '[tool.omkit]\nseverity = { R001 = "error", R003 = "warning" }\n', ".omkit.toml"
    )
    diags = {d.code: d.severity for d in check_file(write(tmp_path, CONFIG), environ={})}
    assert diags == {"R001": Severity.ERROR, "R003": Severity.WARNING}


def test_schema_codes_cannot_be_downgraded_or_disabled() -> None:
    diag = Diagnostic("f", 1, 1, Severity.ERROR, "S001", "unknown key 'x'")
    settings = Settings(severity={"S001": Severity.WARNING}, disable=frozenset({"S001"}))
    (out,) = suppress.apply([diag], "x: 1  # omkit: disable=S001\n", settings)
    assert out.severity is Severity.ERROR


def test_disabling_a_rule_brings_back_the_schema_error_it_replaces(
    tmp_path: Path, cwd: Path
) -> None:
    text = CONFIG.replace("workflowConfig:\n", "workflowConfig:\n  loggerLevel: WARNING\n")
    assert [c for c, _ in found(write(tmp_path, text)) if c[0] != "R" or c == "R014"] == ["R014"]
    line = text.splitlines().index("  loggerLevel: WARNING") + 1
    inline = edit(text, line, "  # omkit: disable=R014")
    assert ("S004", line) in found(write(tmp_path, inline))
    write(tmp_path, '[tool.omkit]\ndisable = ["R014"]\n', ".omkit.toml")
    assert ("S004", line) in found(write(tmp_path, text))


def test_target_version_in_settings(tmp_path: Path, cwd: Path) -> None:
    newer = CONFIG.replace("    hostPort:", "    storeServiceConnection: false\n    hostPort:")
    assert "S010" in {c for c, _ in found(write(tmp_path, newer))}
    write(tmp_path, '[tool.omkit]\ntarget-version = "1.2"\n', ".omkit.toml")
    assert "S010" not in {c for c, _ in found(write(tmp_path, newer))}
    result = check_paths([tmp_path / "config.yaml"], environ={}, target_version="1.1")
    assert "S010" in {d.code for d in result.diagnostics}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"ignore": ["R001"]}, "unknown setting 'ignore'"),
        ({"disable": ["R999"]}, "'R999' is not an omkit code"),
        ({"disable": "R001"}, "disable must be a list"),
        ({"disable": ["Y001"]}, "Y001 cannot be turned off: metadata ingest rejects"),
        ({"disable": ["S004"]}, "S004 cannot be turned off: metadata ingest rejects"),
        ({"severity": {"Y011": "warning"}}, "Y011 cannot be turned off"),
        ({"severity": {"R001": "fatal"}}, '\'fatal\' is not "error" or "warning"'),
        ({"severity": ["R001"]}, "severity must be a table"),
        ({"target-version": "3.0"}, "does not know OpenMetadata 3.0"),
        ({"target-version": "latest"}, "'latest' is not a release number"),
    ],
)
def test_wrong_settings_are_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(table)


def test_settings_accept_lower_case_codes_and_refuse_patch_releases() -> None:
    settings = parse({"disable": ["r011"], "target-version": "1.3"})
    assert settings.disable == {"R011"}
    assert settings.target == (1, 3)
    with pytest.raises(SettingsError, match=r"does not know OpenMetadata 1\.3\.4: .* write 1\.3 "):
        parse({"target-version": "1.3.4"})


def test_a_broken_settings_file_is_a_usage_error(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, "[tool.omkit\n", "pyproject.toml")
    config = write(tmp_path, CONFIG)
    with pytest.raises(UsageError, match="not valid TOML"):
        check_paths([config])
    result = CliRunner().invoke(app, ["validate", str(config)])
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr


def test_cli_applies_settings_and_comments(tmp_path: Path, cwd: Path) -> None:
    write(tmp_path, '[tool.omkit]\ndisable = ["R001"]\n', ".omkit.toml")
    config = write(tmp_path, edit(CONFIG, REGION_LINE, "  # omkit: disable=R003"))
    result = CliRunner().invoke(app, ["validate", str(config)])
    assert result.exit_code == 0, result.stdout
