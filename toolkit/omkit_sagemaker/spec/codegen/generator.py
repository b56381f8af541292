"""Reading ``spec/`` and turning its schemas into declarations (:class:`Generator`): one module
per schema file, a declaration per named node, ``$ref``s followed across files."""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from omkit_sagemaker.spec.codegen.decls import (
    ANY,
    NO_DEFAULT,
    PRIMITIVES,
    AliasDecl,
    ClassDecl,
    CodegenError,
    Decl,
    EnumDecl,
    FieldDecl,
    ListOf,
    MapOf,
    Module,
    Prim,
    Schema,
    TypeExpr,
    TypeRef,
    UnionDecl,
    class_name,
    module_name,
    schema_stem,
)

# --- reading the spec ---------------------------------------------------------------------


def read_spec(root: Path) -> dict[str, Schema]:
    """Every ``*.json`` schema under ``root``, keyed by its path relative to ``root``."""
    out: dict[str, Schema] = {}
    for path in sorted(root.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise CodegenError(f"{path}: a schema file must hold a JSON object")
        out[path.relative_to(root).as_posix()] = data
    return out


def _pointer_get(node: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:] if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _annotated_ref(node: Schema) -> Schema | None:
    """The ``$ref`` node of an annotated reference ``{..., "allOf": [{"$ref": ...}]}``."""
    parts = node.get("allOf")
    if (
        isinstance(parts, list)
        and len(parts) == 1
        and isinstance(parts[0], dict)
        and "$ref" in parts[0]
        and not {"type", "properties", "enum", "const", "oneOf", "anyOf"} & node.keys()
    ):
        return parts[0]
    return None


def _needs_decl(node: Schema) -> bool:
    return (
        "oneOf" in node
        or ("enum" in node and "const" not in node)
        or (node.get("type") == "object" and "properties" in node)
    )


def _doc(node: Schema) -> str:
    title = str(node.get("title", "")).strip()
    description = str(node.get("description", "")).strip()
    if title and not title.endswith((".", "!", "?")):
        title += "."
    return f"{title}\n\n{description}".strip()


class Generator:
    def __init__(self, spec: Mapping[str, Schema]) -> None:
        self.spec = dict(sorted(spec.items()))
        self.by_id: dict[str, str] = {}
        self.modules: dict[str, Module] = {}
        self.decls: dict[tuple[str, str], tuple[Module, Decl]] = {}
        self.built: set[int] = set()
        for relpath, schema in self.spec.items():
            sid = schema.get("$id")
            if not isinstance(sid, str):
                raise CodegenError(f"{relpath}: the schema has no $id")
            self.by_id[urldefrag(sid).url] = relpath
            name = module_name(relpath)
            if name == "__init__" or any(m.name == name for m in self.modules.values()):
                raise CodegenError(f"{relpath}: another schema file makes the module {name}")
            self.modules[relpath] = Module(
                name=name,
                source=relpath,
                title=str(schema.get("title", name)),
                description=str(schema.get("description", "")),
            )

    # -- locating schemas

    def resolve(self, relpath: str, ref: str) -> tuple[str, str]:
        """The (file, JSON pointer) that a ``$ref`` written in ``relpath`` points to."""
        url, fragment = urldefrag(urljoin(self.spec[relpath]["$id"], ref))
        if url not in self.by_id:
            raise CodegenError(f"{relpath}: $ref {ref!r} leaves spec/ ({url})")
        return self.by_id[url], fragment

    def node(self, relpath: str, pointer: str) -> Schema:
        found = _pointer_get(self.spec[relpath], pointer)
        if not isinstance(found, dict):
            raise CodegenError(f"{relpath}#{pointer} is not a schema")
        return found

    def default_of(self, relpath: str, node: Schema) -> object:
        """The node's ``default``, else that of the schema it refers to."""
        for _ in range(20):
            if "default" in node:
                return node["default"]
            inner = _annotated_ref(node) or node
            if "$ref" not in inner:
                return NO_DEFAULT
            relpath, pointer = self.resolve(relpath, inner["$ref"])
            node = self.node(relpath, pointer)
        raise CodegenError(f"{relpath}: $ref chain too long")

    def find(self, named: TypeRef) -> Decl:
        for module in self.modules.values():
            if module.name == named.module:
                for decl in module.decls:
                    if decl.name == named.name:
                        return decl
        raise CodegenError(f"no declaration {named.module}.{named.name}")

    # -- declarations

    def declare(self, relpath: str, pointer: str, node: Schema, hint: str, owner: str) -> None:
        """Register the declaration standing for the schema at ``relpath#pointer``."""
        module = self.modules[relpath]
        name = hint if hint not in module.names() else owner + hint
        base, suffix = name, 2
        while name in module.names():
            name, suffix = f"{base}{suffix}", suffix + 1
        doc = _doc(node)
        decl: Decl
        if "oneOf" in node:
            decl = UnionDecl(name, doc)
        elif "enum" in node:
            values = node["enum"]
            if node.get("type") != "string" or not all(isinstance(v, str) for v in values):
                raise CodegenError(f"{relpath}#{pointer}: only string enums are supported")
            decl = EnumDecl(name, doc, list(values))
        elif node.get("type") == "object" and "properties" in node:
            if node.get("additionalProperties", True) is not False:
                raise CodegenError(
                    f"{relpath}#{pointer}: an object with properties must also say "
                    "additionalProperties: false"
                )
            decl = ClassDecl(name, doc)
        else:
            decl = AliasDecl(name, doc)
        module.decls.append(decl)
        self.decls[(relpath, pointer)] = (module, decl)

    def named(self, relpath: str, pointer: str) -> TypeExpr:
        """The type of the declaration at ``relpath#pointer``, building it on first use."""
        module, decl = self.decls[(relpath, pointer)]
        if id(decl) not in self.built:
            self.built.add(id(decl))
            self.build(relpath, pointer, self.node(relpath, pointer), decl)
        if isinstance(decl, AliasDecl):
            if decl.target is None:
                raise CodegenError(f"{relpath}#{pointer}: a type alias that refers to itself")
            return decl.target
        kind = "class" if isinstance(decl, ClassDecl) else "enum"
        kind = "union" if isinstance(decl, UnionDecl) else kind
        return TypeRef(module.name, decl.name, kind)

    def build(self, relpath: str, pointer: str, node: Schema, decl: Decl) -> None:
        if isinstance(decl, ClassDecl):
            required = node.get("required", [])
            for prop, pnode in node["properties"].items():
                if not prop.isidentifier() or keyword.iskeyword(prop):
                    raise CodegenError(f"{relpath}#{pointer}: property {prop!r} is no identifier")
                if prop in {"from_dict", "to_dict"} or prop.startswith("_"):
                    raise CodegenError(f"{relpath}#{pointer}: property name {prop!r} is reserved")
                where = f"{pointer}/properties/{prop}"
                ptype = self.type_of(relpath, where, pnode, class_name(prop), decl.name)
                decl.fields.append(
                    FieldDecl(
                        name=prop,
                        type=ptype,
                        required=prop in required,
                        default=self.default_of(relpath, pnode),
                        doc=_doc(pnode),
                    )
                )
        elif isinstance(decl, UnionDecl):
            for i, branch in enumerate(node["oneOf"]):
                where = f"{pointer}/oneOf/{i}"
                btype = self.type_of(relpath, where, branch, f"{decl.name}{i}", decl.name)
                if not isinstance(btype, TypeRef) or btype.kind != "class":
                    raise CodegenError(f"{relpath}#{where}: oneOf branches must be objects")
                decl.branches.append(btype)
            decl.tags = self.tags(decl.branches)
        elif isinstance(decl, AliasDecl):
            decl.target = self.structure(relpath, pointer, node, decl.name, decl.name)

    def tags(self, branches: list[TypeRef]) -> list[str] | None:
        """Each branch's one-value ``type`` enum, when every branch has a distinct one."""
        tags: list[str] = []
        for branch in branches:
            cls = self.find(branch)
            assert isinstance(cls, ClassDecl)
            tag = next((f for f in cls.fields if f.name == "type"), None)
            if tag is None or not isinstance(tag.type, TypeRef) or tag.type.kind != "enum":
                return None
            enum = self.find(tag.type)
            assert isinstance(enum, EnumDecl)
            if len(enum.values) != 1:
                return None
            tags.append(enum.values[0])
        return tags if len(set(tags)) == len(tags) else None

    # -- types

    def type_of(self, relpath: str, pointer: str, node: Schema, hint: str, owner: str) -> TypeExpr:
        """The Python type of the schema ``node`` found at ``relpath#pointer``."""
        if (relpath, pointer) in self.decls:
            return self.named(relpath, pointer)
        return self.structure(relpath, pointer, node, hint, owner)

    def structure(
        self, relpath: str, pointer: str, node: Schema, hint: str, owner: str
    ) -> TypeExpr:
        """The type of ``node`` itself (not of a declaration standing at its place)."""
        inner = _annotated_ref(node)
        if inner is not None:
            node, pointer = inner, f"{pointer}/allOf/0"
        if "$ref" in node:
            target, target_pointer = self.resolve(relpath, node["$ref"])
            if (target, target_pointer) not in self.decls:
                target_node = self.node(target, target_pointer)
                if not _needs_decl(target_node):
                    return self.structure(target, target_pointer, target_node, hint, owner)
                last = target_pointer.rsplit("/", 1)[-1] or schema_stem(target)
                self.declare(target, target_pointer, target_node, class_name(last), "")
            return self.named(target, target_pointer)
        if _needs_decl(node):
            if (relpath, pointer) not in self.decls:
                self.declare(relpath, pointer, node, hint, owner)
            return self.named(relpath, pointer)
        kind = node.get("type")
        if kind == "object":
            extra = node.get("additionalProperties", True)
            if isinstance(extra, dict):
                where = f"{pointer}/additionalProperties"
                return MapOf(self.type_of(relpath, where, extra, hint + "Value", owner))
            return MapOf(ANY)
        if kind == "array":
            items = node.get("items")
            if isinstance(items, dict):
                where = f"{pointer}/items"
                return ListOf(self.type_of(relpath, where, items, hint + "Item", owner))
            return ListOf(ANY)
        if kind == "string" and node.get("format") == "password":
            return Prim("Secret")
        if isinstance(kind, str) and kind in PRIMITIVES:
            return Prim(PRIMITIVES[kind])
        return ANY

    def plan(self) -> list[Module]:
        """Declare every named node of the spec; the modules to write, in the spec's order."""
        # Declarations at fixed places first (file roots, then definitions), so that their
        # names never depend on the order in which references meet them.
        for relpath, schema in self.spec.items():
            if _needs_decl(schema) or "$ref" in schema or _annotated_ref(schema) is not None:
                self.declare(relpath, "", schema, class_name(schema_stem(relpath)), "")
            for name, node in schema.get("definitions", {}).items():
                self.declare(relpath, f"/definitions/{name}", node, class_name(name), "")
        for relpath, pointer in list(self.decls):
            self.named(relpath, pointer)
        return list(self.modules.values())
