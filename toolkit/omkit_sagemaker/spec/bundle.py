"""``omkit schema``: the workflow schema as one self-contained JSON Schema file, for editors.

The schemas in ``spec/`` refer to each other with relative ``$ref``s, which an editor can only
follow when it has every file. :func:`bundle` copies every schema the workflow file reaches into
the ``definitions`` of one document and rewrites each ``$ref`` to a local ``#/definitions/...``
pointer, so that the result needs no other file and no network. ``title``, ``description``,
``examples`` and ``default`` are kept as written: editors show them as hover text and offer them
as completions.

Where things go: the workflow's own definitions keep their names; another file's schema becomes
``definitions["<path.with.dots>"]`` (``security.credentials.awsCredentials``) and a definition
``d`` inside it becomes ``definitions["<path.with.dots>.d"]``. ``$id`` and ``$schema`` of the
copied files are dropped (a nested ``$id`` would change how the pointers inside resolve).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

#: The schema of a whole workflow file, relative to ``spec/``.
WORKFLOW = "metadataIngestion/workflow.json"
DRAFT7 = "http://json-schema.org/draft-07/schema#"

Schema = dict[str, Any]

#: Keywords whose values are data, not schemas: never rewrite a ``$ref`` found inside them.
_DATA = frozenset({"examples", "default", "enum", "const"})


class BundleError(Exception):
    """A ``$ref`` that cannot be bundled (it leaves ``spec/`` or names clash)."""


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _get(node: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:] if pointer else []:
        node = node[int(part)] if isinstance(node, list) else node[_unescape(part)]
    return node


def _dotted(relpath: str) -> str:
    return relpath.removesuffix(".json").replace("/", ".")


class _Bundler:
    def __init__(self, spec: Mapping[str, Schema], root: str) -> None:
        if root not in spec:
            raise BundleError(f"no schema {root} in spec/")
        self.spec = spec
        self.root = root
        self.ids = {urldefrag(str(s.get("$id", ""))).url: rel for rel, s in spec.items()}
        self.hoisted: dict[str, Schema] = {}
        self.origin: dict[str, tuple[str, str]] = {}
        self.queue: list[tuple[str, str, str]] = []

    def target(self, relpath: str, ref: str) -> str:
        """The bundle-local pointer replacing ``ref`` written in ``relpath``."""
        url, fragment = urldefrag(urljoin(str(self.spec[relpath]["$id"]), ref))
        if url not in self.ids:
            raise BundleError(f"{relpath}: $ref {ref!r} points outside spec/ ({url})")
        target = self.ids[url]
        if target == self.root:
            return "#" + fragment
        match = re.fullmatch(r"/definitions/([^/]+)(.*)", fragment)
        if match:
            name = _unescape(match.group(1))
            key, at, rest = f"{_dotted(target)}.{name}", f"/definitions/{match.group(1)}", match[2]
        else:
            key, at, rest = _dotted(target), "", fragment
        if key not in self.origin:
            self.origin[key] = (target, at)
            self.queue.append((key, target, at))
        elif self.origin[key] != (target, at):
            raise BundleError(f"two schemas would both be bundled as definitions[{key!r}]")
        return f"#/definitions/{_escape(key)}{rest}"

    def rewrite(self, relpath: str, node: Any) -> Any:
        """A copy of ``node`` with every ``$ref`` made local to the bundle."""
        if isinstance(node, list):
            return [self.rewrite(relpath, item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self.target(relpath, value)
            elif key in _DATA:
                out[key] = copy.deepcopy(value)
            else:
                out[key] = self.rewrite(relpath, value)
        return out

    def run(self) -> Schema:
        root = self.rewrite(self.root, self.spec[self.root])
        root.pop("$id", None)
        root["$schema"] = DRAFT7
        while self.queue:
            key, relpath, pointer = self.queue.pop(0)
            node = _get(self.spec[relpath], pointer)
            if not isinstance(node, dict):
                raise BundleError(f"{relpath}#{pointer} is not a schema")
            node = {
                k: v
                for k, v in node.items()
                if k not in {"$id", "$schema"} and not (k == "definitions" and pointer == "")
            }
            self.hoisted[key] = self.rewrite(relpath, node)
        definitions = root.setdefault("definitions", {})
        for key in sorted(self.hoisted):
            if key in definitions:
                raise BundleError(f"definitions[{key!r}] exists in {self.root} already")
            definitions[key] = self.hoisted[key]
        ordered = {"$schema": root.pop("$schema")}
        ordered.update(root)
        return ordered


def bundle(spec: Mapping[str, Schema], root: str = WORKFLOW) -> Schema:
    """One self-contained JSON Schema of ``root`` (the workflow file by default) from ``spec``
    (``{"a/b.json": schema}``): every ``$ref`` points into the document itself."""
    return _Bundler(spec, root).run()


def bundle_text(spec: Mapping[str, Schema], root: str = WORKFLOW) -> str:
    """:func:`bundle` as JSON text (2-space indent, a final newline), deterministic."""
    return json.dumps(bundle(spec, root), indent=2, ensure_ascii=False) + "\n"
