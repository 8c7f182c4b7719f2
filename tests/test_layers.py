"""The package's layers, lowest first: a module imports only from its own layer or the ones below
it, and no modules import each other in a circle (DESIGN.md "Layout", issue 21).

Every import counts: at module level, inside a function, and under `if TYPE_CHECKING:`, since a
type names a dependency just as a call does.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "faqbot"

# The architecture, lowest first. A name stands for that module or package and all below it.
LAYERS: list[tuple[str, ...]] = [
    ("faqbot.errors",),  # every error faqbot raises on purpose
    ("faqbot.files", "faqbot.language", "faqbot.wording", "faqbot.database"),  # small utilities; PostgreSQL access
    ("faqbot.faq",),  # the FAQ file, its validation, importers
    ("faqbot.config",),  # the settings file (read with faqbot.faq.model's YAML helpers) and Settings
    ("faqbot.decision",),  # the one decision rule: kinds, policy, verdict, calibration
    ("faqbot.retrieval",),  # embedding, index, search
    ("faqbot.conversations",),  # the conversation log: stores rows, knows no Reply
    ("faqbot.bot",),  # FaqBot: a message in, a Reply out
    ("faqbot.staff", "faqbot.web"),  # staff tools; the widget, the API, the server
    ("faqbot.cli", "faqbot.__main__", "faqbot"),  # the command, and the package's public surface
]


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    where: str  # "module level", "in a function" or "under TYPE_CHECKING"

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported} (line {self.line}, {self.where})"


def module_names() -> dict[str, Path]:
    """`faqbot.retrieval.index` -> its file, for every module and package under faqbot/."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def public_homes() -> dict[str, str]:
    """`FaqBot` -> `faqbot.bot`: what `from faqbot import NAME` really imports (faqbot/__init__.py)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "_HOMES":
            return {name: f"faqbot.{home}" for name, home in ast.literal_eval(node.value).items()}
    return {}


def imported_modules(node: ast.Import | ast.ImportFrom, importer: str, modules: dict[str, Path]) -> list[str]:
    """The faqbot modules one import statement loads (a name imported from a package that is a
    submodule counts as that submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "faqbot"]
    base = node.module or ""
    if node.level:  # relative: from the importer's package
        package = importer if modules[importer].name == "__init__.py" else importer.rsplit(".", 1)[0]
        package = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
        base = f"{package}.{base}" if base else package
    if base.split(".")[0] != "faqbot":
        return []
    homes = public_homes() if base == "faqbot" else {}
    found = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        found.append(submodule if submodule in modules else homes.get(alias.name, base))
    return found


def statements(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement of a module, with where it stands."""
    found: list[tuple[ast.Import | ast.ImportFrom, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, where))
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, "under TYPE_CHECKING")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, "in a function" if where == "module level" else where)
            else:
                visit(child, where)

    visit(tree, "module level")
    return found


@functools.cache
def all_imports() -> list[Import]:
    """Every import of a faqbot module by another, once per statement (read once per test run)."""
    modules = module_names()
    imports = set()
    for importer, path in modules.items():
        for node, where in statements(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            for imported in imported_modules(node, importer, modules):
                if imported != importer:
                    imports.add(Import(importer, imported, node.lineno, where))
    return sorted(imports, key=lambda edge: (edge.importer, edge.line, edge.imported))


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the most specific name that covers `module`."""
    best: tuple[int, int] | None = None  # (length of the name, layer)
    for level, names in enumerate(LAYERS):
        for name in names:
            covers = module == name or (name != "faqbot" and module.startswith(name + "."))
            if covers and (best is None or len(name) > best[0]):
                best = (len(name), level)
    return None if best is None else best[1]


def cycles(imports: list[Import]) -> list[list[str]]:
    """The groups of modules that import each other in a circle (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for edge in imports:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in order:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            connect(node)
    return found


def test_the_walk_sees_every_kind_of_import():
    imports = {(i.importer, i.imported, i.where) for i in all_imports()}
    assert ("faqbot.bot", "faqbot.retrieval.lifecycle", "module level") in imports
    assert ("faqbot.cli", "faqbot.web.server", "in a function") in imports
    assert ("faqbot", "faqbot.bot", "under TYPE_CHECKING") in imports
    assert ("faqbot.cli", "faqbot.config", "module level") in imports  # `from faqbot import config as cfg`


def test_every_module_is_in_a_layer():
    outside = [name for name in module_names() if layer_of(name) is None]
    assert not outside, f"add these modules to LAYERS in tests/test_layers.py: {outside}"


def test_no_module_imports_a_higher_layer():
    upward = []
    for edge in all_imports():
        low, high = layer_of(edge.importer), layer_of(edge.imported)
        if low is not None and high is not None and high > low:
            upward.append(f"  {edge}: layer {LAYERS[low][0]} must not import layer {LAYERS[high][0]}")
    assert not upward, "imports from a higher layer (pass what is needed down as a parameter):\n" + "\n".join(upward)


def test_no_modules_import_each_other_in_a_circle():
    imports = all_imports()
    found = cycles(imports)
    lines = []
    for group in found:
        members = set(group)
        lines.append("  a circle among " + ", ".join(group) + ":")
        lines += [f"    {edge}" for edge in imports if edge.importer in members and edge.imported in members]
    assert not found, "modules that import each other in a circle:\n" + "\n".join(lines)


def test_the_cycle_finder_finds_a_circle_and_nothing_else():
    edges = [Import("a", "b", 1, ""), Import("b", "c", 1, ""), Import("c", "a", 1, ""), Import("c", "d", 1, "")]
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles(edges[:2]) == []


@pytest.mark.slow
def test_importing_the_conversation_log_does_not_load_the_bot():
    check = "import sys, faqbot.conversations.store; print(sorted(m for m in sys.modules if m == 'faqbot.bot'))"
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
