"""The package's layers: every import goes down the layers, and no two modules import each other.

A small AST check (no dependency): every module of src/credit_scoring is parsed and each of its
imports of credit_scoring (at the top, inside functions or under TYPE_CHECKING alike) is an edge.
The layers, each importing only from itself and the layers before it (CONTRIBUTING.md):

    base (errors, artifacts, manifest, i18n, the package __init__) <- data <- features <- model
    <- explain <- scoring <- monitor <- service <- {dashboard, pipeline, cli}

and the dashboard imports neither the pipeline nor the command line. A failure lists each
offending import as file:line.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "credit_scoring"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: Top-level names of the package (modules or sub-packages) by layer, lowest first.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "errors", "artifacts", "i18n", "manifest", "progress"}),
    frozenset({"data"}),
    frozenset({"features"}),
    frozenset({"model"}),
    frozenset({"explain"}),
    frozenset({"scoring"}),
    frozenset({"monitor"}),
    frozenset({"service"}),
    frozenset({"dashboard", "pipeline", "cli"}),
)

#: Imports forbidden within a layer: (importer, imported) top-level names.
FORBIDDEN_WITHIN_LAYER = frozenset({("dashboard", "pipeline"), ("dashboard", "cli")})


@dataclass(frozen=True)
class Import:
    """One import of a package module by another, where it is written."""

    importer: str  # dotted module name, e.g. credit_scoring.data.loading
    imported: str
    file: Path
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.importer} imports {self.imported}"


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name of every module of the package (a package is named by its __init__)."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The package module ``name`` is, or is in (``credit_scoring.data.loading.load_tables`` is
    in ``credit_scoring.data.loading``); None outside the package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import of a package module written in ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from credit_scoring.data import loading`` imports the module data.loading
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            resolved = _resolve(target, modules)
            if resolved is not None and resolved != module:
                found.append(Import(module, resolved, path, node.lineno))
    return found


def all_imports(package_dir: Path) -> list[Import]:
    """The imports of every module of the package by every other."""
    modules = module_names(package_dir)
    return [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]


def top_name(module: str) -> str:
    """The top-level name of a package module: ``data`` for credit_scoring.data.loading,
    ``__init__`` for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> int | None:
    """The layer number of a module (None when it belongs to no layer)."""
    name = top_name(module)
    for number, layer in enumerate(LAYERS):
        if name in layer:
            return number
    return None


def layer_violations(imports: list[Import]) -> list[str]:
    """Imports that go up the layers, that the layers forbid, or of modules in no layer."""
    problems = []
    for edge in imports:
        low, high = layer_of(edge.importer), layer_of(edge.imported)
        if low is None or high is None:
            unknown = edge.importer if low is None else edge.imported
            problems.append(
                f"{edge.where()} ({top_name(unknown)} is in no layer: add it to LAYERS in "
                "tests/test_layers.py and to CONTRIBUTING.md)"
            )
        elif high > low:
            problems.append(
                f"{edge.where()} (layer {top_name(edge.importer)} may not import the higher "
                f"layer {top_name(edge.imported)})"
            )
        elif (top_name(edge.importer), top_name(edge.imported)) in FORBIDDEN_WITHIN_LAYER:
            problems.append(
                f"{edge.where()} ({top_name(edge.importer)} may not import "
                f"{top_name(edge.imported)})"
            )
    return problems


def import_cycles(imports: list[Import]) -> list[list[Import]]:
    """One cycle of imports per group of modules that import each other (Tarjan's strongly
    connected components, then a shortest way round each)."""
    graph: dict[str, dict[str, Import]] = {}
    for edge in imports:
        graph.setdefault(edge.importer, {}).setdefault(edge.imported, edge)
        graph.setdefault(edge.imported, {})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for component in components:
        members, start = set(component), component[0]
        # breadth-first from start to the nearest module that imports start back
        parent: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in graph[node]:
                break
            for successor in sorted(graph[node]):
                if successor in members and successor not in parent:
                    parent[successor] = node
                    queue.append(successor)
        path = [node]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path = [*reversed(path), start]
        cycles.append([graph[a][b] for a, b in zip(path, path[1:], strict=False)])
    return cycles


# --------------------------------------------------------------------------- the checker itself


def _write(root: Path, files: dict[str, str]) -> Path:
    package = root / PACKAGE
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_the_checker_finds_upward_imports_anywhere_with_their_line(tmp_path):
    package = _write(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "",
            "data/__init__.py": "from credit_scoring.data.loading import load\n",
            "data/loading.py": "def load():\n    from credit_scoring.model import training\n",
            "model/__init__.py": "",
            "model/training.py": "from ..data import loading\nfrom credit_scoring import errors\n",
            "dashboard/__init__.py": "",
            "dashboard/app.py": "import credit_scoring.pipeline\n",
            "pipeline.py": "from credit_scoring.dashboard.app import build\n",
            "extras.py": "",
            "model/uses_extras.py": "from credit_scoring import extras\n",
        },
    )
    problems = layer_violations(all_imports(package))
    assert problems == [
        f"{package / 'dashboard' / 'app.py'}:1: credit_scoring.dashboard.app imports "
        "credit_scoring.pipeline (dashboard may not import pipeline)",
        f"{package / 'data' / 'loading.py'}:2: credit_scoring.data.loading imports "
        "credit_scoring.model.training (layer data may not import the higher layer model)",
        f"{package / 'model' / 'uses_extras.py'}:1: credit_scoring.model.uses_extras imports "
        "credit_scoring.extras (extras is in no layer: add it to LAYERS in tests/test_layers.py "
        "and to CONTRIBUTING.md)",
    ]


def test_the_checker_finds_cycles(tmp_path):
    package = _write(
        tmp_path,
        {
            "__init__.py": "",
            "data/__init__.py": "",
            "data/a.py": "from credit_scoring.data import b\n",
            "data/b.py": "import credit_scoring.data.c\n",
            "data/c.py": "def f():\n    from . import a\n",
            "data/d.py": "from credit_scoring.data.a import x\n",
        },
    )
    cycles = import_cycles(all_imports(package))
    assert len(cycles) == 1
    assert [(edge.importer, edge.imported, edge.line) for edge in cycles[0]] == [
        ("credit_scoring.data.a", "credit_scoring.data.b", 1),
        ("credit_scoring.data.b", "credit_scoring.data.c", 1),
        ("credit_scoring.data.c", "credit_scoring.data.a", 2),
    ]


# --------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def package_imports() -> list[Import]:
    imports = all_imports(PACKAGE_DIR)
    # the checker sees the package: a few imports that certainly exist
    seen = {(edge.importer, edge.imported) for edge in imports}
    assert ("credit_scoring.manifest", "credit_scoring.artifacts") in seen
    assert ("credit_scoring.cli", "credit_scoring.pipeline") in seen
    return imports


def test_every_import_goes_down_the_layers(package_imports):
    problems = layer_violations(package_imports)
    for problem in problems:
        print(problem)
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_no_modules_import_each_other(package_imports):
    cycles = import_cycles(package_imports)
    described = [" -> ".join(edge.where() for edge in cycle) for cycle in cycles]
    for cycle in cycles:
        print("import cycle:")
        for edge in cycle:
            print("   ", edge.where())
    assert not cycles, "import cycles:\n" + "\n".join(described)
