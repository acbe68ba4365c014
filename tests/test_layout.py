"""The package layout's dependency rule (DESIGN.md, Data flow): dependencies point down.

indexer/analysis is the bottom; ingest/ and store/ use it; build/ and search/ use those three.
The top-level indexer modules (config, errors, fields, dates, private) are used by every
layer, so they import none of them. No Flask and nothing of the web app below search_app/;
ocr/ imports nothing of ours."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("analysis", "ingest", "store", "build", "search")
# subpackage -> the subpackages it must not import
FORBIDDEN = {
    "analysis": {"ingest", "store", "build", "search"},
    "ingest": {"store", "build", "search"},
    "store": {"ingest", "build", "search"},
    "search": {"build"},
    "build": {"search"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports (at the top, in functions, under TYPE_CHECKING), absolute.
    `from package import name` counts as importing package.name as well."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def layer(module: str) -> str | None:
    """The indexer subpackage `module` belongs to ('' for a top-level indexer module)."""
    parts = module.split(".")
    if parts[0] != "indexer":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""


def test_every_indexer_module_sits_in_a_layer_or_is_shared():
    top = {p.stem for p in (ROOT / "indexer").glob("*.py")}
    assert top == {"__init__", "config", "errors", "fields", "dates", "private"}
    assert {p.name for p in (ROOT / "indexer").iterdir() if p.is_dir()
            and (p / "__init__.py").exists()} == set(LAYERS)


@pytest.mark.parametrize("path", modules("indexer"), ids=lambda p: module_name(p))
def test_indexer_dependencies_point_down(path):
    own = layer(module_name(path))
    targets = {layer(m) for m in imported(path)} - {None}
    if own == "":
        assert targets <= {""}, f"{module_name(path)} is shared by every layer, yet imports " \
                                f"from {sorted(targets - {''})}/"
    else:
        wrong = targets & FORBIDDEN[own]
        assert not wrong, f"{module_name(path)} ({own}/) imports from {sorted(wrong)}/"


@pytest.mark.parametrize("folder", ["indexer", "ocr"])
def test_no_web_below_search_app(folder):
    for path in modules(folder):
        roots = {m.split(".")[0] for m in imported(path)}
        assert not roots & {"flask", "flask_login", "flask_wtf", "werkzeug", "search_app"}, path


def test_ocr_imports_nothing_of_ours():
    for path in modules("ocr"):
        roots = {m.split(".")[0] for m in imported(path)}
        assert not roots & {"indexer", "search_app"}, path
