"""omkit_sagemaker.check.validate: which files a run checks, and every diagnostic of a file end to
end.

GOOD passes every check (schema, YAML 1.1/1.2, lint rules) with its variables set (SAMPLE_ENV) or
with expansion off, so each test's edit is the only problem in its file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.loader import MAX_DIGITS
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import UsageError, check_file, check_paths, collect_files

from testing.files import write
from testing.samples import SAGEMAKER_SAMPLE, SAMPLE_ENV

GOOD = SAGEMAKER_SAMPLE


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def summary(found: list[Diagnostic]) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.column, d.path) for d in found]


# --- check_paths --------------------------------------------------------------------------


def test_an_empty_directory_or_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no workflow config to check in"):
        check_paths([tmp_path])
    with pytest.raises(UsageError, match="an empty path was given"):
        check_paths([""])
    write(tmp_path / "compose.yml", "services: {}\n")
    with pytest.raises(UsageError, match=r"\(1 YAML file is not a workflow config\)"):
        check_paths([tmp_path])
    result = check_paths([tmp_path / "compose.yml"], only_workflows=True)
    assert (result.files, result.skipped) == ([], [str(tmp_path / "compose.yml")])


def test_a_device_or_fifo_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="/dev/zero: not a regular file"):
        check_paths(["/dev/zero"])
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=r"pipe\.yaml: not a regular file"):
        check_paths([fifo])
    [diag] = check_file(fifo, environ=None)  # the library call never blocks either
    assert diag.code == "Y011"


def test_an_empty_folder_gives_no_file(tmp_path: Path) -> None:
    assert collect_files([tmp_path]) == []


def test_standard_input_is_checked_under_its_given_name(tmp_path: Path) -> None:
    text = edit("type: SageMaker", "type: Sagemaker").encode()
    name = str(tmp_path / "sm.yaml")
    result = check_paths(["-"], stdin=text, stdin_name=name, environ=SAMPLE_ENV)
    assert result.files == [name]
    assert [(d.file, d.code, d.line) for d in result.diagnostics] == [(name, "S004", 6)]


#: Release 2.0, whose parser refuses a number or a boolean where text is expected (S003); 1.1's
#: turns it into text and runs, which omkit reports as the warning R030.
AT_2_0 = Settings(target=(2, 0))


# --- check_file end to end ------------------------------------------------------------------


def test_the_good_config_has_no_diagnostic(tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", GOOD)
    assert check_file(path, environ=SAMPLE_ENV) == []
    assert check_file(path, environ=None) == []


def test_every_unset_variable_is_reported_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", GOOD)
    env = {k: v for k, v in SAMPLE_ENV.items() if k != "OM_JWT"}
    (d,) = check_file(path, environ=env)
    line = GOOD.splitlines().index('      jwtToken: "${OM_JWT}"') + 1
    # the runner's parser takes the literal text as a token: the run fails later, a warning
    assert (d.code, d.severity, d.line, d.column) == ("R020", Severity.WARNING, line, 18)
    assert "OM_JWT is not set" in d.message
    found = check_file(path, environ={})
    assert {d.code for d in found} == {"R020"}
    assert all(d.severity is Severity.WARNING for d in found)  # key ID and secrets
    assert len(found) == 3


def test_an_unset_variable_in_a_free_text_field_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.yaml", edit("serviceName: local_sagemaker", "serviceName: ml_${TEAM}")
    )
    (d,) = check_file(path, environ=SAMPLE_ENV)
    assert (d.code, d.severity) == ("R020", Severity.WARNING)
    assert d.message.startswith("serviceName: the environment variable TEAM is not set")


def test_a_misspelt_service_type(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", edit("type: SageMaker", "type: Sagemaker"))
    (d,) = check_file(path, environ=SAMPLE_ENV)
    assert (d.file, d.code, d.line, d.column) == (str(path), "S004", 6, 13)
    assert d.severity is Severity.ERROR
    assert "did you mean 'SageMaker'?" in d.message


def test_diagnostics_of_all_kinds_sorted_by_position(tmp_path: Path) -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: 0123")
    text = edit("  config: {}", "  config: {retries: 0123}", text)
    text = edit("type: SageMaker", "type: sagemaker", text)
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV, settings=AT_2_0)
    found = [d for d in found if d.code != "R025"]  # the sink's unknown keys (R025)
    assert summary(found) == [
        ("S003", 3, 16, "$.source.serviceName"),
        ("S004", 6, 13, "$.source.serviceConnection.config.type"),
        ("Y009", 16, 21, "$.sink.config.retries"),
    ]
    assert found[2].severity is Severity.WARNING


def test_loader_problems_stop_the_schema_check(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.yaml", GOOD + "sink: {}\n")
    found = check_file(path, environ=SAMPLE_ENV)
    assert summary(found) == [("Y005", 23, 1, "$")]
    assert "first written on line 14" in found[0].message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("local_sagemaker", "local_sagémaker").encode("latin-1"))
    found = check_file(path, environ=SAMPLE_ENV)
    assert summary(found) == [("Y002", 3, 25, "$")]


def test_a_missing_file_or_a_folder_cannot_be_read(tmp_path: Path) -> None:
    assert [d.code for d in check_file(tmp_path / "missing.yaml")] == ["Y011"]
    assert [d.code for d in check_file(tmp_path)] == ["Y011"]


def test_environment_variables_are_expanded_from_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "env.yaml", edit('"http://localhost:8585/api"', "${OMK_HOST}"))
    for name, value in SAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OMK_HOST", "http://127.0.0.1:8585/api")
    assert check_file(path) == []
    monkeypatch.setenv("OMK_HOST", "127.0.0.1:8585")
    assert [d.code for d in check_file(path)] == ["S006"]
    (d,) = check_file(path, environ=None)  # expansion off: the text stays '${OMK_HOST}'
    assert d.code == "S006"
    assert d.hint is not None
    assert "not expanded (--no-env)" in d.hint


def test_validate_paths_collects_every_file(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", GOOD)
    write(tmp_path / "bad.yaml", edit("type: SageMaker", "type: Sagemaker"))
    write(tmp_path / "notes.txt", "not yaml: [")
    result = check_paths([tmp_path], environ=SAMPLE_ENV)
    assert result.files == [str(tmp_path / "bad.yaml"), str(tmp_path / "good.yaml")]
    assert [(Path(d.file).name, d.code) for d in result.diagnostics] == [("bad.yaml", "S004")]


# --- No Y009 warning on a value that already has an error -----------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("serviceName: local_sagemaker", "serviceName: yes", "S003"),
        ("serviceName: local_sagemaker", "serviceName: 0123", "S003"),
        ("type: SageMaker", "type: on", "S003"),
        ("  config: {}", "  config: off", "S003"),
        ("  type: sagemaker", "  type: 1_000", "S003"),
    ],
)
def test_no_y009_on_a_value_that_has_an_error(
    tmp_path: Path, old: str, new: str, code: str
) -> None:
    found = check_file(
        write(tmp_path / "c.yaml", edit(old, new)), environ=SAMPLE_ENV, settings=AT_2_0
    )
    assert code in {d.code for d in found}
    assert "Y009" not in {d.code for d in found}


def test_no_y009_on_a_list_item_with_an_error_but_one_on_its_sibling(tmp_path: Path) -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      mlModelFilterPattern:\n        includes: [0123]\n",
    )
    text = edit("  config: {}", "  config: {flag: on}", text)
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV, settings=AT_2_0)
    found = [d for d in found if d.code != "R025"]  # the sink's unknown keys (R025)
    assert [(d.code, d.path) for d in found] == [
        ("S003", "$.source.sourceConfig.config.mlModelFilterPattern.includes[0]"),
        ("Y009", "$.sink.config.flag"),
    ]


def test_y009_warnings_are_kept_where_there_is_no_error(tmp_path: Path) -> None:
    text = edit("  config: {}", "  config: {a: yes, b: 1:30, c: '0123'}")
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV)
    found = [d for d in found if d.code != "R025"]  # the sink's unknown keys (R025)
    assert [(d.code, d.path) for d in found] == [
        ("Y009", "$.sink.config.a"),
        ("Y009", "$.sink.config.b"),
    ]


def test_a_non_string_key_is_reported_once_at_its_line(tmp_path: Path) -> None:
    text = GOOD + "yes: 1\n"
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV)
    assert [(d.line, d.column) for d in found] == [(23, 1)]


# --- Secrets and crashes end to end ---------------------------------------------------------


def test_a_secret_from_the_environment_is_never_printed(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", edit("${AWS_SECRET_ACCESS_KEY}", "${OMK_K}"))
    found = check_file(path, environ={"OMK_K": "2024-02-30"})
    assert found
    assert all("2024-02-30" not in f"{d.message} {d.hint}" for d in found)


def test_a_huge_integer_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: 0x" + "F" * 4000)
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV)
    assert [(d.code, d.line, d.column) for d in found] == [("Y001", 3, 16)]
    assert found[0].message == f"this number has more than {MAX_DIGITS:,} digits"


def test_the_largest_hex_number_the_loader_accepts_is_a_diagnostic_not_a_crash(
    tmp_path: Path,
) -> None:
    # Hex text is not limited by Python's int-to-text conversion; its repr() in decimal is.
    text = edit("serviceName: local_sagemaker", "serviceName: 0x" + "F" * (MAX_DIGITS - 2))
    found = check_file(write(tmp_path / "c.yaml", text), environ=SAMPLE_ENV, settings=AT_2_0)
    assert [(d.code, d.line, d.column) for d in found] == [("S003", 3, 16)]


# --- hostile sizes and line endings ---------------------------------------------------------------


def test_unknown_keys_past_twenty_are_counted_in_one_line(tmp_path: Path) -> None:
    extra = "".join(f"  k{i}: 1\n" for i in range(5_000))
    path = write(tmp_path / "c.yaml", GOOD.replace("source:\n", "source:\n" + extra, 1))
    found = check_file(path, environ=SAMPLE_ENV)
    assert [d.code for d in found] == ["S001"] * 21
    assert found[-1].message == "and 4,980 more unknown keys in source, from 'k20'"
    assert (found[-1].line, found[-1].column) == (22, 3)  # at k20, the first of the rest


def test_a_file_of_more_lines_than_a_config_needs_is_not_parsed(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", GOOD + "# x\n" * 20_001)
    (diag,) = check_file(path, environ=None)
    assert (diag.code, diag.line, diag.column) == ("Y012", 20_001, 1)
    assert "omkit reads configs of up to 20,000" in diag.message


def test_lines_ending_in_cr_alone_are_counted_as_lines(tmp_path: Path) -> None:
    text = GOOD.replace("type: SageMaker", "type: Sagemaker").replace("\n", "\r")
    path = tmp_path / "c.yaml"
    path.write_bytes(text.encode())
    (diag,) = check_file(path, environ=SAMPLE_ENV)
    assert (diag.code, diag.line, diag.column) == ("S004", 6, 13)


def test_a_list_as_a_key_says_so(tmp_path: Path) -> None:
    (diag,) = check_file(write(tmp_path / "c.yaml", "? [a, b]\n: c\nsource: {}\n"), environ=None)
    assert diag.code == "Y008"
    assert diag.message == "a mapping key is a list or a mapping; metadata ingest cannot read it"


def test_a_path_too_long_for_the_system_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^a{60}…a{40}: cannot read it: File name too long$"):
        check_paths(["a" * 5_000])
