"""Fuzzing ``omkit validate`` with mutated configs (hypothesis): whatever the file holds, the
command ends with exit 0, 1 or 2, never a traceback, and no secret in any output format.

Every corpus config gets its secrets replaced by marker values (literal, and through ``${VAR}``
references whose variables hold markers), then is mutated: lines dropped, doubled or swapped,
indentation shifted, YAML punctuation and odd characters inserted, values replaced. The CLI
runs in process (typer's runner) so that a few hundred runs stay within seconds; the
end-to-end tests in ``test_cli.py`` run the real entry point on the hostile files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.cli import app
from typer.testing import CliRunner

CORPUS = Path(__file__).parents[1] / "corpus"
SOURCES = sorted((CORPUS / "valid").glob("*.yaml")) + sorted((CORPUS / "invalid").glob("*.yaml"))
MARKER = "Zq7SecretMarker"
#: The variables the mutated files may reference, each holding a marker.
ENV = {f"FUZZ_SECRET_{i}": f"{MARKER}-env-{i}" for i in range(3)}
_SECRET_LINE = re.compile(
    r"^(\s*-?\s*(?:awsSecretAccessKey|awsSessionToken|jwtToken|secretKey|clientSecret|"
    r"password|privateKey)\s*:\s*)(.*)$",
    re.MULTILINE,
)
_INSERTS = [":", " ", "\t", "- ", "[", "]", "{", "}", "&a ", "*a", "!!str ", "? ", "|", ">",
            "#", "'", '"', "%", "@", "`", "\\", "\x00", "\u202e", "${FUZZ_SECRET_0}",
            f"{MARKER}-literal", "\r", "\n", "---\n", "<<: *a\n"]  # fmt: skip


def _with_markers(text: str, index: int) -> str:
    """The corpus text with every secret value a marker: a literal, or a reference to one."""

    def swap(match: re.Match[str]) -> str:
        value = f"{MARKER}-literal" if index % 2 else f"${{FUZZ_SECRET_{index % 3}}}"
        return match.group(1) + value

    return _SECRET_LINE.sub(swap, text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    index = draw(st.integers(0, len(SOURCES) - 1))
    text = _with_markers(SOURCES[index].read_text(encoding="utf-8", errors="replace"), index)
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "swap", "indent", "insert", "value"]))
        if action == "drop":
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif action == "indent":
            lines[at] = " " * draw(st.integers(0, 5)) + lines[at].lstrip(" ")
        elif action == "insert":
            column = draw(st.integers(0, len(lines[at])))
            piece = draw(st.sampled_from(_INSERTS))
            lines[at] = lines[at][:column] + piece + lines[at][column:]
        elif action == "value" and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            value = draw(st.sampled_from(["", "~", "yes", "0x1F", "1e3", "[]", "{}", "'x'"]))
            lines[at] = f"{key}: {value}"
    return "\n".join(lines)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated())
def test_a_mutated_config_never_crashes_nor_leaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, text: str
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "fuzzed.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    result = CliRunner().invoke(app, ["validate", "--format", fmt, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), text
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert MARKER not in result.output, text
