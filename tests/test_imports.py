"""The project's import graph has no cycle, imports run down the layers only, and the library packages
have no entry points (issues 9 and 22).

Every module of theory, numerics, training, proofs_check and igeom is parsed (not imported); every
``import`` and ``from ... import`` anywhere in it (module level, inside functions, inside ``if`` blocks) is
an edge to the project module it names. ``from pkg import name`` is an edge to ``pkg.name`` when that is a
module, else to ``pkg``. A call ``import_module(...)`` / ``importlib.import_module(...)`` /
``__import__(...)`` whose argument is a string, or an f-string or ``+`` concatenation that starts with a
constant, is an edge to every project module whose name starts with that constant text; a string constant
assigned to a NAME and used as the argument counts the same way. A module whose target is a parameter
declares what it may load in a module-level tuple ``DYNAMIC_IMPORTS`` of package names (edges to every
module under them); an argument that is none of these is itself an error (the graph could not see where
it leads).

Layers, bottom to top (:data:`LAYERS`): theory; numerics and training (side by side: neither imports the
other); proofs_check (the registry); igeom (the application). An edge may only point to the same package or
to a lower layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "training", "proofs_check", "igeom")
LIBRARIES = ("theory", "numerics", "training")
LAYERS = {"theory": 0, "numerics": 1, "training": 1, "proofs_check": 2, "igeom": 3}
"""Layer of each top-level package: an import must stay in its package or point to a lower layer."""


class UnresolvedDynamicImport(Exception):
    """An ``import_module`` call whose target the parse cannot read."""


def _constant_prefix(node: ast.AST, names: dict[str, str]) -> str | None:
    """The constant text an import target starts with (a string, an f-string or ``+`` chain starting with a
    constant, or a module-level name bound to a string), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.JoinedStr) and node.values:
        return _constant_prefix(node.values[0], names)
    if isinstance(node, ast.FormattedValue):
        return _constant_prefix(node.value, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant_prefix(node.left, names)
    if isinstance(node, ast.Attribute) and node.attr == "__name__" and isinstance(node.value, ast.Name):
        return names.get(f"{node.value.id}.__name__")
    return None


def _dynamic_targets(tree: ast.AST, modules: dict[str, Path], where: str) -> set[str]:
    """Project modules reached through import_module / __import__ calls in ``tree``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node.value.value
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:       # `import pkg.sub as x`: x.__name__ is the module's name
                source = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
                names[f"{alias.asname or alias.name}.__name__"] = source
    declared: tuple[str, ...] | None = None
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DYNAMIC_IMPORTS" for t in node.targets):
            items = node.value.elts if isinstance(node.value, (ast.Tuple, ast.List)) else [node.value]
            declared = tuple(_constant_prefix(item, names) or "" for item in items)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if called not in ("import_module", "__import__"):
            continue
        prefix = _constant_prefix(node.args[0], names)
        if prefix is not None:
            found.update(m for m in modules if m.startswith(prefix))
        elif declared is not None:
            found.update(m for m in modules if any(m == p or m.startswith(p + ".") for p in declared))
        else:
            raise UnresolvedDynamicImport(f"{where}: import target at line {node.lineno} is not a readable string "
                                          "(declare the packages it may load in DYNAMIC_IMPORTS)")
    return found


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
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = _dynamic_targets(tree, modules, str(path))
    for node in ast.walk(tree):
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


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Edges that leave their package for a package of the same or a higher layer."""
    bad = []
    for src, targets in graph.items():
        top = src.split(".")[0]
        for dst in targets:
            other = dst.split(".")[0]
            if other != top and LAYERS.get(other, -1) >= LAYERS.get(top, -1):
                bad.append(f"{src} -> {dst}")
    return sorted(bad)


def test_imports_point_down_the_layers_only():
    graph = import_graph(ROOT, PACKAGES)
    assert any(m.startswith("igeom.") for m in graph)            # the application package was parsed
    assert {"igeom.commands.verify"} <= set(graph) and any(d.startswith("igeom.commands.") for d in graph["igeom.cli"])
    assert not upward_imports(graph), "imports that run up or sideways:\n" + "\n".join(upward_imports(graph))


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


def test_dynamic_imports_are_edges_and_layers_are_checked(tmp_path):
    _write(tmp_path, {"theory/__init__.py": "", "theory/a.py": "import importlib\n"
                      "def f(n):\n    return importlib.import_module(f'igeom.cmds.{n}')\n",
                      "igeom/__init__.py": "", "igeom/cmds/__init__.py": "", "igeom/cmds/x.py": "from theory import a\n",
                      "numerics/__init__.py": "", "numerics/s.py": "PKG = 'training.t'\n"
                      "def g():\n    return __import__(PKG)\n", "training/__init__.py": "", "training/t.py": ""})
    graph = import_graph(tmp_path, ("theory", "numerics", "training", "igeom"))
    assert graph["theory.a"] == {"igeom.cmds.x"} and graph["numerics.s"] == {"training.t"}
    assert find_cycle(graph) is not None                         # theory.a -> igeom.cmds.x -> theory.a
    assert upward_imports(graph) == ["numerics.s -> training.t", "theory.a -> igeom.cmds.x"]


def test_an_unreadable_dynamic_import_is_an_error(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import importlib\ndef f(n):\n    return importlib.import_module(n)\n"})
    with pytest.raises(UnresolvedDynamicImport, match="line 3"):
        import_graph(tmp_path, ("pkg",))
    _write(tmp_path, {"pkg/a.py": "import importlib\nDYNAMIC_IMPORTS = ('pkg.sub',)\n"
                      "def f(n):\n    return importlib.import_module(n)\n", "pkg/sub/__init__.py": "", "pkg/sub/b.py": ""})
    assert import_graph(tmp_path, ("pkg",))["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
