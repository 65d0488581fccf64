"""The project's import graph has no cycle, and the library packages have no entry points (issue 9).

Every module of theory, numerics, training and proofs_check is parsed (not imported); every ``import``
and ``from ... import`` anywhere in it (module level, inside functions, inside ``if`` blocks) is an edge
to the project module it names. ``from pkg import name`` is an edge to ``pkg.name`` when that is a
module, else to ``pkg``. Discovery through ``importlib.import_module`` (the claim, errata, command and
experiment packages) is not an import statement and is not followed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "training", "proofs_check")
LIBRARIES = ("theory", "numerics", "training")


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under the packages (``__init__`` names the package)."""
    out = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that module ``name`` (file ``path``) imports, at any depth of its AST."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                child = f"{source}.{alias.name}"
                found.add(child if child in modules else source)
    return {m for m in found if m in modules and m != name}


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    modules = module_files(root, packages)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle ``[a, b, ..., a]`` of the directed graph, or ``None`` (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def has_main_block(path: Path) -> bool:
    """True when the module has an ``if __name__ == "__main__"`` block at any depth."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "__name__" \
                and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in node.comparators):
            return True
    return False


def test_no_import_cycle_among_project_modules():
    graph = import_graph(ROOT, PACKAGES)
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100  # the parse saw the project
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_entry_points_in_the_libraries():
    found = {str(path.relative_to(ROOT)) for path in module_files(ROOT, LIBRARIES).values() if has_main_block(path)}
    assert not found, f"if __name__ == '__main__' in {sorted(found)}"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import f\n",
                      "pkg/b.py": "def f():\n    from . import c\n", "pkg/c.py": "import pkg.a\n",
                      "pkg/d.py": "from pkg import a\n"})
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.d"] == {"pkg.a"} and graph["pkg.b"] == {"pkg.c"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]


def test_an_acyclic_graph_and_the_main_guard(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from .b import g\n", "pkg/b.py": "import os\n",
                      "pkg/m.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n"})
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.a"] == {"pkg.b"} and find_cycle(graph) is None
    assert has_main_block(tmp_path / "pkg/m.py") and not has_main_block(tmp_path / "pkg/a.py")
