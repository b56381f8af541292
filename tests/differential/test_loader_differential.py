"""The loader reads every text exactly as `metadata ingest` does (PyYAML's pure-Python safe_load).

omkit parses with libyaml where that is safe and falls back to the pure-Python loader elsewhere;
this property test throws random YAML-like text at both and demands the same data, and an error
from omkit exactly when safe_load fails, except where omkit is deliberately stricter (duplicate
keys, keys that are not text, a root that is not a mapping, tags the runner cannot use).
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check.loader import load_text

_STRICTER = {"Y004", "Y005", "Y007", "Y008"}

_TOKENS = st.sampled_from(
    [
        "a", "b", "k1", "yes", "0123", "1.5", "~", "x y", ": ", ":", "- ", "-", "[", "]", "{", "}",
        ", ", "#", " # c", "'", '"', "\t", "\n", "\n  ", "\n    ", " ", "&x ", "*x", "!", "!!str ",
        "|", ">", "|-\n  t", "%", "@", "`", "? ", "<<: ", "---", "...", "é", "\\", "$",
    ]
)  # fmt: skip


def _verdict(text: str) -> tuple[str, Any]:
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return ("error", None)
    return ("ok", data)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=14).map("".join))
@example("a: 1\t\n")
@example("a: |#\n  x\n")
@example("a: !\n")
@example("a: &x [1]\nb: *x\n")
def test_load_text_reads_like_safe_load(text: str) -> None:
    expected, data = _verdict(text)
    result = load_text(text, "t.yaml", environ=None)
    codes = {d.code for d in result.diagnostics if d.severity == "error"}
    if result.document is not None and not codes:
        assert expected == "ok", f"omkit accepted text that safe_load rejects: {text!r}"
        assert result.document.data == data
    elif expected == "ok":
        # omkit refused text the runner reads: only for a reason it states on purpose.
        messages = " ".join(d.message for d in result.diagnostics)
        deliberate = (
            bool(codes & _STRICTER)
            or (data is None and codes == {"Y003"})
            or not isinstance(data, dict)
            or any(word in messages for word in ("cannot be used", "nested", "digits"))
        )
        assert deliberate, f"omkit refused text that safe_load reads: {text!r}: {messages}"
