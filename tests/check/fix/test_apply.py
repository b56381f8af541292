"""``omkit fix`` as a library: each fix, what it refuses, and the corpus property (a fixed file
has one problem fewer per fix, no new one, and reads back to the same data elsewhere)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check.fix import apply
from omkit_sagemaker.check.loader import load_text

CORPUS = Path(__file__).parents[2] / "corpus"

GOOD = """\
# The SageMaker connector
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker   # the connection type

      awsConfig:
        awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
        awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
      markDeletedMlModels: true
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: INFO  # DEBUG, INFO, WARN or ERROR
  openMetadataServerConfig:
    hostPort: 'http://localhost:8585/api'
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${OPENMETADATA_JWT_TOKEN}
"""
SECRET = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"


def _fix(
    tmp_path: Path, text: str, target: str | None = None, *, unsafe: bool = False
) -> apply.FileFix:
    path = tmp_path / "sagemaker.yaml"
    path.write_bytes(text.encode("utf-8"))
    return apply.plan(path, target=target, unsafe=unsafe)


def _codes(result: apply.FileFix) -> list[str]:
    return [d.code for d, _ in result.applied]


def test_a_clean_file_has_nothing_to_fix(tmp_path: Path) -> None:
    result = _fix(tmp_path, GOOD)
    assert (result.applied, result.errors, result.changed) == ([], [], False)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("type: SageMaker   #", "type: Sagemaker   #", "S004"),  # enum in the wrong case
        ("loggerLevel: INFO", "loggerLevel: info", "S004"),
        ("markDeletedMlModels: true", "markDeletedMlModels: 'true'", "R030"),  # quoted boolean
        ("awsRegion: us-east-2", "awsRegon: us-east-2", "S001"),  # misspelt key
        ("awsRegion: us-east-2", "awsRegion: us-east-2a", "R004"),  # availability zone
        ("awsRegion: us-east-2", "awsRegion: US-EAST-2", "R003"),  # letter case
        ("hostPort: 'http://localhost:8585/api'", "hostPort: 'http://localhost:8585'", "R012"),
        (
            "hostPort: 'http://localhost:8585/api'",
            "hostPort: 'http://localhost:8585/api/v1/'",
            "R012",
        ),
        ("loggerLevel: INFO", "loggerLevel: WARNING", "R014"),
    ],
)
def test_each_fix_restores_the_file_exactly(tmp_path: Path, old: str, new: str, code: str) -> None:
    good = GOOD.replace("loggerLevel: INFO", "loggerLevel: WARN") if code == "R014" else GOOD
    broken = good.replace(old if code != "R014" else "loggerLevel: WARN", new)
    assert broken != good
    result = _fix(tmp_path, broken)
    assert _codes(result) == [code]
    assert result.new_text == good  # comments, blank lines, quotes, order: all as they were
    assert result.after == []


def test_a_quoted_number_loses_its_quotes(tmp_path: Path) -> None:
    text = GOOD.replace("  loggerLevel: INFO", "  loggerLevel: INFO\n  successThreshold: '90'")
    result = _fix(tmp_path, text, target="1.6")
    assert _codes(result) == ["R030"]  # the runner reads it as 90; so does the fixed file
    assert "  successThreshold: 90  # DEBUG" in result.new_text


def test_a_literal_secret_is_left_unless_unsafe_fixes_are_asked(tmp_path: Path) -> None:
    text = GOOD.replace("${AWS_SECRET_ACCESS_KEY}", f'"{SECRET}"')
    kept = _fix(tmp_path, text)
    assert (kept.applied, kept.changed) == ([], False)  # the secret is not lost by default
    ((diag, fix),) = kept.unsafe
    assert (diag.code, fix.safe, fix.new) == ("R001", False, '"${AWS_SECRET_ACCESS_KEY}"')
    assert "removes the secret from the file" in fix.caution
    result = _fix(tmp_path, text, unsafe=True)
    ((diag, fix),) = result.applied
    assert diag.code == "R001"
    assert fix.secret
    assert result.new_text == GOOD.replace("${AWS_SECRET_ACCESS_KEY}", '"${AWS_SECRET_ACCESS_KEY}"')
    assert "set AWS_SECRET_ACCESS_KEY to the old value (not shown here)" in fix.explanation
    assert "no longer in the file" in fix.explanation
    assert SECRET not in fix.explanation + fix.shown_old()
    shown = apply.diff(result)
    assert SECRET not in shown
    assert f"-        awsSecretAccessKey: {apply.MASK}\n" in shown


def test_a_key_with_two_close_matches_is_not_renamed(tmp_path: Path) -> None:
    text = GOOD.replace("awsRegion: us-east-2", "awsRegion: us-east-2\n        awsKey: x")
    result = _fix(tmp_path, text)
    assert "S001" in [d.code for d in result.before]
    assert result.applied == []


def test_a_fix_that_would_add_a_problem_is_not_made(tmp_path: Path) -> None:
    # Renaming awsRegon would surface the value under awsRegion; 'nowhere' has no fix (R003).
    text = GOOD.replace("awsRegion: us-east-2", "awsRegion: us-east-2\n        awsRegon: nowhere")
    result = _fix(tmp_path, text)
    assert result.applied == []  # awsRegion exists already: no certain rename


def test_crlf_line_endings_and_a_byte_order_mark_stay(tmp_path: Path) -> None:
    text = "\ufeff" + GOOD.replace("type: SageMaker", "type: Sagemaker").replace("\n", "\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(text.encode("utf-8"))
    result = apply.plan(path)
    apply.write(result)
    assert path.read_bytes() == ("\ufeff" + GOOD.replace("\n", "\r\n")).encode("utf-8")


def test_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "sagemaker.yaml"
    path.write_text(GOOD.replace("type: SageMaker", "type: Sagemaker"), encoding="utf-8")
    path.chmod(0o640)
    result = apply.plan(path)
    apply.write(result)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text(encoding="utf-8") == GOOD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sagemaker.yaml"]


def test_a_file_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    result = _fix(tmp_path, GOOD.replace("type: SageMaker", "type: Sagemaker"))
    Path(result.file).write_text("source: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="changed"):
        apply.write(result)


def test_a_symbolic_link_is_not_a_regular_file(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(GOOD.replace("type: SageMaker", "type: Sagemaker"), encoding="utf-8")
    link = tmp_path / "link.yaml"
    os.symlink(real, link)
    result = apply.plan(link)
    assert result.errors == [f"{link}:1:1: a symbolic link; omkit fix only writes regular files"]


def test_unreadable_yaml_gives_its_position(tmp_path: Path) -> None:
    result = _fix(tmp_path, "source:\n  type: [\n")
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{result.file}:3:1: Y001 ")


def test_migration_renames_keys_and_values_and_removes_unknown_ones(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    authProvider: openmetadata\n",
        "    authProvider: openmetadata\n    secretsManagerProvider: noop\n"
        "    verifySSL: validate\n    sslConfig:\n      certificatePath: /etc/ca.pem  # CA\n",
    )
    assert _fix(tmp_path, text).applied == []  # for the default target 1.1 all is fine
    result = _fix(tmp_path, text, target="1.4")
    assert _codes(result) == ["S010", "S010"]
    assert "    secretsManagerProvider: db\n" in result.new_text
    assert "      caCertificate: /etc/ca.pem  # CA\n" in result.new_text
    assert all(f.explanation for _, f in result.applied)
    newer = GOOD.replace(
        "workflowConfig:\n", "enableStreamableLogs: true  # 2.0\nworkflowConfig:\n"
    )
    assert _fix(tmp_path, newer).applied == []  # no target named: never removes a key
    result = _fix(tmp_path, newer, target="1.1")
    assert _codes(result) == ["S010"]
    assert result.new_text == GOOD
    assert "exists from OpenMetadata 2.0" in result.applied[0][1].explanation


# --- the corpus property ----------------------------------------------------------------------

CORPUS_FILES = sorted(CORPUS.rglob("*.yaml"))


def _without(data: Any, paths: list[tuple[Any, ...]]) -> Any:
    """``data`` without the values at (and keys of) ``paths``, to compare what stays."""
    import copy

    out = copy.deepcopy(data)
    for path in sorted(paths, key=len, reverse=True):
        node = out
        for part in path[:-1]:
            node = node[part] if isinstance(node, (dict, list)) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return out


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixing_a_corpus_file_only_removes_problems(path: Path, tmp_path: Path) -> None:
    copy_ = tmp_path / path.name
    copy_.write_bytes(path.read_bytes())
    result = apply.plan(copy_)
    if not result.applied:
        return
    assert not result.errors
    assert len(result.after) <= len(result.before) - len(result.applied)
    old = load_text(result.old_text, "old", environ=None).document
    new = load_text(result.new_text, "new", environ=None).document
    assert old is not None
    assert new is not None
    fixed = [f.path for _, f in result.applied]
    renamed = [(*f.path[:-1], f.new) for _, f in result.applied if f.kind == "key"]
    assert _without(old.data, fixed) == _without(new.data, fixed + renamed)


#: Less the files that are valid only because metadata ingest converts a value (R030): omkit
#: fix writes those values as the runner reads them.
_CONVERTED = (
    "type-number-for-boolean.yaml",
    "type-quoted-boolean.yaml",
    "type-quoted-integer.yaml",
)
VALID = sorted(p for p in (CORPUS / "valid").glob("*.yaml") if p.name not in _CONVERTED)
#: Ways to break a valid file that omkit fix must undo exactly: (written, broken).
BREAKAGES = [
    ("type: SageMaker", "type: Sagemaker"),
    ("type: SageMaker", "type: SAGEMAKER"),
    ("loggerLevel: INFO", "loggerLevel: info"),
    ("loggerLevel: DEBUG", "loggerLevel: debug"),
    ("awsRegion: us-east-2", "awsRegion: us-east-2b"),
    ("awsRegion: ", "awsRegon: "),
    ("hostPort: http://localhost:8585/api", "hostPort: http://localhost:8585"),
    ("markDeletedMlModels: true", "markDeletedMlModels: 'true'"),
    ("markDeletedMlModels: false", 'markDeletedMlModels: "false"'),
]


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(VALID),
    st.lists(st.sampled_from(BREAKAGES), min_size=1, max_size=4, unique=True),
)
def test_fix_undoes_what_breaks_a_valid_file(
    tmp_path: Path, path: Path, breakages: list[tuple[str, str]]
) -> None:
    good = path.read_bytes().decode("utf-8")
    broken = good
    for written, wrong in breakages:
        broken = broken.replace(written, wrong, 1)
    if broken == good:
        return
    as_read = load_text(broken, "broken", environ=None).document
    original = load_text(good, "good", environ=None).document
    if as_read is not None and original is not None and as_read.data == original.data:
        return  # the breakage only hit a comment: nothing for fix to undo
    wanted = _fix(tmp_path, good)  # what fixing the file as it was gives (its own warnings)
    if wanted.changed:
        good = ("\ufeff" if good.startswith("\ufeff") else "") + wanted.new_text
    result = _fix(tmp_path, broken)
    if len(result.before) <= len(wanted.before):
        return  # the breakage made no problem (source.type takes any letter case)
    assert not result.errors
    before = load_text(good, "good", environ=None).document
    after = load_text(result.new_text, "fixed", environ=None).document
    assert before is not None
    assert after is not None
    assert after.data == before.data
    apply.write(result)
    assert Path(result.file).read_bytes() == good.encode("utf-8")


# --- secrets in diffs: by what the value is, wherever it is written ---------------------------


def test_a_secret_reached_through_an_alias_or_a_merge_key_is_masked_where_written(
    tmp_path: Path,
) -> None:
    text = (
        f"shared: &creds\n  awsSecretAccessKey: {SECRET}\nplain: &token Zq7AliasedTokenValue\n"
        + GOOD.replace("awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}", "<<: *creds")
        .replace("jwtToken: ${OPENMETADATA_JWT_TOKEN}", "jwtToken: *token")
        .replace("type: SageMaker   #", "type: Sagemaker   #")
        .replace("# The SageMaker connector", f"# The SageMaker connector (was {SECRET})")
    )
    result = _fix(tmp_path, text)
    assert [d.code for d, _ in result.applied] == ["S004"]
    shown = apply.diff(result)
    assert "+      type: SageMaker   # the connection type\n" in shown
    assert SECRET not in shown
    assert "Zq7AliasedTokenValue" not in shown


def test_a_fix_that_leaves_a_copy_of_the_secret_does_not_say_it_is_gone(tmp_path: Path) -> None:
    text = GOOD.replace("${AWS_SECRET_ACCESS_KEY}", SECRET).replace(
        "# the connection type", f"# the key was {SECRET}"
    )
    result = _fix(tmp_path, text, unsafe=True)
    ((_, fix),) = result.applied
    assert "a copy of the secret is still in the file on line 7" in fix.explanation
    assert "no longer in the file" not in fix.explanation
    assert SECRET not in fix.explanation


# --- fuzz: fix and fix --diff over mutated configs ---------------------------------------------

MARKER = "Zq7FixMarker"
_SPELT = ["awsSecretAccessKey", "AwsSecretAccessKey", "awsSecretAccesKey", "AWSSECRETACCESSKEY"]
_JWT_SPELT = ["jwtToken", "jwttoken", "JWTTOKEN", "jwtTokn"]
#: Ways to make a secret harder to find, each (old, new) on GOOD with its literal secrets.
_HIDINGS = [
    ("    hostPort: 'http://localhost:8585/api'", f"    hostPort: 'http://bot:{MARKER}u@localhost:8585'"),
    ("        awsSecretAccessKey: S", "        <<: *creds\n        awsSessionToken: S"),
    ("    config:\n      type: SageMaker", "    configs:\n      type: SageMaker"),
    ("    securityConfig:\n", "    securityConfg:\n"),
    ("# The SageMaker connector", f"# The SageMaker connector, key S{MARKER}a"),  # a copy
    ("      type: SageMaker", "      type: Sagemaker"),
    ("  loggerLevel: INFO", "  loggerLevel: info"),
    ("'http://localhost:8585/api'", "'http://localhost:8585'"),
    ("awsRegion: us-east-2", "awsRegion: us-east-2a"),
    ("markDeletedMlModels: true", "markDeletedMlModels: 'true'"),
]  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = GOOD.replace("${AWS_SECRET_ACCESS_KEY}", f"S{MARKER}a").replace(
        "${OPENMETADATA_JWT_TOKEN}", f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.{MARKER}j"
    )
    text = f"creds: &creds\n  awsSecretAccessKey: {MARKER}m\n" + text
    text = text.replace("awsSecretAccessKey: S", f"{draw(st.sampled_from(_SPELT))}: S")
    text = text.replace("jwtToken:", f"{draw(st.sampled_from(_JWT_SPELT))}:")
    for old, new in draw(st.lists(st.sampled_from(_HIDINGS), max_size=5, unique=True)):
        text = text.replace(old.replace("awsSecretAccessKey", _SPELT[0]), new, 1)
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "indent", "insert"]))
        if action == "drop":
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "indent":
            lines[at] = " " * draw(st.integers(0, 4)) + lines[at].lstrip(" ")
        else:
            piece = draw(st.sampled_from([":", "- ", "&a ", "*a", "'", "#", "\t", "<<: *creds"]))
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + piece + lines[at][column:]
    return "\n".join(lines)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_mutated(), unsafe=st.booleans())
def test_fix_never_crashes_leaks_nor_changes_what_it_does_not_report(
    tmp_path: Path, text: str, unsafe: bool
) -> None:
    import yaml
    from omkit_sagemaker.cli import app
    from typer.testing import CliRunner

    path = tmp_path / "fuzzed.yaml"
    path.write_text(text, encoding="utf-8")
    options = ["--unsafe-fixes"] if unsafe else []
    planned = apply.plan(path, unsafe=unsafe, environ=None)
    for command in (["fix", "--diff", *options], ["fix", *options]):
        result = CliRunner().invoke(app, [*command, "--no-env", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), text
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        assert MARKER not in result.output, (text, result.output)
    after = path.read_text(encoding="utf-8")
    if not planned.changed:
        assert after == text
        return
    assert after == planned.new_text
    fixes = [f for _, f in planned.applied]
    assert _leaves(yaml.safe_load(text), fixes, old=True) == _leaves(
        yaml.safe_load(after), fixes, old=False
    ), text


def _leaves(data: Any, fixes: list[Any], *, old: bool) -> dict[tuple[Any, ...], Any]:
    """Every scalar of ``data`` by its path, keys renamed by ``fixes`` as the fixed file names
    them (``old``: ``data`` is the file before), less the values the fixes report."""
    out: dict[tuple[Any, ...], Any] = {}
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict) and node:
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list) and node:
            stack.extend(((*path, i), v) for i, v in enumerate(node))
        else:
            out[path] = node
    renames = sorted((f for f in fixes if f.kind == "key"), key=lambda f: len(f.path))
    gone = [_renamed(f.path, renames) for f in fixes if f.kind != "key"]
    kept: dict[tuple[Any, ...], Any] = {}
    for path, value in out.items():
        named = _renamed(path, renames) if old else path
        if not any(named[: len(g)] == g for g in gone):
            kept[named] = value
    return kept


def _renamed(path: tuple[Any, ...], renames: list[Any]) -> tuple[Any, ...]:
    for fix in renames:
        if path[: len(fix.path)] == fix.path:
            path = (*fix.path[:-1], fix.new, *path[len(fix.path) :])
    return path
