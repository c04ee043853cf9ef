"""The house rules that keep the engine usable headless and the layers apart. Which package
may import what is checked by the import-linter contracts in pyproject.toml (`make test` runs
them); these tests check what a contract cannot: import-time cost, size, docstrings, output."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(_top(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(_top(node.module))
    return names


def _top(module: str) -> str:
    """The package a module belongs to: 'torch', or 'lookalike.desktop' for our own."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "lookalike" else parts[0]


def engine_files():
    return sorted(ENGINE.rglob("*.py"))


def test_importing_every_engine_module_loads_no_qt_no_torch_and_no_model():
    modules = ["lookalike." + ".".join(p.relative_to(ROOT).with_suffix("").parts) for p in engine_files()]
    modules = [m.removesuffix(".__init__") for m in modules]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = sorted(m for m in ('PySide6', 'torch', 'transformers', 'faiss', 'onnxruntime', 'cv2') if m in sys.modules)\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_modules_stay_small_and_say_what_they_own():
    too_long, undocumented = [], []
    for path in engine_files():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 400:
            too_long.append(path.name)
        if not ast.get_docstring(ast.parse(text)):
            undocumented.append(str(path.relative_to(ROOT)))
    assert too_long == [] and undocumented == []


def absolute_imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved ('from . import cli' in engine/x.py
    is lookalike.engine.cli); 'from a import b' counts both a and a.b."""
    package = ["lookalike", *path.relative_to(ROOT).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_outside_the_cli_package_imports_it():
    """The `lookalike` command is a leaf: only its entry points start it (pyproject's script and
    the frozen app's packaging/entry.py); no engine part, desktop view or bench leans on it."""
    cli, allowed = ENGINE / "cli", {ROOT / "packaging" / "entry.py"}
    offenders = []
    for folder in ("engine", "desktop", "bench", "packaging"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if cli in path.parents or path in allowed:
                continue
            if any(m == "lookalike.engine.cli" or m.startswith("lookalike.engine.cli.")
                   for m in absolute_imports(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_cli_entry_point_is_the_cli_package_main():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'lookalike = "lookalike.engine.cli:main"' in text


def test_the_engine_never_prints_only_the_cli_renderer_writes_to_the_terminal():
    """House rule 3: no print or stream writes inside the engine; the CLI and the GUI render."""
    renderer = ENGINE / "cli" / "render.py"
    writers = []
    for path in engine_files():
        if path == renderer:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            printing = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "input")
            streams = (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr", "stdin")
                       and isinstance(node.value, ast.Name) and node.value.id == "sys")
            if printing or streams:
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert writers == []
