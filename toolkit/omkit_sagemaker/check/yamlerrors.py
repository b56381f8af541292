"""The YAML parser's and constructor's errors, said as one diagnostic with the place to look.

PyYAML reports where its reading stopped, in its own words; :func:`yaml_error` points at the
place the user must change (the opening quote of an unclosed string, the variable that broke
the YAML, the tab used for indentation) and :func:`construct_error` finds the one value that
could not be built, without ever quoting it (it may be a secret).
"""

from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import Node, ScalarNode

from omkit_sagemaker.base.diagnostics import Diagnostic, make
from omkit_sagemaker.check.document import Position
from omkit_sagemaker.check.locator import Locator
from omkit_sagemaker.check.nodechecks import MERGE_TAG, walk_unique


def yaml_error(exc: yaml.YAMLError, name: str, locator: Locator, parsed: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        pos = locator.at(exc.position)
        char = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        msg = f"the file contains the control character #x{char:04x}, which YAML does not allow"
        return make("Y001", name, pos.line, pos.column, msg, hint="delete it")
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    if (
        problem_mark is not None
        and context_mark is not None
        and int(problem_mark.index) >= len(parsed.rstrip())
    ):  # "found unexpected end of stream": the opening quote or bracket is the place to look
        mark = context_mark
    problem = str(getattr(exc, "problem", None) or exc).strip()
    context = str(getattr(exc, "context", None) or "").strip()
    pos = locator.mark(mark) if mark is not None else Position(1, 1)
    if mark is not None and locator.from_environment(mark):
        msg = "the value of an environment variable breaks the YAML here"
        hint = "quote the ${VAR} reference, or fix the variable's value"
        return make("Y001", name, pos.line, pos.column, msg, hint=hint)
    if "duplicate anchor" in context and context_mark is not None and problem_mark is not None:
        pos = locator.mark(problem_mark)
        first = locator.mark(context_mark).line
        msg = f"this anchor name is already defined on line {first}"
        return make("Y001", name, pos.line, pos.column, msg, hint="rename one of the anchors")
    index = int(mark.index) if mark is not None else -1
    if 0 <= index < len(parsed) and parsed[index] == "\t":
        msg = "a tab character is used for indentation; YAML allows only spaces there"
        return make("Y006", name, pos.line, pos.column, msg, hint="replace the tab with spaces")
    if "single document" in problem + context:
        msg = "the file holds more than one YAML document; metadata ingest reads exactly one"
        return make("Y010", name, pos.line, pos.column, msg, hint="remove the '---' separator")
    msg = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return make("Y001", name, pos.line, pos.column, msg)


def construct_error(root: Node, name: str, locator: Locator) -> Diagnostic:
    """Find the value that could not be built (say, ``2024-13-40`` or an unknown tag).

    The message never quotes the value itself: it may be a secret, or come from the environment.
    """
    nodes = [n for n in walk_unique(root).nodes if n.tag != MERGE_TAG]
    ordered: list[Node] = [n for n in nodes if isinstance(n, ScalarNode)]
    ordered += [n for n in nodes if not isinstance(n, ScalarNode)]
    for node in ordered:
        try:
            SafeConstructor().construct_object(node, deep=True)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or node.start_mark
            pos = locator.mark(mark)
            if "unhashable" in str(getattr(err, "problem", "")):
                msg = "a mapping key is a list or a mapping; metadata ingest cannot read it"
                return make("Y008", name, pos.line, pos.column, msg, hint="write the key as text")
            if node.tag.startswith("tag:yaml.org,2002:") or locator.from_environment(mark):
                msg = "this value cannot be read by YAML's safe loader, which metadata ingest uses"
            else:
                msg = f"the tag '{node.tag[:60]}' is not one YAML's safe loader can read"
            return make("Y001", name, pos.line, pos.column, msg, hint="remove the tag")
        except (ValueError, TypeError, OverflowError):
            pos = locator.mark(node.start_mark)
            kind = node.tag.rsplit(":", 1)[-1]
            looks = "a date" if kind == "timestamp" else f"a {kind}"
            msg = f"this value looks like {looks} but is not a valid one"
            return make("Y001", name, pos.line, pos.column, msg, hint="quote it to make it text")
    return make("Y001", name, 1, 1, "the document cannot be read by YAML's safe loader")
