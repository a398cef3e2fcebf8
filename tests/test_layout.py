"""The tree stays readable: small files, short builders, imports at the top, torch only when used.

The import direction itself (layers, no gradio under models/, no cycles) is import-linter's job
(``make lint``, contracts in pyproject.toml); these are the rules it cannot express.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("models", "demos")
MAX_FILE_LINES = 400
MAX_DEMO_FUNCTION_LINES = 150
HEAVY = ("torch", "transformers", "peft", "sentence_transformers", "tokenizers", "sklearn")


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_file_is_longer_than_the_limit():
    lines = {_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _sources()}
    assert {name: n for name, n in lines.items() if n > MAX_FILE_LINES} == {}


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_ui_builder_is_longer_than_the_limit():
    long = [
        f"{_name(path)}:{f.name} ({f.end_lineno - f.lineno + 1} lines)"
        for path in _sources()
        if path.parts[len(ROOT.parts)] == "demos"
        for f in _functions(ast.parse(path.read_text(encoding="utf-8")))
        if f.end_lineno - f.lineno + 1 > MAX_DEMO_FUNCTION_LINES
    ]
    assert not long


def _project_import(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [node.module]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        return None
    return next((n for n in names if n.split(".")[0] in PACKAGES), None)


def test_project_modules_import_each_other_at_the_top():
    """Heavy libraries are imported lazily inside functions; project modules never need to be."""
    inside = [
        f"{_name(path)}:{node.lineno} imports {module} inside {f.name}()"
        for path in _sources()
        for f in _functions(ast.parse(path.read_text(encoding="utf-8")))
        for node in ast.walk(f)
        if (module := _project_import(node))
    ]
    assert not inside


def test_importing_every_module_loads_no_heavy_library():
    """The app starts in seconds because nothing it imports pulls in torch and friends."""
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _sources()
        if path.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
