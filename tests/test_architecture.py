"""The package's shape: layers without cycles, public names only across modules.

Read with ``ast`` (nothing is imported), so the rules hold for imports inside functions and
for ``importlib.import_module("companion.x")`` too. Set ``COMPANION_ROOT`` to check another
copy of the repository (the tree before the layering, say).
"""

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("COMPANION_ROOT", Path(__file__).resolve().parent.parent))
PACKAGE = ROOT / "companion"

#: Each module's layer: a module may import only from strictly lower layers (and the same
#: module). ``exercises`` sits on top and may use anything.
LAYERS = {
    "validate": 0,
    "simulate": 1,
    "data": 1,
    "models": 2,
    "fit": 2,
    "exact": 2,
    "summaries": 2,
    "plots": 2,
    "graphs": 2,
    "predict": 2,
    "explore": 3,
    "coins": 3,
    "retail": 3,
    "forecast": 3,
    "realdata": 3,
    "compare": 3,
    "crossval": 3,
    "radon": 3,
    "exercises": 4,
}

#: Modules of the same layer may import each other only along these edges (acyclic).
SAME_LAYER = {
    ("data", "simulate"): "data writes the simulated files",
    ("exact", "models"): "the exact posteriors share the builders' priors",
    ("plots", "summaries"): "plots draw the tables summaries compute",
    ("predict", "models"): "prediction rebuilds a builder's model",
    ("forecast", "retail"): "forecasts know the retail builders",
    ("crossval", "compare"): "cross-validation reuses comparison helpers",
}


