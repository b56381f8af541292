"""Compile a JSON Schema into a plain Python function that says whether a document is valid.

``omkit validate`` runs on every commit, usually on files that are fine. Importing jsonschema and
walking the schema costs more than everything else it does, so the schemas in ``spec/`` are also
compiled ahead of time (``omkit codegen``) into
:mod:`omkit_sagemaker.check.generated.fastcheck`: one small function per schema node, using
nothing but the standard library. A file that passes it is valid; only a file that fails
pays for jsonschema, which then explains the problems in detail.

Only the draft-07 keywords our schemas use are supported; any other keyword stops the generator,
so a schema change can never silently make the fast check more lenient than jsonschema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from omkit_sagemaker.spec import schema
from omkit_sagemaker.spec import schema as schema_keys

Schema = dict[str, Any]
#: Resolves a ``$ref`` seen in ``context`` to the schema it names.
Resolver = Callable[[Schema, str], Schema]

_ANNOTATIONS = {
    "$schema", "$id", "$comment", "title", "description", "default", "examples", "definitions",
    "readOnly", "writeOnly",
}  # fmt: skip
_TYPES = {
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool)"
    " or isinstance({v}, float) and {v}.is_integer())",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "null": "{v} is None",
}
_FORMATS = {"uri", "regex", "uuid", "ipv4", "ipv6"}
_NOT_STRING = "not isinstance(d, str) or "
#: The keywords the fast checker compiles (besides annotations and ``x-`` extensions).
_COMPILED = {
    "$ref", "type", "properties", "additionalProperties", "patternProperties", "required",
    "enum", "const", "pattern", "format", "items", "allOf", "anyOf", "oneOf", "not",
    "if", "then", "else", "minimum", "maximum", "minLength", "maxLength", "minItems",
    "maxItems",
}  # fmt: skip


class NotCompilable(Exception):
    """The schema uses a keyword the fast checker does not implement."""


def _refuse_unknown(s: Schema) -> None:
    """Raise :class:`NotCompilable` when ``s`` uses a keyword the fast checker does not
    compile: the reference checker then has the last word."""
    unknown = {k for k in set(s) - _ANNOTATIONS - _COMPILED if not k.startswith("x-")}
    if unknown:
        raise NotCompilable(f"keywords not supported by the fast checker: {sorted(unknown)}")


class _Compiler:
    def __init__(self, resolve: Resolver) -> None:
        self._resolve = resolve
        self._names: dict[int, str] = {}
        self._functions: list[str] = []
        self._constants: list[str] = []
        self._patterns: dict[str, str] = {}

    def function(self, schema: Schema | bool) -> str:
        """The name of the function checking ``schema``, compiling it on first use."""
        if schema is True or schema == {}:
            return "_any"
        if schema is False:
            return "_none"
        assert isinstance(schema, dict)
        key = id(schema)
        if key in self._names:
            return self._names[key]
        name = f"_s{len(self._names)}"
        self._names[key] = name
        body = self._body(schema)
        if not body:  # annotations only: accepts anything
            self._names[key] = "_any"
            return "_any"
        title = str(schema.get("title", "")).replace("\n", " ")[:60]
        header = f"def {name}(d: Any) -> bool:" + (f"  # {title}" if title else "")
        self._functions.append("\n".join([header, *body, "    return True"]))
        return name

    def _constant(self, value: tuple[Any, ...] | frozenset[str]) -> str:
        name = f"_C{len(self._constants)}"
        if isinstance(value, frozenset):  # a set's repr depends on hashing: sort it
            text = f"frozenset[str]({tuple(sorted(value))!r})"
        else:
            text = repr(value)
        self._constants.append(f"{name} = {text}")
        return name

    def _pattern(self, regex: str) -> str:
        if regex not in self._patterns:
            self._patterns[regex] = f"_P{len(self._patterns)}"
        return self._patterns[regex]

    def _ref(self, context: Schema, ref: str) -> str:
        return self.function(self._resolve(context, ref))

    def _body(self, s: Schema) -> list[str]:
        """The checks of one schema node, as lines of the function that checks a value ``d``;
        each check returns False when the value breaks it, in the order the keywords are tried."""
        _refuse_unknown(s)
        lines: list[str] = []

        def fail_if(cond: str) -> None:
            lines.append(f"    if {cond}:\n        return False")

        if "$ref" in s:  # draft-07: a $ref's siblings are ignored
            fail_if(f"not {self._ref(s, s['$ref'])}(d)")
            return lines
        self._value(s, fail_if)
        self._object(s, fail_if)
        self._combined(s, fail_if)
        return lines

    def _value(self, s: Schema, fail_if: Callable[[str], None]) -> None:
        """``type``, ``enum``/``const``, ``pattern``, ``format``, the length, number and list
        size bounds, and ``items``."""
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            fail_if("not (" + " or ".join(_TYPES[t].format(v="d") for t in types) + ")")
        for word in ("enum", "const"):
            if word not in s:
                continue
            values: list[Any] = list(s["enum"]) if word == "enum" else [s["const"]]
            if values and all(type(v) is str for v in values):  # JSON equality: only a str
                texts = frozenset(str(v) for v in values)
                fail_if(f"not (type(d) is str and d in {self._constant(texts)})")
            else:
                fail_if(f"not _in(d, {self._constant(tuple(values))})")
        if "pattern" in s:
            fail_if(f"isinstance(d, str) and not {self._pattern(s['pattern'])}.search(d)")
        if "format" in s and s["format"] in _FORMATS:
            fail_if(f"not formats.CHECKS[{s['format']!r}](d)")
        for word, op in (("minLength", "<"), ("maxLength", ">")):
            if word in s:
                fail_if(f"isinstance(d, str) and len(d) {op} {int(s[word])}")
        for word, op in (("minimum", "<"), ("maximum", ">")):
            if word in s:
                fail_if(f"_number(d) and d {op} {s[word]!r}")
        for word, op in (("minItems", "<"), ("maxItems", ">")):
            if word in s:
                fail_if(f"isinstance(d, list) and len(d) {op} {int(s[word])}")
        if "items" in s:
            if isinstance(s["items"], list):
                raise NotCompilable("tuple-form items")
            item = self.function(s["items"])
            fail_if(f"isinstance(d, list) and not all({item}(x) for x in d)")

    def _combined(self, s: Schema, fail_if: Callable[[str], None]) -> None:
        """``allOf``, ``anyOf``, ``oneOf``, ``not`` and ``if``/``then``/``else``."""
        for part in s.get("allOf", []):
            fail_if(f"not {self.function(part)}(d)")
        if "anyOf" in s:
            names = [self.function(part) for part in s["anyOf"]]
            fail_if("not (" + " or ".join(f"{n}(d)" for n in names) + ")")
        if "oneOf" in s:
            names = [self.function(part) for part in s["oneOf"]]
            fail_if("sum((" + ", ".join(f"{n}(d)" for n in names) + ")) != 1")
        if "not" in s:
            fail_if(f"{self.function(s['not'])}(d)")
        if "if" in s:
            cond = self.function(s["if"])
            then = self.function(s.get("then", True))
            other = self.function(s.get("else", True))
            fail_if(f"not ({then}(d) if {cond}(d) else {other}(d))")

    def _object(self, s: Schema, fail_if: Callable[[str], None]) -> None:
        props: dict[str, Any] = s.get("properties", {})
        patterns: dict[str, Any] = s.get("patternProperties", {})
        extra = s.get("additionalProperties", True)
        required: list[str] = s.get("required", [])
        if not (props or patterns or required or extra is not True):
            return
        checks: list[str] = []
        if required:
            checks.append(f"not all(k in d for k in {self._constant(tuple(required))})")
        for key, sub in props.items():
            fn = self.function(sub)
            if fn != "_any":
                checks.append(f"{key!r} in d and not {fn}(d[{key!r}])")
        for regex, sub in patterns.items():
            fn = self.function(sub)
            pat = self._pattern(regex)
            checks.append(f"not all({fn}(v) for k, v in d.items() if {pat}.search(k))")
        if extra is not True:
            known = self._constant(frozenset(props))
            pats = [self._pattern(r) for r in patterns]
            matched = " or ".join(f"{p}.search(k)" for p in pats)
            rest = f"k not in {known}" + (f" and not ({matched})" if matched else "")
            fn = self.function(extra)
            if fn == "_none":
                checks.append(f"any({rest} for k in d)")
            else:
                checks.append(f"not all({fn}(v) for k, v in d.items() if {rest})")
        for check in checks:
            fail_if(f"isinstance(d, dict) and {check}")

    def source(self, entry: str, origin: str, keys: Mapping[str, frozenset[str]]) -> str:
        patterns = [f"{name} = re.compile({regex!r})" for regex, name in self._patterns.items()]
        names = []
        for what, doc in _KEY_LISTS.items():
            names += [f"#: {doc}", f"{what} = frozenset[str]({tuple(sorted(keys[what]))!r})"]
        head = [
            f"# Generated by `omkit codegen` from spec/{origin}: do not edit.",
            '"""Fast yes/no validity check of a workflow file, compiled from the JSON Schemas."""',
            "",
            "# This file is excluded from ruff (see pyproject.toml): its long lines are generated.",
            "from __future__ import annotations",
            "",
            "import re",
            "from typing import Any",
            "",
            "from omkit_sagemaker.base import formats",
            "",
            *names,
            *patterns,
            *self._constants,
            "",
            "",
            "def _any(d: Any) -> bool:",
            "    return True",
            "",
            "",
            "def _none(d: Any) -> bool:",
            "    return False",
            "",
            "",
            "def _number(d: Any) -> bool:",
            "    return isinstance(d, (int, float)) and not isinstance(d, bool)",
            "",
            "",
            "def _in(d: Any, values: tuple[Any, ...]) -> bool:",
            "    # JSON equality: true is not 1, but 1 is 1.0",
            "    return any(d == v and _same_kind(d, v) for v in values)",
            "",
            "",
            "def _same_kind(a: Any, b: Any) -> bool:",
            "    return type(a) is type(b) or (_number(a) and _number(b))",
        ]
        tail = [
            "def is_valid(data: Any) -> bool:",
            f'    """True when ``data`` is valid against spec/{origin}."""',
            f"    return {entry}(data)",
            "",
        ]
        return "\n\n\n".join(["\n".join(head), *self._functions, "\n".join(tail)])


#: The name lists compiled beside the checker (from every release's schemas), with what they hold.
_KEY_LISTS = {
    "SECRET_KEYS": "Properties marked format: password in any release: their values are secrets.",
    "STRICT_KEYS": (
        "Properties whose value is a URL, one of fixed values, a boolean or a number, in any "
        "release."
    ),
}


def compile_schema(
    schema: Schema, resolve: Resolver, origin: str, full: Mapping[str, Schema] | None = None
) -> str:
    """Python source of a module whose ``is_valid(data)`` checks ``data`` against ``schema``,
    and which lists the secret and strict property names of the schemas ``full``
    (:func:`omkit_sagemaker.spec.schema.secret_keys`, :func:`~.schema.strict_keys`)."""
    compiler = _Compiler(resolve)
    entry = compiler.function(schema)
    everything = full if full is not None else {}
    keys = {
        "SECRET_KEYS": schema_keys.secret_keys_of(everything),
        "STRICT_KEYS": schema_keys.strict_keys_of(everything),
    }
    return compiler.source(entry, origin, keys)


def resolver(spec: Mapping[str, Schema]) -> Resolver:
    """Resolve ``$ref``s between the schemas of ``spec`` (see
    :func:`omkit_sagemaker.spec.schema.ref_resolver`);
    a ``$ref`` that leads nowhere stops the generator."""
    lookup = schema.ref_resolver(spec)

    def resolve(context: Schema, ref: str) -> Schema:
        target = lookup(context, ref)
        if target is None:
            raise NotCompilable(f"cannot resolve $ref {ref!r}")
        return target

    return resolve


#: The schema compiled into :mod:`omkit_sagemaker.check.generated.fastcheck`, relative to ``spec/``.
WORKFLOW = "metadataIngestion/workflow.json"


def generate(spec: Mapping[str, Schema], full: Mapping[str, Schema] | None = None) -> str:
    """The source of :mod:`omkit_sagemaker.check.generated.fastcheck` for ``spec`` (already
    filtered to the default target release), with the key lists of ``full`` (every release's
    schemas; default ``spec``); deterministic: the same schemas give the same bytes."""
    return compile_schema(spec[WORKFLOW], resolver(spec), WORKFLOW, spec if full is None else full)


def module_path() -> Path:
    """Where the generated fast checker lives in this checkout or installation."""
    return Path(__file__).resolve().parents[1] / "check" / "generated" / "fastcheck.py"
