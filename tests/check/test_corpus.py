"""The config corpus under tests/corpus: every file's diagnostics, exactly, at their positions.

Each corpus file states what omkit must report about it in header comments, one per diagnostic:
``# expect: S004 6:13`` (code, then line:column, 1-based, columns counted in characters).
``valid/`` files may only expect warnings; ``invalid/`` files expect at least one error.
The expectations were worked out by reading the files, not by running omkit.

The corpus pins the reading and schema layers (Y and S codes) for the default target release,
so the files are checked with explicit settings that turn every lint rule (R codes) off: the rules
are tested through their own documented examples, and no ``pyproject.toml`` can change results.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import check_file
from omkit_sagemaker.check.versions import parse_version

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

#: Omkit's defaults (target release 1.1) with every lint rule off.
SETTINGS = Settings(disable=frozenset(RULES))

Expected = tuple[str, int, int]
_EXPECT = re.compile(rb"^# expect: ([A-Z][0-9]{3}) ([0-9]+):([0-9]+)\r?$", re.MULTILINE)

#: Files that cannot carry their own header comments.
SIDE_EXPECTATIONS: dict[str, list[Expected]] = {
    "invalid/empty.yaml": [("Y003", 1, 1)],
}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def expectations(path: Path) -> list[Expected]:
    """The ``# expect:`` headers of a file (read as bytes: some files are not UTF-8 on purpose)."""
    side = SIDE_EXPECTATIONS.get(rel(path))
    if side is not None:
        return sorted(side)
    found = _EXPECT.findall(path.read_bytes())
    return sorted((code.decode(), int(line), int(col)) for code, line, col in found)


_TARGET = re.compile(rb"^# target-version: ([0-9.]+)\r?$", re.MULTILINE)


def check(path: Path) -> list[Diagnostic]:
    """The file's diagnostics for its target release (``# target-version: 2.0``; default 1.1)."""
    found = _TARGET.search(path.read_bytes()) if path.is_file() else None
    settings = (
        SETTINGS.replace(target=parse_version(found.group(1).decode())) if found else SETTINGS
    )
    return check_file(path, environ=FIXED_ENV, settings=settings)


def positions(diagnostics: list[Diagnostic]) -> list[Expected]:
    return sorted((d.code, d.line, d.column) for d in diagnostics)


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in diagnostics if d.code == code]
    assert len(matching) == 1, diagnostics
    return matching[0]


def _params() -> Iterator[object]:
    for path in corpus_files():
        yield pytest.param(path, id=rel(path))


# -- the corpus itself ---------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    valid = [p for p in corpus_files() if p.parent.name == "valid"]
    invalid = [p for p in corpus_files() if p.parent.name == "invalid"]
    assert len(valid) >= 10
    assert len(invalid) >= 30
    for path in invalid:
        assert expectations(path), f"{rel(path)} states no expected diagnostic"
    codes = {code for path in corpus_files() for code, _, _ in expectations(path)}
    loader_codes = {f"Y{n:03d}" for n in range(1, 11)}  # Y011 (unreadable) is tested below
    schema_codes = {"S001", "S002", "S003", "S004", "S005", "S006", "S010"}
    assert loader_codes | schema_codes <= codes


@pytest.mark.parametrize("path", list(_params()))
def test_corpus_file(path: Path) -> None:
    found = check(path)
    assert positions(found) == expectations(path), "\n".join(
        f"{d.line}:{d.column} {d.code} {d.message}" for d in found
    )
    errors = [d for d in found if d.severity is Severity.ERROR]
    if path.parent.name == "valid":
        assert errors == []
    else:
        assert errors, "an invalid file must have at least one error"


def test_template_is_valid() -> None:
    assert check_file(TEMPLATE, environ=FIXED_ENV, settings=SETTINGS) == []


# -- messages a user reads -----------------------------------------------------------------------


def test_did_you_mean_aws_region() -> None:
    found = check(CORPUS / "invalid/unknown-key-did-you-mean.yaml")
    assert "did you mean 'awsRegion'?" in only(found, "S001").message
    assert "'awsRegion'" in only(found, "S002").message


