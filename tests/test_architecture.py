"""The import contract: sub-packages form layers, dependencies point down, nothing forms a cycle.

Every module of the installed layout is parsed (`tutor/**`, and `ingest/`, `eval/`, `ui/`,
`data/` as `tutor.ingest`, `tutor.eval`, `tutor.ui`, `tutor.data`, the mapping pyproject.toml's
`[tool.setuptools.package-dir]` declares), with every import statement anywhere in the file:
module level, inside functions, under `if TYPE_CHECKING:`, plus `importlib.import_module("...")`
with a literal name. Nothing is imported, so the test is fast and sees lazy imports too.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOT_PACKAGE = "tutor"

# top to bottom; packages in one tuple share a layer and must not import each other
LAYERS: list[tuple[str, ...]] = [
    ("tutor.eval",),  # a plug-in of the CLI: it may use the CLI's option and output helpers
    ("tutor.cli", "tutor.ui"),
    ("tutor.runtime",),
    ("tutor.interview",),
    ("tutor.grading", "tutor.ask"),
    ("tutor.retrieval",),
    ("tutor.index", "tutor.llm", "tutor.storage"),
    ("tutor.embedding",),
    ("tutor.ingest",),
    ("tutor.core",),
]
DATA_PACKAGE = "tutor.data"  # package data only: anyone may name it, it imports nothing
LAYER_OF = {pkg: depth for depth, layer in enumerate(LAYERS) for pkg in layer}
PLUGIN_ONLY = {("tutor.cli", "tutor.eval")}  # reached through the `tutor.plugins` entry point

# Edges the code has today that break the contract. Each one is a strict xfail of its own
# (test_known_violation), so the entry must be deleted the day the edge disappears; any edge
# not listed here fails test_layers_only_import_downward.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where."""

    source: str  # importing module, e.g. tutor.cli.search
    target: str  # imported module (or module.name for `from module import name`)
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def package_dirs() -> dict[str, Path]:
    """Installed package name -> source folder, for the folders pyproject.toml maps."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapped = config["tool"]["setuptools"].get("package-dir", {})
    dirs = {name: ROOT / folder for name, folder in mapped.items() if name}
    dirs[ROOT_PACKAGE] = ROOT / ROOT_PACKAGE
    return dirs


def module_files() -> dict[str, Path]:
    """Every module of the installed layout, by its dotted name."""
    out: dict[str, Path] = {}
    for package, folder in package_dirs().items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = path
    return out


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(module: str, path: Path) -> list[Import]:
    """All imports in one file, relative ones resolved, literal `import_module` calls included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module if is_package(path) else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [Import(module, f"{base}.{alias.name}" if alias.name != "*" else base,
                             path, node.lineno) for alias in node.names]
        elif (isinstance(node, ast.Call) and _calls_import_module(node.func) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append(Import(module, node.args[0].value.partition(":")[0], path, node.lineno))
    return found


def _calls_import_module(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def owner(module: str) -> str | None:
    """The sub-package (contract unit) a dotted name belongs to; None outside `tutor`."""
    parts = module.split(".")
    if parts[0] != ROOT_PACKAGE:
        return None
    if len(parts) == 1:
        return ROOT_PACKAGE
    return f"{ROOT_PACKAGE}.{parts[1]}"


@cache
def internal_imports() -> tuple[Import, ...]:
    """Imports from one sub-package of `tutor` into another (the edges the contract governs)."""
    edges = []
    for module, path in module_files().items():
        for imp in imports_of(module, path):
            source, target = owner(imp.source), owner(imp.target)
            if target is not None and source != target:
                edges.append(imp)
    return tuple(edges)


def edges_by_pair() -> dict[tuple[str, str], list[Import]]:
    pairs: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in internal_imports():
        pairs[(owner(imp.source), owner(imp.target))].append(imp)  # type: ignore[index]
    return pairs


def describe(pairs: dict[tuple[str, str], list[Import]], wanted: set[tuple[str, str]]) -> str:
    """Each pair with its import statements as file:line: imported names."""
    lines = []
    for pair in sorted(wanted):
        lines.append(f"{pair[0]} -> {pair[1]}:")
        statements: dict[str, list[str]] = defaultdict(list)
        for imp in pairs[pair]:
            statements[imp.where].append(imp.target)
        lines += [f"    {where}: {', '.join(names)}" for where, names in statements.items()]
    return "\n".join(lines)


def layering_violations() -> set[tuple[str, str]]:
    """(importer, imported) sub-package pairs that break the layers."""
    bad = set()
    for source, target in edges_by_pair():
        if target in (ROOT_PACKAGE, DATA_PACKAGE):
            continue  # the root (`__version__`) and the data are there for everyone
        if source in (ROOT_PACKAGE, DATA_PACKAGE):
            if target != "tutor.core":  # the root may use the bottom layer, nothing above it
                bad.add((source, target))
        elif LAYER_OF[source] >= LAYER_OF[target] or (source, target) in PLUGIN_ONLY:
            bad.add((source, target))
    return bad


def cycles() -> list[list[str]]:
    """Strongly connected components with more than one sub-package (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges_by_pair():
        graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return out


def test_every_sub_package_has_a_layer():
    """A new sub-package must be placed in LAYERS (or the contract silently ignores it)."""
    packages = {owner(m) for m in module_files()} - {ROOT_PACKAGE, DATA_PACKAGE}
    assert packages - set(LAYER_OF) == set(), "add these sub-packages to LAYERS"
    assert set(LAYER_OF) - packages == set(), "LAYERS names sub-packages that do not exist"


def test_the_parser_sees_lazy_and_relative_imports(tmp_path):
    """Guard the guard: imports inside functions, relative and import_module ones are found."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    source = pkg / "mod.py"
    source.write_text("import importlib\n"
                      "def f():\n    from tutor.eval import cli\n"
                      "    importlib.import_module('tutor.ui.app')\n"
                      "from . import sibling\nfrom ..core.text import tokenize\n")
    targets = {i.target for i in imports_of("tutor.cli.mod", source)}
    assert {"tutor.eval.cli", "tutor.ui.app", "tutor.cli.sibling",
            "tutor.core.text.tokenize"} <= targets


def test_no_cycles_between_sub_packages():
    found = cycles()
    pairs = edges_by_pair()
    detail = "\n".join(
        describe(pairs, {(a, b) for a in c for b in c if (a, b) in pairs}) for c in found)
    assert not found, f"import cycles between sub-packages {found}:\n{detail}"


def test_layers_only_import_downward():
    bad = layering_violations() - set(KNOWN_VIOLATIONS)
    assert not bad, ("imports against the layers (top to bottom: "
                     + " > ".join("[" + ", ".join(layer) + "]" for layer in LAYERS)
                     + f"):\n{describe(edges_by_pair(), bad)}")


@pytest.mark.parametrize("edge", [
    pytest.param(edge, id=f"{edge[0]}->{edge[1]}",
                 marks=pytest.mark.xfail(strict=True, reason=f"known violation: {why}"))
    for edge, why in KNOWN_VIOLATIONS.items()])
def test_known_violation(edge):
    """Fails (as expected) while the edge exists; XPASS, and so an error, once it is gone."""
    assert edge not in layering_violations(), describe(edges_by_pair(), {edge})


def test_cli_reaches_eval_only_through_the_plugin_entry_point():
    """No import of tutor.eval in tutor.cli, and no registry string naming it."""
    static = [imp.where for imp in internal_imports()
              if owner(imp.source) == "tutor.cli" and owner(imp.target) == "tutor.eval"]
    strings = [f"{path.relative_to(ROOT)}:{node.lineno}"
               for module, path in module_files().items() if owner(module) == "tutor.cli"
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and node.value.startswith("tutor.eval")]
    assert not static + strings, f"tutor.cli names tutor.eval at {static + strings}"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    plugins = config["project"]["entry-points"]["tutor.plugins"]
    assert plugins.get("eval", "").startswith("tutor.eval."), plugins


def test_data_package_holds_no_imports():
    found = [imp.where for module, path in module_files().items() if owner(module) == DATA_PACKAGE
             for imp in imports_of(module, path)]
    assert not found, f"tutor.data is package data only, but imports at {found}"


def test_wheel_installs_only_the_tutor_package():
    """Every package the wheel installs lives under `tutor`, and every folder of the layout
    with an __init__.py is installed (a missing one would vanish from the wheel)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    packages = setuptools.get("packages")
    assert isinstance(packages, list), "list packages explicitly (auto-discovery would find " \
                                       "tests/ and benchmarks/)"
    declared = set(packages) | set(setuptools.get("package-dir", {})) - {""}
    outside = sorted(p for p in declared | set(setuptools.get("py-modules", []))
                     if p != ROOT_PACKAGE and not p.startswith(ROOT_PACKAGE + "."))
    assert not outside, f"top-level names other than {ROOT_PACKAGE!r} in the wheel: {outside}"
    on_disk = {m for m, path in module_files().items() if is_package(path)}
    assert on_disk - set(packages) == set(), "packages missing from [tool.setuptools] packages"