def _modules(folder: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py":
            found[path.stem] = path
    for path in sorted(folder.glob("*/__init__.py")):
        found[path.parent.name] = path
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _references(tree: ast.AST) -> list[tuple[str, str | None, int]]:
    """Every ``(companion submodule, imported name or None, line)`` a file refers to."""
    refs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "companion":
                refs += [(alias.name, None, node.lineno) for alias in node.names]
            elif node.module.startswith("companion."):
                sub = node.module.removeprefix("companion.")
                refs += [(sub, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("companion."):
                    refs.append((alias.name.removeprefix("companion."), None, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("companion.")
        ):
            refs.append((str(node.args[0].value).removeprefix("companion."), None, node.lineno))
    return refs


def _module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to companion modules: ``from companion import fit`` gives fit."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "companion":
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("companion."):
            for alias in node.names:
                target = f"{node.module.removeprefix('companion.')}.{alias.name}"
                if (PACKAGE / f"{target.replace('.', '/')}.py").exists():
                    aliases[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("companion.") and alias.asname:
                    aliases[alias.asname] = alias.name.removeprefix("companion.")
    return aliases


def _public(path: Path) -> set[str] | None:
    """The names in a module's ``__all__``, or None when it has none."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(getattr(t, "id", None) == "__all__" for t in targets):
                return {elt.value for elt in node.value.elts}
    return None


def _files() -> list[Path]:
    package = [*PACKAGE.glob("*.py"), *PACKAGE.glob("*/*.py")]
    return sorted(package) + sorted((ROOT / "tests").glob("*.py"))


def _owner(path: Path) -> str | None:
    """The companion module a file belongs to (None for tests and the package root)."""
    if path.parent == PACKAGE:
        return None if path.name == "__init__.py" else path.stem
    if path.parent.parent == PACKAGE:
        return path.parent.name
    return None


def import_graph() -> dict[str, set[str]]:
    """Module -> the companion modules it imports (at any depth of its code)."""
    graph: dict[str, set[str]] = {name: set() for name in _modules(PACKAGE)}
    for path in _files():
        owner = _owner(path)
        if owner is None:
            continue
        for module, _, _ in _references(ast.parse(path.read_text())):
            if _top(module) != owner:
                graph[owner].add(_top(module))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def private_uses() -> list[str]:
    """Every use of a ``_private`` companion name outside the module that defines it."""
    found = []
    for path in _files():
        tree = ast.parse(path.read_text())
        owner = _owner(path)
        where = path.relative_to(ROOT)
        for module, name, line in _references(tree):
            if name and name.startswith("_") and _top(module) != owner:
                found.append(f"{where}:{line} imports companion.{module}.{name}")
        aliases = _module_aliases(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            if node.attr.startswith("__"):
                continue
            base = node.value
            if isinstance(base, ast.Name) and base.id in aliases:
                module = aliases[base.id]
            elif (
                isinstance(base, ast.Attribute)
                and isinstance(base.value, ast.Name)
                and base.value.id == "companion"
            ):
                module = base.attr
            else:
                continue
            if _top(module) != owner:
                found.append(f"{where}:{node.lineno} uses companion.{module}.{node.attr}")
    return found


def reexported_imports() -> list[str]:
    """Names imported from a companion module whose ``__all__`` does not list them."""
    modules = _modules(PACKAGE)
    found = []
    for path in _files():
        for module, name, line in _references(ast.parse(path.read_text())):
            if name is None or name.startswith("_") or _top(module) not in modules:
                continue
            target = PACKAGE / f"{module.replace('.', '/')}.py"
            if not target.exists():
                target = PACKAGE / module.replace(".", "/") / "__init__.py"
            if not target.exists() or (target.parent / f"{name}.py").exists():
                continue
            public = _public(target)
            if public is not None and name not in public:
                found.append(
                    f"{path.relative_to(ROOT)}:{line} imports {name!r} from companion.{module}, "
                    "which does not define it publicly (import it from where it is defined)"
                )
    return found


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports that go sideways or upward between layers."""
    found = []
    for module, targets in sorted(graph.items()):
        if module not in LAYERS:
            found.append(f"companion.{module} has no layer: add it to LAYERS")
            continue
        for target in sorted(targets):
            if target not in LAYERS:
                continue
            if LAYERS[target] < LAYERS[module] or (module, target) in SAME_LAYER:
                continue
            found.append(
                f"companion.{module} (layer {LAYERS[module]}) imports companion.{target} "
                f"(layer {LAYERS[target]})"
            )
    return found


def test_every_module_has_a_layer_and_the_package_docstring_names_it():
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text())) or ""
    for module in _modules(PACKAGE):
        assert module in LAYERS, f"companion.{module} has no layer in LAYERS"
        assert f"\n    {module}\n" in doc, f"companion/__init__.py does not describe {module}"


def test_the_package_has_no_import_cycle():
    assert find_cycle(import_graph()) is None, find_cycle(import_graph())


def test_imports_go_down_the_layers_only():
    assert layer_violations(import_graph()) == []


def test_the_validation_layer_imports_nothing_from_the_package():
    assert import_graph()["validate"] == set()


def test_no_private_name_is_used_outside_its_module():
    assert private_uses() == []


def test_names_are_imported_from_the_module_that_defines_them():
    assert reexported_imports() == []


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from companion.models import _prepare\n", ["models", "_prepare"]),
        ("from companion import exact\nexact._system(1)\n", ["exact", "_system"]),
        ("import importlib\nimportlib.import_module('companion.coins')\n", ["coins", None]),
    ],
)
def test_the_reference_reader_sees_private_and_late_imports(source, expected):
    tree = ast.parse(source)
    refs = [[module, name] for module, name, _ in _references(tree)]
    if expected[1] == "_system":
        assert _module_aliases(tree) == {"exact": "exact"}
        assert any(
            isinstance(node, ast.Attribute) and node.attr == "_system" for node in ast.walk(tree)
        )
    else:
        assert expected in refs


def _public_definitions():
    """``(module, name, docstring)`` of every public function and class a module defines."""
    for module, path in _modules(PACKAGE).items():
        tree = ast.parse(path.read_text())
        exported = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                exported = set(ast.literal_eval(node.value))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in exported:
                yield module, node.name, ast.get_docstring(node) or ""


def _notebook_code(path: Path) -> str:
    import nbformat

    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(c.source for c in cells if c.cell_type == "code")


def test_every_public_function_names_the_notebook_that_introduces_it():
    import re

    notebooks = {p.name: p for p in (ROOT / "notebooks").glob("*.ipynb")}
    unnamed, wrong = [], []
    for module, name, doc in _public_definitions():
        cited = re.findall(r"notebooks/(\d\d_\w+\.ipynb)", doc)
        said = ("not called in the notebooks", "no notebook", "machinery behind")
        if not cited and not any(phrase in doc.lower() for phrase in said):
            unnamed.append(f"{module}.{name}")
        for notebook in cited:
            if notebook not in notebooks:
                wrong.append(f"{module}.{name}: no notebook {notebook}")
    assert unnamed == [], f"docstrings that name no notebook: {unnamed}"
    assert wrong == [], wrong


def test_a_function_introduced_in_a_notebook_is_used_there():
    import re

    unused = []
    for module, name, doc in _public_definitions():
        match = re.search(r"Introduced in ``notebooks/(\d\d_\w+\.ipynb)``", doc)
        if match is None:
            continue
        code = _notebook_code(ROOT / "teacher" / match.group(1))
        if not re.search(rf"\b{name}\b", code):
            unused.append(f"{module}.{name} ({match.group(1)})")
    assert unused == [], f"introduced in a notebook that does not call it: {unused}"


def test_the_package_map_names_the_notebook_of_each_modules_first_function():
    import re

    package_doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text())) or ""
    first = {}
    for module, _name, doc in _public_definitions():
        match = re.search(r"Introduced in ``notebooks/(\d\d)_", doc)
        if match:
            first[module] = min(first.get(module, "99"), match.group(1))
    wrong = []
    for module, number in first.items():
        entry = re.search(rf"\n    {module}\n((?:        .*\n)+)", package_doc + "\n")
        cited = re.search(r"notebooks/(\d\d)_", entry.group(1)) if entry else None
        if cited is None or cited.group(1) != number:
            wrong.append(f"{module}: map says {cited and cited.group(1)}, first function {number}")
    assert wrong == [], wrong