def test_did_you_mean_sagemaker_on_the_connector_page_sample() -> None:
    found = check(CORPUS / "invalid/connector-page-sample-as-published.yaml")
    message = only(found, "S004").message
    assert "'Sagemaker'" in message
    assert message.endswith("did you mean 'SageMaker'?")


def test_did_you_mean_warn() -> None:
    message = only(check(CORPUS / "invalid/enum-logger-level.yaml"), "S004").message
    assert "'WARNING'" in message
    assert message.endswith("did you mean 'WARN'?")


def test_a_value_from_the_environment_is_named_by_its_reference() -> None:
    # The value of a variable is never shown, nor hinted at by a suggestion derived from it.
    diag = only(check(CORPUS / "invalid/env-expanded-invalid.yaml"), "S004")
    assert diag.message.endswith("not the value of '${OMKIT_TEST_LEVEL}'")
    assert "WARNING" not in f"{diag.message} {diag.hint}"  # the variable's value
    assert "did you mean" not in diag.message


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("invalid/enum-pipeline-type.yaml", "MlModelMetadata"),
        ("invalid/enum-openmetadata-type.yaml", "OpenMetadata"),
        ("invalid/unknown-key-pipeline.yaml", "markDeletedMlModels"),
        ("invalid/unknown-key-filter-pattern.yaml", "includes"),
        ("invalid/unknown-key-source-level.yaml", "serviceConnection"),
        ("invalid/unknown-key-security-config.yaml", "jwtToken"),
        ("invalid/unknown-key-ssl-config-typo.yaml", "certificatePath"),
        ("invalid/utf8-bom-error.yaml", "openmetadata"),
    ],
)
def test_other_suggestions(name: str, suggestion: str) -> None:
    messages = [d.message for d in check(CORPUS / name)]
    assert any(m.endswith(f"did you mean '{suggestion}'?") for m in messages), messages


def test_unknown_key_without_suggestion_lists_the_allowed_keys() -> None:
    diag = only(check(CORPUS / "invalid/unknown-key-no-suggestion.yaml"), "S001")
    assert "'colour'" in diag.message
    assert "did you mean" not in diag.message
    assert diag.hint is not None
    for key in ("source", "sink", "workflowConfig"):
        assert key in diag.hint


def test_duplicate_key_names_both_lines() -> None:
    diag = only(check(CORPUS / "invalid/duplicate-key-root.yaml"), "Y005")
    assert (diag.line, diag.column) == (23, 1)  # the second sink:
    assert "'sink'" in diag.message
    assert "line 14" in diag.message  # the first sink:


def test_yaml11_octal_says_how_it_was_read() -> None:
    message = only(check(CORPUS / "invalid/type-yaml11-octal.yaml"), "S003").message
    assert "'0123'" in message
    assert "83" in message


def test_yaml_note_only_when_the_yaml_versions_disagree() -> None:
    message = only(check(CORPUS / "invalid/type-list-item.yaml"), "S003").message
    assert "excludes[0]" in message
    assert "YAML 1.1 reads" not in message


def test_later_release_keys_name_their_release() -> None:
    found = check(CORPUS / "invalid/unknown-keys-newer-releases.yaml")
    by_key = {d.path.rsplit(".", 1)[-1]: d for d in found}
    assert {d.code for d in found} == {"S010"}
    assert "exists from OpenMetadata 1.12; your target is 1.1" in by_key["enabled"].message
    assert "exists from OpenMetadata 2.0" in by_key["enableStreamableLogs"].message
    value = only(check(CORPUS / "invalid/enum-secrets-manager-provider.yaml"), "S010")
    assert "'azure-kv' exists from OpenMetadata 1.3" in value.message


def test_later_release_keys_pass_for_that_release() -> None:
    path = CORPUS / "invalid/unknown-keys-newer-releases.yaml"
    latest = Settings(disable=frozenset(RULES), target=(2, 0))
    assert check_file(path, environ=FIXED_ENV, settings=latest) == []


