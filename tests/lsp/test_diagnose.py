"""One buffer checked in LSP terms: which files, ranges, codes, settings, secrets, fixes, links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from omkit_sagemaker.lsp import diagnose
from omkit_sagemaker.lsp.positions import UTF8, UTF16, UTF32

from testing.samples import SAGEMAKER_SAMPLE, TEMPLATE

WHOLE = types.Range(types.Position(0, 0), types.Position(10_000, 0))


def _uri(tmp_path: Path, name: str = "w.yaml") -> str:
    return (tmp_path / name).as_uri()


def test_a_clean_config_has_no_diagnostics(tmp_path: Path) -> None:
    found = diagnose.analyse(_uri(tmp_path), TEMPLATE.read_text(encoding="utf-8"))
    assert found.workflow
    assert found.diagnostics == []


def test_yaml_that_is_not_a_workflow_gets_nothing(tmp_path: Path) -> None:
    found = diagnose.analyse(_uri(tmp_path, "compose.yml"), "services: [\n  web\n")
    assert not found.workflow
    assert found.diagnostics == []
    assert diagnose.code_actions(found, WHOLE) == []
    assert diagnose.document_links(found) == []


def test_a_diagnostic_has_omkit_s_code_severity_source_link_and_a_0_based_range(
    tmp_path: Path,
) -> None:
    text = SAGEMAKER_SAMPLE.replace("serviceName:", "servceName:")
    found = diagnose.analyse(_uri(tmp_path), text)
    [unknown] = [d for d in found.diagnostics if d.code == "S001"]
    line = text.split("\n").index("  servceName: local_sagemaker")
    assert unknown.range == types.Range(types.Position(line, 2), types.Position(line, 12))
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert unknown.source == "omkit"
    assert unknown.code_description is not None
    assert unknown.code_description.href.endswith("/docs/rules.md#all-codes")


def test_warnings_are_warnings(tmp_path: Path) -> None:
    # 0o17 is a string to YAML 1.1 (metadata ingest) but 15 to YAML 1.2: Y009, a warning.
    text = SAGEMAKER_SAMPLE.replace("serviceName: local_sagemaker", "serviceName: 0o17")
    found = diagnose.analyse(_uri(tmp_path), text)
    assert [(d.code, d.severity) for d in found.diagnostics] == [
        ("Y009", types.DiagnosticSeverity.Warning)
    ]


@pytest.mark.parametrize(("encoding", "width"), [(UTF16, 7), (UTF8, 10), (UTF32, 6)])
def test_ranges_over_non_ascii_text_follow_the_encoding(
    tmp_path: Path, encoding: str, width: int
) -> None:
    # "é😀-1" with its quotes: é is 2 UTF-8 bytes, 😀 4 bytes and 2 UTF-16 units.
    text = SAGEMAKER_SAMPLE.replace("awsRegion: us-east-2", 'awsRegion: "é😀-1"  # ü')
    found = diagnose.analyse(_uri(tmp_path), text, encoding)
    [region] = [d for d in found.diagnostics if d.code == "R003"]
    assert region.range.start.character == len("        awsRegion: ")
    assert region.range.end.character - region.range.start.character == width


def test_the_folder_settings_apply_and_environment_is_never_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".omkit.toml").write_text('disable = ["R003"]\n', encoding="utf-8")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-from-the-editor-env")
    text = SAGEMAKER_SAMPLE.replace("awsRegion: us-east-2", "awsRegion: Mars-1")
    found = diagnose.analyse(_uri(tmp_path), text)
    assert [d.code for d in found.diagnostics if d.code == "R003"] == []
    assert all("s3cr3t" not in d.message for d in found.diagnostics)


def test_a_literal_secret_never_appears_in_diagnostics_or_actions(tmp_path: Path) -> None:
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY99"
    text = SAGEMAKER_SAMPLE.replace("${AWS_SECRET_ACCESS_KEY}", secret)
    found = diagnose.analyse(_uri(tmp_path), text)
    assert "R001" in {d.code for d in found.diagnostics}
    assert all(secret not in d.message for d in found.diagnostics)
    actions = diagnose.code_actions(found, WHOLE)
    assert actions
    for action in actions:
        assert secret not in action.title
        assert action.edit is not None
        assert action.edit.changes is not None
        assert all(secret not in e.new_text for e in action.edit.changes[found.uri])


def test_quick_fixes_are_omkit_fix_s_and_a_fix_all_makes_them_together(tmp_path: Path) -> None:
    text = SAGEMAKER_SAMPLE.replace("serviceName:", "servceName:").replace(
        "awsRegion: us-east-2", "awsRegion: US-East-2"
    )
    found = diagnose.analyse(_uri(tmp_path), text)
    [rename] = [d for d in found.diagnostics if d.code == "S001"]
    actions = diagnose.code_actions(found, rename.range)
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert [a.diagnostics for a in quick] == [[rename]]
    every = [a for a in actions if a.kind == types.CodeActionKind.SourceFixAll]
    assert len(every) == 1
    assert every[0].edit is not None
    assert every[0].edit.changes is not None
    fixed = _apply(text, found, every[0].edit.changes[found.uri])
    assert "serviceName: local_sagemaker" in fixed
    assert "awsRegion: us-east-2" in fixed
    assert diagnose.analyse(found.uri, fixed).diagnostics == []


def _apply(text: str, found: diagnose.Analysis, edits: Sequence[types.TextEdit]) -> str:
    lines = found.lines
    spans = sorted(
        ((lines.offset(e.range.start), lines.offset(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def test_disable_comments_link_to_each_known_rule(tmp_path: Path) -> None:
    text = SAGEMAKER_SAMPLE.replace("source:\n", "source:  # omkit: disable=R003, R999\n", 1)
    links = diagnose.document_links(diagnose.analyse(_uri(tmp_path), text))
    [link] = links
    assert link.target is not None
    assert link.target.endswith("#r003-unknown-region")
    line = text.split("\n")[link.range.start.line]
    assert line[link.range.start.character : link.range.end.character] == "R003"


def test_token_end_covers_quotes_and_stops_at_colons_and_comments() -> None:
    assert diagnose.token_end("  key: value  # c", 2) == 5
    assert diagnose.token_end("  key: value  # c", 7) == 12
    assert diagnose.token_end("  k: 'it''s: x' # c", 5) == 15
    assert diagnose.token_end('  k: "a\\"b"', 5) == 11
    assert diagnose.token_end("", 0) == 0


def test_a_byte_order_mark_does_not_shift_line_one(tmp_path: Path) -> None:
    text = "\ufeffsourc: {}\nsource: x\n"
    found = diagnose.analyse(_uri(tmp_path), text)
    starts = {(d.range.start.line, d.range.start.character) for d in found.diagnostics}
    assert (0, 1) in starts  # the unknown key sourc, just after the mark
