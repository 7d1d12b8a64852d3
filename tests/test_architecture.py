"""The shape of the code: no import cycle among orchest_jlab's modules, and no module too long to
read (docs/architecture.md). Every import counts: at module level, inside functions, and under
TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "orchest_jlab"
MAX_LINES = 420  # "about 400"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "step_sdk" not in p.parts and "labextension" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (``from .x import y`` names module x.y if it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
                elif target in known:
                    found.add(target)
    found.discard(name)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_layers_point_down():
    """The pure core and the low layers import nothing above them."""
    graph = import_graph()
    rules = {
        "orchest_jlab.pipelines": ("orchest_jlab.pipelines", "orchest_jlab.errors"),
        "orchest_jlab.docker": ("orchest_jlab.docker", "orchest_jlab.identity", "orchest_jlab.sdk"),
        "orchest_jlab.engine": ("orchest_jlab.engine", "orchest_jlab.pipelines", "orchest_jlab.errors",
                                "orchest_jlab.identity", "orchest_jlab.sdk"),
    }
    for layer, allowed in rules.items():
        for module, targets in graph.items():
            if module == layer or module.startswith(layer + "."):
                wrong = sorted(t for t in targets if not t.startswith(allowed))
                assert not wrong, f"{module} (layer {layer}) imports {wrong}"


def test_no_module_is_too_long():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    sources = [p for p in (REPO / "src").rglob("*.ts*") if "__tests__" not in p.parts]
    long.update({str(p.relative_to(REPO)): n for p in sources if (n := len(p.read_text().splitlines())) > MAX_LINES})
    assert not long, f"split these by responsibility: {long}"
