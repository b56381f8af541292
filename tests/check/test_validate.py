"""omkit_sagemaker.check.validate: which files a run checks, and every diagnostic of a file end to
end.

GOOD passes every check (schema, YAML 1.1/1.2, lint rules) with or without its variables set, so
each test's edit is the only problem in its file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.loader import MAX_DIGITS
from omkit_sagemaker.check.validate import UsageError, check_file, collect_files, validate_paths
from samples import SAGEMAKER_SAMPLE

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
        write(tmp_path / name)
    (tmp_path / "dir.yaml").mkdir()  # a folder with the suffix is no file
    return tmp_path


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


def test_a_missing_path_is_a_usage_error(tree: Path) -> None:
    with pytest.raises(UsageError, match=r"no such file or directory: .*missing\.yaml"):
        collect_files([tree / "a.yaml", tree / "missing.yaml"])


def test_an_empty_folder_gives_no_file(tmp_path: Path) -> None:
    assert collect_files([tmp_path]) == []


# --- check_file end to end ------------------------------------------------------------------


def test_the_good_config_has_no_diagnostic(tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", GOOD)
    assert check_file(path, environ={"OM_JWT": "eyJ.token"}) == []
    assert check_file(path, environ={}) == []
    assert check_file(path, environ=None) == []


def test_a_misspelt_service_type(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", edit("type: SageMaker", "type: Sagemaker"))
    (d,) = check_file(path, environ={})
    assert (d.file, d.code, d.line, d.column) == (str(path), "S004", 6, 13)
    assert d.severity is Severity.ERROR
    assert "did you mean 'SageMaker'?" in d.message


def test_diagnostics_of_all_kinds_sorted_by_position(tmp_path: Path) -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: 0123")
    text = edit("  config: {}", "  config: {retries: 0123}", text)
    text = edit("type: SageMaker", "type: sagemaker", text)
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert summary(found) == [
        ("S003", 3, 16, "$.source.serviceName"),
        ("S004", 6, 13, "$.source.serviceConnection.config.type"),
        ("Y009", 16, 21, "$.sink.config.retries"),
    ]
    assert found[2].severity is Severity.WARNING


def test_loader_problems_stop_the_schema_check(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.yaml", GOOD + "sink: {}\n")
    found = check_file(path, environ={})
    assert summary(found) == [("Y005", 23, 1, "$")]
    assert "first written on line 14" in found[0].message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("local_sagemaker", "local_sagémaker").encode("latin-1"))
    found = check_file(path, environ={})
    assert summary(found) == [("Y002", 3, 25, "$")]


def test_a_missing_file_or_a_folder_cannot_be_read(tmp_path: Path) -> None:
    assert [d.code for d in check_file(tmp_path / "missing.yaml")] == ["Y011"]
    assert [d.code for d in check_file(tmp_path)] == ["Y011"]


def test_environment_variables_are_expanded_from_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "env.yaml", edit('"http://localhost:8585/api"', "${OMK_HOST}"))
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
    result = validate_paths([tmp_path], environ={})
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
    found = check_file(write(tmp_path / "c.yaml", edit(old, new)), environ={})
    assert code in {d.code for d in found}
    assert "Y009" not in {d.code for d in found}


def test_no_y009_on_a_list_item_with_an_error_but_one_on_its_sibling(tmp_path: Path) -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      mlModelFilterPattern:\n        includes: [0123]\n",
    )
    text = edit("  config: {}", "  config: {flag: on}", text)
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert [(d.code, d.path) for d in found] == [
        ("S003", "$.source.sourceConfig.config.mlModelFilterPattern.includes[0]"),
        ("Y009", "$.sink.config.flag"),
    ]


def test_y009_warnings_are_kept_where_there_is_no_error(tmp_path: Path) -> None:
    text = edit("  config: {}", "  config: {a: yes, b: 1:30, c: '0123'}")
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert [(d.code, d.path) for d in found] == [
        ("Y009", "$.sink.config.a"),
        ("Y009", "$.sink.config.b"),
    ]


def test_a_non_string_key_is_reported_once_at_its_line(tmp_path: Path) -> None:
    text = GOOD + "yes: 1\n"
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert [(d.line, d.column) for d in found] == [(23, 1)]


# --- Secrets and crashes end to end ---------------------------------------------------------


def test_a_secret_from_the_environment_is_never_printed(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", edit("${AWS_SECRET_ACCESS_KEY}", "${OMK_K}"))
    found = check_file(path, environ={"OMK_K": "2024-02-30"})
    assert found
    assert all("2024-02-30" not in f"{d.message} {d.hint}" for d in found)


def test_a_huge_integer_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: 0x" + "F" * 4000)
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert [(d.code, d.line, d.column) for d in found] == [("Y001", 3, 16)]
    assert found[0].message == f"this number has more than {MAX_DIGITS:,} digits"


def test_the_largest_hex_number_the_loader_accepts_is_a_diagnostic_not_a_crash(
    tmp_path: Path,
) -> None:
    # Hex text is not limited by Python's int-to-text conversion; its repr() in decimal is.
    text = edit("serviceName: local_sagemaker", "serviceName: 0x" + "F" * (MAX_DIGITS - 2))
    found = check_file(write(tmp_path / "c.yaml", text), environ={})
    assert [(d.code, d.line, d.column) for d in found] == [("S003", 3, 16)]
