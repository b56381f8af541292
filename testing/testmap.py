"""Which test modules test which modules of ``omkit_sagemaker``, measured from the source.

``python -m testing.testmap`` prints, for each test file under ``tests/``, its test functions'
count and the package modules they exercise (a test exercises a module when its body, the
fixtures and helpers of its own file it uses, names something imported from that module), and
then each hand-written module without a *mirror*: a test module at the mirrored path
``tests/<sub-package path>/test_<module>.py`` (``ingest/kinds/endpoints.py`` ->
``tests/ingest/kinds/test_endpoints.py``), with the test files that exercise it today.
``--module NAME`` prints, for one test file, the modules each of its tests exercises (what a
split of the file would move where).

A name re-exported by a package's ``__init__`` counts for the module it comes from; a test
that runs the ``omkit`` command counts for the command modules only through what it imports.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit" / "omkit_sagemaker"
TESTS = ROOT / "tests"
NAME = "omkit_sagemaker"
#: Folders of generated code, left out of the modules that want a mirror.
GENERATED = ("spec/models", "check/generated")


def hand_written_modules() -> list[str]:
    """Dotted names (below ``omkit_sagemaker``) of the hand-written modules, ``__init__``,
    ``__main__`` and generated code aside."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if path.name in {"__init__.py", "__main__.py"} or rel.parent.as_posix() in GENERATED:
            continue
        out.append(".".join(rel.with_suffix("").parts))
    return out


def mirror_of(module: str) -> Path:
    """The test module that mirrors ``module`` (dotted, below ``omkit_sagemaker``)."""
    *folders, name = module.split(".")
    return TESTS.joinpath(*folders, f"test_{name}.py")


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _reexports(package: str) -> dict[str, str]:
    """Names the ``__init__`` of ``package`` imports from its own sub-modules, and where from."""
    rel = Path(*package.split(".")[1:]) if "." in package else Path()
    init = PACKAGE / rel / "__init__.py"
    if not init.is_file():
        return {}
    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(NAME):
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


def _owner(module: str, attribute: str) -> str:
    """The module that defines ``module.attribute``: a sub-module, or where a package's
    ``__init__`` took the name from, or ``module`` itself."""
    if _is_module(f"{module}.{attribute}"):
        return f"{module}.{attribute}"
    source = _reexports(module).get(attribute)
    if source and source != module and _is_module(source):
        return _owner(source, attribute) if source.count(".") > module.count(".") else source
    return module


def _bindings(tree: ast.Module) -> dict[str, str]:
    """Each local name the file binds by importing from the package, and the module it is."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(NAME):
                    names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(NAME):
            for alias in node.names:
                names[alias.asname or alias.name] = _owner(node.module, alias.name)
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _used(node: ast.AST, bindings: dict[str, str]) -> set[str]:
    """The package modules ``node`` names, through the file's imports."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute | ast.Name) and (dotted := _dotted(sub)):
            if dotted[0] not in bindings:
                continue
            module = bindings[dotted[0]]
            for attribute in dotted[1:]:
                owner = _owner(module, attribute)
                if owner == module:
                    break
                module = owner
            found.add(module)
        elif isinstance(sub, ast.ImportFrom) and sub.module and sub.module.startswith(NAME):
            found |= {_owner(sub.module, a.name) for a in sub.names}
    return found


def _top_level(tree: ast.Module) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
    } | {
        target.id: node
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


def _tests(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name[:4].lower() == "test":
            yield node.name, node


def exercised(path: Path) -> dict[str, set[str]]:
    """Each test (function or class) of ``path`` and the package modules it exercises, through
    the fixtures, helpers and constants of its own file too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bindings = _bindings(tree)
    local = _top_level(tree)
    out: dict[str, set[str]] = {}
    for name, node in _tests(tree):
        seen: set[str] = set()
        todo = [node]
        modules: set[str] = set()
        while todo:
            current = todo.pop()
            modules |= _used(current, bindings)
            for sub in ast.walk(current):
                ref = sub.id if isinstance(sub, ast.Name) else getattr(sub, "arg", None)
                if ref and ref in local and ref not in seen and local[ref] is not current:
                    seen.add(ref)
                    todo.append(local[ref])
        out[name] = {m.removeprefix(NAME + ".") for m in modules}
    return out


def _report() -> None:
    modules = hand_written_modules()
    users: dict[str, list[str]] = {m: [] for m in modules}
    for path in sorted(TESTS.rglob("test_*.py")):
        tests = exercised(path)
        count: Counter[str] = Counter(m for mods in tests.values() for m in mods)
        rel = path.relative_to(ROOT)
        print(f"{rel} ({len(tests)} tests)")
        for module, n in count.most_common():
            print(f"    {n:4d}  {module}")
            if module in users:
                users[module].append(f"{rel.name}:{n}")
    bare = [m for m in modules if not mirror_of(m).is_file()]
    print(f"\n{len(bare)} of {len(modules)} hand-written modules have no mirrored test module:")
    for module in bare:
        print(f"    {module:40s} {' '.join(users[module]) or '-'}")


def _split(name: str) -> None:
    path = Path(name)
    for test, modules in exercised(path).items():
        print(f"{test:70s} {' '.join(sorted(modules))}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--module", help="one test file: the modules of each of its tests")
    args = parser.parse_args(argv)
    if args.module:
        _split(args.module)
    else:
        _report()


if __name__ == "__main__":
    main()
