"""Writing Python from declarations (:class:`Writer`): the dataclasses, enums, aliases and unions
of one module, formatted the way ``ruff format`` writes them, and the package ``__init__``."""

from __future__ import annotations

import json
import re
import textwrap

from omkit_sagemaker.spec.codegen.decls import (
    ANY,
    LINE,
    MARK,
    NO_DEFAULT,
    PACKAGE,
    STR,
    AliasDecl,
    ClassDecl,
    CodegenError,
    EnumDecl,
    FieldDecl,
    ListOf,
    MapOf,
    Module,
    Prim,
    TypeExpr,
    TypeRef,
    UnionDecl,
    member_name,
    snake_case,
)
from omkit_sagemaker.spec.codegen.generator import Generator

# --- writing Python -----------------------------------------------------------------------


def _literal(value: object) -> str:
    """A Python literal for a JSON value, as ``ruff format`` writes it."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise CodegenError(f"cannot write {value!r} as a Python literal")


def _docstring(text: str, indent: str) -> list[str]:
    """A docstring (or attribute docstring) at ``indent``, wrapped to the line limit."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    one = f'{indent}"""{text}"""'
    if "\n" not in text and len(one) <= LINE:
        return [one]
    lines: list[str] = []
    for i, para in enumerate(text.split("\n\n")):
        if i:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(para.split()),
            width=LINE - len(indent),
            initial_indent='"""' if i == 0 else "",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return [f"{indent}{line}" if line else "" for line in lines] + [f'{indent}"""']


def _call(indent: str, head: str, args: list[str]) -> list[str]:
    """``head(args)``, split the way ``ruff format`` splits a call that is too long."""
    one = f"{indent}{head}({', '.join(args)})"
    if len(one) <= LINE:
        return [one]
    inner = indent + "    "
    body = inner + ", ".join(args)
    if len(body) <= LINE:
        return [f"{indent}{head}(", body, f"{indent})"]
    return [f"{indent}{head}(", *(f"{inner}{a}," for a in args), f"{indent})"]


def _assign(indent: str, target: str, expr: str) -> list[str]:
    one = f"{indent}{target} = {expr}"
    if len(one) <= LINE:
        return [one]
    match = re.fullmatch(r"([A-Za-z_][\w.]*)\((.*)\)", expr)
    if match is None:
        return [f"{indent}{target} = (", f"{indent}    {expr}", f"{indent})"]
    return _call(indent, f"{target} = {match.group(1)}", _split_args(match.group(2)))


def _split_args(text: str) -> list[str]:
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def _sort_key(name: str) -> tuple[int, str]:
    """``ruff``'s isort order inside one import: CONSTANTS, Classes, then functions."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def _import(module: str, names: set[str]) -> list[str]:
    ordered = sorted(names, key=_sort_key)
    one = f"from {module} import {', '.join(ordered)}"
    if len(one) <= LINE:
        return [one]
    return [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def _header(source: str) -> list[str]:
    return [
        f"{MARK}: do not edit. Change the schema and run `omkit codegen` again.",
        f"# Source: {source}",
    ]


def _union_parser(name: str) -> str:
    return f"{snake_case(name)}_from_dict"


def _local(name: str) -> str:
    return f"{name}_" if name in {"m", "k", "out", "cls", "data", "path", "type"} else name


class Writer:
    """Writes the source of one module, collecting the imports it needs on the way."""

    def __init__(self, module: Module, gen: Generator) -> None:
        self.module = module
        self.gen = gen
        self.stdlib: dict[str, set[str]] = {}
        self.base: set[str] = set()
        self.imports: dict[str, set[str]] = {}

    def use(self, module: str, name: str) -> str:
        self.stdlib.setdefault(module, set()).add(name)
        return name

    def rt(self, name: str) -> str:
        self.base.add(name)
        return name

    def ref(self, named: TypeRef) -> str:
        if named.module != self.module.name:
            self.imports.setdefault(named.module, set()).add(named.name)
        return named.name

    # -- type expressions

    def annotation(self, t: TypeExpr) -> str:
        if isinstance(t, Prim):
            if t.name == "Any":
                return self.use("typing", "Any")
            return self.rt("Secret") if t.name == "Secret" else t.name
        if isinstance(t, ListOf):
            return f"list[{self.annotation(t.item)}]"
        if isinstance(t, MapOf):
            return f"dict[str, {self.annotation(t.value)}]"
        return self.ref(t)

    def parser(self, t: TypeExpr) -> str:
        """A callable ``(value, path) -> t``."""
        if isinstance(t, Prim):
            names = {"str": "as_str", "bool": "as_bool", "int": "as_int", "float": "as_float"}
            return self.rt({"Secret": "as_secret", "Any": "as_any", **names}[t.name])
        if isinstance(t, TypeRef) and t.kind == "class":
            return f"{self.ref(t)}.from_dict"
        if isinstance(t, TypeRef) and t.kind == "union":
            return _union_parser(self.ref(t))
        return f"lambda v, p: {self.parse(t, 'v', 'p')}"

    def parse(self, t: TypeExpr, value: str, path: str) -> str:
        """An expression turning ``value`` (found at ``path``) into a ``t``."""
        if isinstance(t, TypeRef) and t.kind == "enum":
            return f"{self.rt('as_enum')}({self.ref(t)}, {value}, {path})"
        if isinstance(t, ListOf):
            if t.item == STR:
                return f"{self.rt('as_str_list')}({value}, {path})"
            return f"{self.rt('as_list_of')}({value}, {path}, {self.parser(t.item)})"
        if isinstance(t, MapOf):
            if t.value == STR:
                return f"{self.rt('as_str_map')}({value}, {path})"
            if t.value == ANY:
                return f"{self.rt('as_any_map')}({value}, {path})"
            return f"{self.rt('as_map_of')}({value}, {path}, {self.parser(t.value)})"
        return f"{self.parser(t)}({value}, {path})"

    def dump(self, t: TypeExpr, value: str) -> str:
        """An expression turning the ``t`` in ``value`` into plain data."""
        if isinstance(t, Prim):
            if t.name == "Secret":
                return f"options.secret({value})"
            return f"{self.rt('dump_any')}({value})" if t.name == "Any" else value
        if isinstance(t, TypeRef):
            return f"{value}.value" if t.kind == "enum" else f"{value}._dump(options)"
        if isinstance(t, ListOf):
            item = self.dump(t.item, "item")
            return f"list({value})" if item == "item" else f"[{item} for item in {value}]"
        item = self.dump(t.value, "item")
        if t.value == ANY:
            return f"{self.rt('dump_any')}({value})"
        if item == "item":
            return f"dict({value})"
        return f"{{key: {item} for key, item in {value}.items()}}"

    def default(self, f: FieldDecl) -> str:
        """The Python expression of a field's schema default."""
        if isinstance(f.type, TypeRef) and f.type.kind == "enum":
            enum = self.gen.find(f.type)
            assert isinstance(enum, EnumDecl)
            if f.default not in enum.values:
                raise CodegenError(f"{self.module.source}: {f.name}: default not in the enum")
            return f"{self.ref(f.type)}.{member_name(str(f.default))}"
        if isinstance(f.type, TypeRef):
            raise CodegenError(f"{self.module.source}: {f.name}: object defaults not supported")
        return _literal(f.default)

    # -- declarations

    def enum(self, d: EnumDecl) -> list[str]:
        self.use("enum", "Enum")
        lines = [f"class {d.name}(str, Enum):", *_docstring(d.doc or d.name, "    "), ""]
        seen: set[str] = set()
        for value in d.values:
            member = member_name(value)
            if member in seen:
                raise CodegenError(f"{self.module.source}: enum {d.name} repeats {member}")
            seen.add(member)
            lines.append(f"    {member} = {_literal(value)}")
        return lines

    def alias(self, d: AliasDecl) -> list[str]:
        assert d.target is not None
        self.use("typing", "TypeAlias")
        lines = _assign("", f"{d.name}: TypeAlias", self.annotation(d.target))
        return lines + _docstring(d.doc, "") if d.doc else lines

    def union(self, d: UnionDecl) -> list[str]:
        self.use("typing", "TypeAlias")
        names = [self.ref(b) for b in d.branches]
        one = f"{d.name}: TypeAlias = {' | '.join(names)}"
        if len(one) <= LINE:
            lines = [one]
        else:
            rest = [f"    | {n}" for n in names[1:]]
            lines = [f"{d.name}: TypeAlias = (", f"    {names[0]}", *rest, ")"]
        lines += _docstring(d.doc, "") if d.doc else []
        lines += ["", "", f'def {_union_parser(d.name)}(data: object, path: str = "") -> {d.name}:']
        what = "its type" if d.tags is not None else "the one branch whose keys fit"
        lines += _docstring(f"Build a {d.name} from a loaded document: {what}.", "    ")
        lines.append(f"    m = {self.rt('as_object')}(data, path, None)")
        if d.tags is not None:
            lines.append('    tag = m.get("type")')
            for name, tag in zip(names, d.tags, strict=True):
                lines.append(f"    if tag == {_literal(tag)}:")
                lines.append(f"        return {name}.from_dict(m, path)")
            self.rt("at")
            error = f'{self.rt("ModelError")}(at(path, "type"), f"unknown type {{tag!r}}")'
            return [*lines, f"    raise {error}"]
        lines += ["    kinds = (", *(f"        {n}," for n in names), "    )"]
        lines.append(f"    branch = {self.rt('choose_branch')}(m, path, kinds)")
        for i, name in enumerate(names[:-1]):
            lines += [f"    if branch == {i}:", f"        return {name}.from_dict(m, path)"]
        return [*lines, f"    return {names[-1]}.from_dict(m, path)"]

    def cls(self, d: ClassDecl) -> list[str]:
        self.use("dataclasses", "dataclass")
        self.use("typing", "Any")
        lines = ["@dataclass(kw_only=True, slots=True)", f"class {d.name}({self.rt('Model')}):"]
        lines += [*_docstring(d.doc or d.name, "    "), ""]
        for f in d.fields:
            ann = self.annotation(f.type)
            if f.required:
                lines.append(f"    {f.name}: {ann}")
            elif f.default is NO_DEFAULT:
                lines.append(f"    {f.name}: {ann} | None = None")
            elif isinstance(f.default, (list, dict)):
                self.use("dataclasses", "field")
                factory = (
                    type(f.default).__name__ if not f.default else f"lambda: {_literal(f.default)}"
                )
                lines.append(f"    {f.name}: {ann} = field(default_factory={factory})")
            else:
                lines.append(f"    {f.name}: {ann} = {self.default(f)}")
            lines += _docstring(f.doc, "    ") if f.doc else []
        # from_dict: required fields as arguments, then the others as they are present.
        required = [f for f in d.fields if f.required]
        lines += ["", "    @classmethod"]
        lines.append(f'    def from_dict(cls, data: object, path: str = "") -> {d.name}:')
        lines += _docstring("Build the model from a loaded document, checking each value.", " " * 8)
        check = f"{self.rt('keys_of')}(cls), {self.rt('required_of')}(cls)"
        lines.append(f"        m = {self.rt('as_object')}(data, path, {check})")
        self.rt("at")
        for f in required:
            lines.append(f"        k = {_literal(f.name)}")
            lines += _assign(" " * 8, _local(f.name), self.parse(f.type, "m[k]", "at(path, k)"))
        lines += _call(" " * 8, "out = cls", [f"{f.name}={_local(f.name)}" for f in required])
        for f in d.fields:
            if not f.required:
                lines += [f"        k = {_literal(f.name)}", "        if k in m:"]
                parsed = self.parse(f.type, "m[k]", "at(path, k)")
                lines += _assign(" " * 12, f"out.{f.name}", parsed)
        lines += ["        out._set_fields = frozenset(m)", "        return out"]
        # _dump: what to_dict writes.
        lines += ["", f"    def _dump(self, options: {self.rt('DumpOptions')}) -> dict[str, Any]:"]
        lines.append("        out: dict[str, Any] = {}")
        for f in d.fields:
            value = self.dump(f.type, f"self.{f.name}")
            lines.append(f"        k = {_literal(f.name)}")
            if f.required:
                lines += _assign(" " * 8, "out[k]", value)
                continue
            if f.default is NO_DEFAULT:
                lines.append(f"        if self.{f.name} is not None:")
            else:
                default = "[]" if f.default == [] else self.default(f)
                lines.append(f"        if self._keep(k, {default}, options):")
            lines += _assign(" " * 12, "out[k]", value)
        lines.append("        return out")
        return lines

    def render(self) -> str:
        decls = self.module.decls
        blocks = [self.enum(d) for d in decls if isinstance(d, EnumDecl)]
        blocks += [self.cls(d) for d in decls if isinstance(d, ClassDecl)]
        blocks += [self.union(d) for d in decls if isinstance(d, UnionDecl)]
        blocks += [self.alias(d) for d in decls if isinstance(d, AliasDecl)]
        head = _header(f"spec/{self.module.source}")
        about = f"{self.module.title}: typed models of spec/{self.module.source}."
        if self.module.description:
            about += f"\n\n{self.module.description}"
        head += [*_docstring(about, ""), "", "from __future__ import annotations", ""]
        head += [line for mod in sorted(self.stdlib) for line in _import(mod, self.stdlib[mod])]
        head += [""] if self.stdlib else []
        head += _import("omkit_sagemaker.spec.modelbase", self.base) if self.base else []
        for mod in sorted(self.imports):
            head += _import(f"{PACKAGE}.{mod}", self.imports[mod])
        while head[-1] == "":
            head.pop()
        body = [line for block in blocks for line in ("", "", *block)]
        if body and not body[2].startswith(("class ", "@", "def ")):
            body = body[1:]  # ruff's isort: one blank line between imports and an assignment
        return "\n".join(head + body) + "\n"


def render_init(modules: list[Module]) -> str:
    lines = [
        *_header("every schema in spec/"),
        '"""Typed models of omkit\'s JSON Schemas (spec/), one module per schema file.',
        "",
        "``Workflow.from_dict(data)`` builds the model of a document that passed",
        "``omkit validate``; ``to_dict()`` gives a plain document back. Secrets are",
        ":class:`~omkit_sagemaker.spec.modelbase.Secret` values, masked wherever they are shown.",
        '"""',
        "",
        "from omkit_sagemaker.spec.modelbase import ModelError, Secret",
    ]
    exported = ["ModelError", "Secret"]
    for module in sorted(modules, key=lambda m: m.name):
        names = {d.name for d in module.decls if not isinstance(d, AliasDecl)}
        if names:
            lines += _import(f"{PACKAGE}.{module.name}", names)
            exported += names
    lines += ["", "__all__ = [", *(f"    {_literal(n)}," for n in sorted(exported)), "]"]
    return "\n".join(lines) + "\n"