def test_a_byte_order_mark_changes_nothing() -> None:
    settings = Settings()  # every rule on: they read how each value was written
    with_bom = check_file(CORPUS / "valid/utf8-bom.yaml", environ=FIXED_ENV, settings=settings)
    without = check_file(
        CORPUS / "valid/auth-openmetadata.yaml", environ=FIXED_ENV, settings=settings
    )
    assert positions(with_bom) == positions(without)


def test_a_quoted_boolean_is_a_warning_the_runner_converts() -> None:
    """metadata ingest reads 'false' as false and runs (tests/differential): no S003 error, and
    with the lint rules on, R030 says what the runner makes of it."""
    path = CORPUS / "valid/type-quoted-boolean.yaml"
    assert check(path) == []
    (diag,) = check_file(path, environ=FIXED_ENV, settings=Settings())
    assert (diag.code, diag.severity) == ("R030", Severity.WARNING)
    assert "converts it to false" in diag.message


def test_unset_variable_is_named_in_the_hint() -> None:
    diag = only(check(CORPUS / "invalid/env-expanded-invalid.yaml"), "S006")
    assert diag.hint is not None
    assert "OMKIT_TEST_UNSET_HOST" in diag.hint
    assert "not set" in diag.hint


def test_invalid_regex_message_explains_the_regex_error() -> None:
    found = [d for d in check(CORPUS / "invalid/format-regex.yaml") if d.code == "S006"]
    assert len(found) == 2
    assert all("regular expression" in d.message for d in found)


def test_empty_value_hint_asks_for_a_value() -> None:
    diag = only(check(CORPUS / "invalid/type-empty-value.yaml"), "S003")
    assert "null" in diag.message
    assert diag.hint is not None
    assert "write a value" in diag.hint


def test_one_of_failure_gives_a_handful_of_lines() -> None:
    found = check(CORPUS / "invalid/security-config-without-provider.yaml")
    assert 1 <= len(found) <= 5, found


def test_one_of_failure_on_a_string_gives_one_line(tmp_path: Path) -> None:
    text = (CORPUS / "valid/auth-no-auth.yaml").read_text() + "    securityConfig: nope\n"
    path = tmp_path / "string-security-config.yaml"
    path.write_text(text)
    found = check(path)
    assert len(found) == 1, found
    assert found[0].code == "S003"


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 30)]
    path = tmp_path / "bomb.yaml"
    path.write_text("sink:\n  type: x\n  config:\n" + "".join(f"    {x}\n" for x in levels))
    for name in (path, CORPUS / "invalid/billion-laughs.yaml"):
        start = time.perf_counter()
        found = check(name)
        elapsed = time.perf_counter() - start
        assert [d.code for d in found] == ["Y007"]
        assert elapsed < 0.5, f"{name} took {elapsed:.2f}s"


def test_unreadable_path_is_y011(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    found = check(folder)
    assert [(d.code, d.line, d.column) for d in found] == [("Y011", 1, 1)]


def test_no_diagnostic_ever_shows_a_secret() -> None:
    secrets = [v for k, v in FIXED_ENV.items() if "SECRET" in k or "TOKEN" in k or "JWT" in k]
    for path in corpus_files():
        for diag in check(path):
            text = f"{diag.message} {diag.hint} {diag.path}"
            for secret in secrets:
                assert secret not in text, (rel(path), diag)


def test_many_values_without_aliases_are_not_an_alias_bomb(tmp_path: Path) -> None:
    models = ", ".join(f"model-{n}" for n in range(120_000))
    text = (
        (CORPUS / "valid/minimal.yaml")
        .read_text()
        .replace(
            "  type: metadata-rest\n", f"  type: metadata-rest\n  config:\n    models: [{models}]\n"
        )
    )
    path = tmp_path / "big.yaml"
    path.write_text(text)
    found = check(path)
    assert [d for d in found if d.code == "Y007"] == [], found[:3]
