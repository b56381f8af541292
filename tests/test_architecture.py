"""The package layout holds: every sub-package imports only downwards, never in a circle.

Layers, lowest first: ``base`` -> ``spec`` -> ``check`` | ``assetkinds`` -> ``ingest`` |
``scaffold`` | ``lsp`` -> ``api`` (the Python API) -> ``cli`` | ``airflow``, with the package's own
``__init__`` and ``__main__`` on top.
A module may import its own sub-package and any lower layer; ``ingest``, ``scaffold`` and
``lsp`` stand side by side and never import each other. Every import counts, also the ones
inside functions (the lazy imports that keep ``omkit validate`` fast) and under
``TYPE_CHECKING``.

Inside ``ingest``, the asset kinds (``ingest/kinds/``) are held the same way: a kind's modules
(``registry``, ``registry_groups``, ...) import ``kinds.assetkind`` and their own kind's modules,
never another kind's, nor ``kinds.run``, nor any ``ingest`` module that calls the kinds (those
import ``ingest.kinds``: ``ingestrun``, ``connection``, ...).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from omkit_sagemaker import assetkinds

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit" / "omkit_sagemaker"
NAME = "omkit_sagemaker"
#: Each sub-package and the layer it is on; the top-level modules (cli, __init__) are above all.
LAYERS = {
    "base": 0,
    "spec": 1,
    "check": 2,
    "assetkinds": 2,
    "ingest": 3,
    "scaffold": 3,
    "lsp": 3,
    "api": 4,
    "cli": 5,
    "airflow": 5,
}
TOP = 6


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    """The sub-package a file belongs to, or ``""`` for the package's own top-level modules."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``omkit_sagemaker`` import in the file."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == NAME:  # from omkit_sagemaker import check, ...
                found += [(node.lineno, f"{NAME}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import; write the full name")
    return [(line, m) for line, m in found if m == NAME or m.startswith(NAME + ".")]


def _level(room: str) -> int:
    return LAYERS.get(room, TOP)


def violations() -> list[str]:
    """Every upward or sideways import between sub-packages, as ``file:line: message``."""
    out: list[str] = []
    for path in _modules():
        here = _room(path)
        for line, module in _imports(path):
            parts = module.split(".")
            there = parts[1] if len(parts) > 1 else ""
            if there == "" and module == NAME:
                there = "__init__"
            if there == here:
                continue
            if there not in LAYERS or _level(there) >= _level(here):
                rel = path.relative_to(PACKAGE.parent)
                out.append(f"{rel}:{line}: {here or 'top'} imports {module}")
    return out


def test_every_module_imports_only_downwards() -> None:
    assert violations() == []


KINDS = f"{NAME}.ingest.kinds"


def _kind_of(module: str, kinds: tuple[str, ...]) -> str | None:
    """The kind a module of ``ingest/kinds/`` belongs to (``registry_groups`` -> ``registry``)."""
    for kind in kinds:
        if module == kind or module.startswith(kind + "_"):
            return kind
    return None


def kind_violations() -> list[str]:
    """Every import in ``ingest/kinds/`` of another kind, of ``kinds.run``, or of an ``ingest``
    module that calls the kinds, as ``file:line: message``."""
    kinds = tuple(k.module for k in assetkinds.DECLARED)
    ingest = [p for p in _modules() if _room(p) == "ingest"]
    here = PACKAGE / "ingest" / "kinds"
    callers = {
        ".".join((NAME, *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in ingest
        if here not in p.parents and any(m.startswith(KINDS) for _, m in _imports(p))
    }
    out: list[str] = []
    for path in sorted(here.glob("*.py")):
        mine = _kind_of(path.stem, kinds)
        for line, module in _imports(path):
            rel = path.relative_to(PACKAGE.parent)
            if any(module == c or module.startswith(c + ".") for c in callers):
                out.append(f"{rel}:{line}: a kind module imports its caller {module}")
            if not module.startswith(KINDS + "."):
                continue
            there = module.removeprefix(KINDS + ".").split(".")[0]
            if path.stem == "run" and there == "assetkind":
                continue
            if there == "run" or (there != "assetkind" and _kind_of(there, kinds) != mine):
                out.append(f"{rel}:{line}: {path.stem} imports {module}")
    return out


def test_every_asset_kind_module_imports_only_downwards() -> None:
    assert kind_violations() == []


def test_the_check_finds_a_kind_importing_another_kind_or_its_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    kinds = fake / "ingest" / "kinds"
    kinds.mkdir(parents=True)
    (fake / "ingest" / "ingestrun.py").write_text("from omkit_sagemaker.ingest.kinds import run\n")
    (kinds / "registry_groups.py").write_text(
        "from omkit_sagemaker.ingest.kinds import assetkind\n"
    )
    (kinds / "registry.py").write_text(
        "from omkit_sagemaker.ingest.kinds import registry_groups\n"
        "from omkit_sagemaker.ingest.kinds.training_jobs import TrainingJobKind\n"
        "def f():\n    from omkit_sagemaker.ingest.ingestrun import run\n"
    )
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert kind_violations() == [
        "omkit_sagemaker/ingest/kinds/registry.py:2: registry imports "
        "omkit_sagemaker.ingest.kinds.training_jobs",
        "omkit_sagemaker/ingest/kinds/registry.py:4: a kind module imports its caller "
        "omkit_sagemaker.ingest.ingestrun",
    ]


def test_every_sub_package_says_what_lives_there_and_what_it_may_import() -> None:
    for room in LAYERS:  # the CLI's too
        init = PACKAGE / room / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init} has no docstring"
        assert "import" in doc.lower(), f"{init}'s docstring does not say what it may import"


def test_the_check_finds_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a base module importing the CLI is reported."""
    fake = tmp_path / "omkit_sagemaker"
    (fake / "base").mkdir(parents=True)
    (fake / "check").mkdir()
    (fake / "base" / "bad.py").write_text("def f():\n    from omkit_sagemaker.check import x\n")
    (fake / "check" / "ok.py").write_text("from omkit_sagemaker.base import bad\n")
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert violations() == ["omkit_sagemaker/base/bad.py:2: base imports omkit_sagemaker.check"]


#: Where hand-written code is measured: the package, the shared test helpers and the benches.
MEASURED = (PACKAGE, PACKAGE.parents[1] / "testing", PACKAGE.parents[1] / "bench")
#: A module a reader can hold in mind, and a function body one screen can show (the body from
#: its docstring to its end). Issue 24 allows at most 3 and 5 over these; none is.
MODULE_LINES = 400
BODY_LINES = 60
#: The hand-written modules and functions allowed over those sizes, each with its reason.
LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}


def _hand_written(roots: tuple[Path, ...]) -> list[tuple[str, str]]:
    """``(name, text)`` of every Python file under ``roots`` but the generated ones (marked "do
    not edit"), each named from the folder above its root (``omkit_sagemaker/api/...``)."""
    out = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "do not edit" not in text[:600].lower():
                out.append((str(path.relative_to(root.parent)), text))
    return out


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The lines of a function's body, its docstring included."""
    return (node.end_lineno or node.body[0].lineno) - node.body[0].lineno + 1


def oversized(roots: tuple[Path, ...] = MEASURED) -> list[str]:
    """Each hand-written module over ``MODULE_LINES`` lines and function body over ``BODY_LINES``,
    as ``path: N lines`` / ``path:function: N lines``, the allowed ones left out."""
    found: list[str] = []
    for rel, text in _hand_written(roots):
        lines = text.count("\n")
        if lines > MODULE_LINES and str(rel) not in LONG_MODULES:
            found.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = _body_lines(node)
                if size > BODY_LINES and f"{rel}:{node.name}" not in LONG_FUNCTIONS:
                    found.append(f"{rel}:{node.name}: {size} lines")
    return found


def test_no_hand_written_module_or_function_is_over_its_size() -> None:
    assert oversized() == []


def test_the_size_check_finds_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(60))  # with the docstring: 61 lines
    (root / "long.py").write_text('def f():\n    """Doc."""\n' + body + "\n" * 400)
    (root / "short.py").write_text('def g():\n    """Doc."""\n' + body[: -len("    x59 = 59\n")])
    (root / "made.py").write_text("# Generated: do not edit.\n" + "\n" * 500)
    assert oversized((root,)) == ["pkg/long.py: 462 lines", "pkg/long.py:f: 61 lines"]


def shared_file_names() -> dict[str, list[str]]:
    """Each module file name (``__init__.py`` and ``__main__.py`` aside) that more than one module
    of the package has, with the paths that have it: a name says what its module holds only when
    no other module answers to it too."""
    seen: dict[str, list[str]] = {}
    for path in _modules():
        if path.name not in {"__init__.py", "__main__.py"}:
            seen.setdefault(path.name, []).append(str(path.relative_to(PACKAGE)))
    return {name: paths for name, paths in seen.items() if len(paths) > 1}


def test_no_two_modules_share_a_file_name() -> None:
    assert shared_file_names() == {}


def test_the_check_finds_two_modules_with_one_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    for room in ("check", "ingest", "lsp"):
        (fake / room).mkdir(parents=True)
        (fake / room / "__init__.py").write_text("")
    (fake / "check" / "aws.py").write_text("")
    (fake / "ingest" / "aws.py").write_text("")
    (fake / "lsp" / "langserver.py").write_text("")
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert shared_file_names() == {"aws.py": ["check/aws.py", "ingest/aws.py"]}


#: The folders that hold what ``omkit codegen`` writes, and nothing hand-written (their own
#: ``__init__`` aside where codegen does not write it).
GENERATED_FOLDERS = ("spec/models", "check/generated")


def unfenced_modules() -> list[str]:
    """Each generated module (first line ``# Generated by `omkit codegen` ...``) outside the
    generated folders, and each module inside them that does not say it is generated."""
    out: list[str] = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        generated = path.read_text(encoding="utf-8").startswith("# Generated by `omkit codegen`")
        fenced = rel.parent.as_posix() in GENERATED_FOLDERS
        if generated and not fenced:
            out.append(f"{rel}: generated, outside {' and '.join(GENERATED_FOLDERS)}")
        elif fenced and not generated and path.name != "__init__.py":
            out.append(f"{rel}: hand-written, in a folder of generated code")
    return out


def test_generated_modules_live_apart_from_hand_written_ones() -> None:
    assert (PACKAGE / "check" / "generated" / "fastcheck.py").is_file()
    assert unfenced_modules() == []


def test_the_check_finds_generated_and_hand_written_code_mixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    (fake / "check" / "generated").mkdir(parents=True)
    (fake / "check" / "fastcheck.py").write_text("# Generated by `omkit codegen`: do not edit.\n")
    (fake / "check" / "generated" / "helper.py").write_text('"""Hand-written."""\n')
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert unfenced_modules() == [
        "check/fastcheck.py: generated, outside spec/models and check/generated",
        "check/generated/helper.py: hand-written, in a folder of generated code",
    ]


def private_imports() -> list[str]:
    """Each ``from omkit_sagemaker.x import _name`` of the package: a helper other modules use is
    part of its module's interface, so its name has no leading underscore."""
    out: list[str] = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(NAME):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    rel = path.relative_to(PACKAGE.parent)
                    out.append(f"{rel}:{node.lineno}: imports {node.module}.{alias.name}")
    return out


def test_no_module_imports_another_modules_private_name() -> None:
    assert private_imports() == []


def test_the_check_finds_a_private_name_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    (fake / "check").mkdir(parents=True)
    (fake / "check" / "a.py").write_text("def _helper() -> None: ...\n")
    (fake / "check" / "b.py").write_text(
        "from omkit_sagemaker.check.a import _helper\nfrom __future__ import annotations\n"
    )
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert private_imports() == [
        "omkit_sagemaker/check/b.py:1: imports omkit_sagemaker.check.a._helper"
    ]


#: Where the package may write to the terminal: the command line, and Airflow's tasks (which log
#: through Airflow). Everything else returns results, text or log records.
TERMINAL_ROOMS = ("cli", "airflow")
#: Modules outside those that may write anyway, and why.
TERMINAL_ALLOWED = {
    # A maintainer's script (``python -m omkit_sagemaker.base.regiondata``) that regenerates a
    # shipped data file and says so; no command or API function calls it.
    "base/regiondata.py": "print",
}


def terminal_writes() -> list[str]:
    """Each place outside :data:`TERMINAL_ROOMS` that writes to the terminal: a ``print()`` call,
    a use of ``sys.stdout``/``sys.stderr``, an import of rich, typer or click, a
    ``logging.StreamHandler`` or a class of its own made from ``logging.Handler``."""
    out: list[str] = []
    for path in _modules():
        if _room(path) in TERMINAL_ROOMS:
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found = _terminal_use(node)
            if found is not None and TERMINAL_ALLOWED.get(rel) != found:
                out.append(f"{rel}:{node.lineno}: {found}")  # type: ignore[attr-defined]
    return out


def _terminal_use(node: ast.AST) -> str | None:
    """What ``node`` does that writes to the terminal, if anything."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
        return "print"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == "sys" and node.attr in ("stdout", "stderr"):
            return f"sys.{node.attr}"
        if node.value.id == "logging" and node.attr == "StreamHandler":
            return "logging.StreamHandler"
    if isinstance(node, ast.ClassDef):
        for base in node.bases:
            if isinstance(base, ast.Attribute) and base.attr in ("Handler", "StreamHandler"):
                return f"a logging handler ({node.name})"
    modules: list[str] = []
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module:
        modules = [node.module] + (
            [f"logging.{a.name}" for a in node.names] if node.module == "logging" else []
        )
    for module in modules:
        if module.split(".")[0] in ("rich", "typer", "click"):
            return f"imports {module}"
        if module in ("logging.StreamHandler", "logging.Handler"):
            return f"imports {module}"
    return None


def test_only_the_cli_writes_to_the_terminal() -> None:
    assert terminal_writes() == []


def test_the_check_finds_a_library_writing_to_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    for room in ("ingest", "api", "cli", "base"):
        (fake / room).mkdir(parents=True)
    (fake / "ingest" / "show.py").write_text(
        '"""print(x) in a docstring is no call."""\n'
        "import logging, sys\n"
        "from rich.console import Console\n"
        "class Out(logging.Handler): ...\n"
        "def f():\n    print('x')\n    sys.stderr.write('y')\n"
        "    logging.StreamHandler()\n"
    )
    (fake / "api" / "table.py").write_text("import rich.table\nfrom typer import echo\n")
    (fake / "cli" / "show.py").write_text("import sys\nprint(1)\nsys.stdout.write('x')\n")
    (fake / "base" / "regiondata.py").write_text("print('wrote')\nimport sys\nsys.stdout\n")
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    assert sorted(terminal_writes()) == [
        "api/table.py:1: imports rich.table",
        "api/table.py:2: imports typer",
        "base/regiondata.py:3: sys.stdout",
        "ingest/show.py:3: imports rich.console",
        "ingest/show.py:4: a logging handler (Out)",
        "ingest/show.py:6: print",
        "ingest/show.py:7: sys.stderr",
        "ingest/show.py:8: logging.StreamHandler",
    ]


#: The tests. A test module mirrors the module it tests: ``tests/a/b/test_x.py`` tests
#: ``omkit_sagemaker/a/b/x.py`` (or the package ``a/b/x/``, through its ``__init__``; a package's
#: own test may also sit in its folder: ``tests/api/test_api.py``). Not held to it: the
#: repository-level tests at the top of ``tests/`` (layout, docs, benches), the end-to-end tests
#: of the real ``omkit`` command in ``tests/cli/`` (named after the commands) and the
#: comparisons with the official runner in ``tests/differential/``.
TESTS = Path(__file__).resolve().parent
UNMIRRORED_FOLDERS = ("cli", "differential")
#: Test modules that mirror no single module, each with why (keep this short).
UNMIRRORED_TESTS = {
    "check/test_corpus.py": "the corpus of tests/corpus/, every config through the whole check",
    "ingest/test_faults.py": "the fault suite (issue 13): each fault a run can meet, end to end",
}


def unmirrored_tests() -> list[str]:
    """Each test module (``tests/`` relative) that mirrors no module of the package and is not
    allowed to."""
    out: list[str] = []
    for path in sorted(TESTS.rglob("test_*.py")):
        rel = path.relative_to(TESTS)
        if len(rel.parts) == 1 or rel.parts[0] in UNMIRRORED_FOLDERS:
            continue
        folder = PACKAGE.joinpath(*rel.parts[:-1])
        name = path.stem.removeprefix("test_")
        module = (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()
        own = folder.name == name and (folder / "__init__.py").is_file()
        if not (module or own) and rel.as_posix() not in UNMIRRORED_TESTS:
            out.append(rel.as_posix())
    return out


def test_every_test_module_mirrors_a_module() -> None:
    assert unmirrored_tests() == []
    # each allowed exception is still there, and still needs the allowance
    for rel in UNMIRRORED_TESTS:
        assert (TESTS / rel).is_file(), rel
        folder = PACKAGE.joinpath(*Path(rel).parts[:-1])
        assert not (folder / Path(rel).name.removeprefix("test_")).is_file(), rel


def test_the_check_finds_a_test_module_that_mirrors_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "omkit_sagemaker"
    (fake / "ingest" / "sinks").mkdir(parents=True)
    for init in ("ingest/__init__.py", "ingest/sinks/__init__.py"):
        (fake / init).write_text("")
    (fake / "ingest" / "mapping.py").write_text("")
    tests = tmp_path / "tests"
    for rel in (
        "test_layout.py",  # repository-level
        "cli/test_cli_run.py",  # end to end
        "ingest/test_mapping.py",  # mirrors ingest/mapping.py
        "ingest/test_sinks.py",  # the package ingest/sinks/
        "ingest/test_ingest.py",  # the package's own test
        "ingest/test_estate.py",  # a feature, no module
        "ingest/sinks/test_mapping.py",  # the module is one folder up
    ):
        (tests / rel).parent.mkdir(parents=True, exist_ok=True)
        (tests / rel).write_text("")
    monkeypatch.setattr(__name__ + ".PACKAGE", fake)
    monkeypatch.setattr(__name__ + ".TESTS", tests)
    assert unmirrored_tests() == ["ingest/sinks/test_mapping.py", "ingest/test_estate.py"]
