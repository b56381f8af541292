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
from omkit_sagemaker.check import discovery
from omkit_sagemaker.check.loader import MAX_DIGITS
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import UsageError, check_file, check_paths, collect_files

from testing.samples import SAGEMAKER_SAMPLE, SAMPLE_ENV

GOOD = SAGEMAKER_SAMPLE


def write(path: Path, text: str = "a: 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def summary(found: list[Diagnostic]) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.column, d.path) for d in found]


# --- collect_files --------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ["a.yaml", "b.yml", "notes.txt", "c.json", "yaml", "sub/d.yaml", "sub/deep/e.yml",
                 ".hidden/f.yaml", "sub/.git/g.yaml", ".h.yaml"]:  # fmt: skip
        write(tmp_path / name, "source:\n  type: SageMaker\n")
    (tmp_path / "dir.yaml").mkdir()  # a folder with the suffix is no file
    write(tmp_path / "sub" / "docker-compose.yml", "services:\n  moto: {image: motoserver}\n")
    return tmp_path


def test_a_directory_yields_only_workflow_configs_by_their_content(tree: Path) -> None:
    write(tree / "sub" / "quoted.yaml", '# a config\n"workflowConfig":\n  loggerLevel: INFO\n')
    found = discovery.collect([tree / "sub"])
    assert [p.name for p in found.files] == ["d.yaml", "e.yml", "quoted.yaml"]
    assert [p.name for p in found.skipped] == ["docker-compose.yml"]


def test_a_named_file_is_checked_unless_only_workflows_is_asked(tree: Path) -> None:
    compose = tree / "sub" / "docker-compose.yml"
    assert discovery.collect([compose]).files == [compose]
    only = discovery.collect([compose, tree / "a.yaml"], only_workflows=True)
    assert (only.files, only.skipped) == ([tree / "a.yaml"], [compose])


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


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(discovery.MAX_BYTES + 1)
    with pytest.raises(UsageError, match=r"4,194,305 bytes is more than omkit reads \(4 MiB"):
        check_paths([big])


def test_directories_expand_recursively_to_yaml_files(tree: Path) -> None:
    found = collect_files([tree])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "a.yaml",
        "b.yml",
        "sub/d.yaml",
        "sub/deep/e.yml",
    ]


def test_files_are_kept_as_given_whatever_their_name(tree: Path) -> None:
    assert collect_files([tree / "notes.txt", tree / "sub/d.yaml"]) == [
        tree / "notes.txt",
        tree / "sub/d.yaml",
    ]


def test_a_hidden_folder_given_by_name_is_searched(tree: Path) -> None:
    assert collect_files([tree / ".hidden"]) == [tree / ".hidden/f.yaml"]


def test_targets_keep_their_order_and_duplicates_appear_once(tree: Path) -> None:
    found = collect_files([tree / "sub", tree / "a.yaml", tree, tree / "sub/d.yaml"])
    assert [p.relative_to(tree).as_posix() for p in found] == [
        "sub/d.yaml",
        "sub/deep/e.yml",
        "a.yaml",
        "b.yml",
    ]


def test_the_same_file_named_two_ways_appears_once(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    found = collect_files([tree / "sub", "sub/d.yaml"])
    assert len(found) == 2  # sub/d.yaml, sub/deep/e.yml


def test_a_file_named_through_links_and_dot_dots_appears_once(tree: Path) -> None:
    (tree / "alias.yaml").symlink_to(tree / "a.yaml")
    (tree / "linked").symlink_to(tree / "sub", target_is_directory=True)
    named = [
        tree / "a.yaml",
        tree / "alias.yaml",
        tree / "sub" / ".." / "a.yaml",
        tree / "sub/d.yaml",
        tree / "linked" / "d.yaml",
        tree / "linked" / "deep" / ".." / "d.yaml",
    ]
    assert collect_files(named) == [tree / "a.yaml", tree / "sub/d.yaml"]


def test_a_broken_or_looping_link_is_a_missing_file(tree: Path) -> None:
    (tree / "broken.yaml").symlink_to(tree / "nowhere.yaml")
    (tree / "loop.yaml").symlink_to(tree / "loop.yaml")
    for name in ("broken.yaml", "loop.yaml"):
        with pytest.raises(UsageError, match=rf"{name}: no such file or directory"):
            collect_files([tree / name])


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000, discovery.MAX_BYTES])
def test_a_file_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    assert discovery.read_bounded(path) == data


def test_a_missing_path_is_a_usage_error(tree: Path) -> None:
    with pytest.raises(UsageError, match=r"missing\.yaml: no such file or directory"):
        collect_files([tree / "a.yaml", tree / "missing.yaml"])


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
