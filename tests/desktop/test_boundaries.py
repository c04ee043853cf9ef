"""The desktop reaches the engine only through Library and its small value types."""
import ast
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
ALLOWED = {"lookalike.engine", "lookalike.engine.errors", "lookalike.engine.results", "lookalike.engine.jobs"}
FORBIDDEN_LIBRARIES = {"sqlalchemy", "sqlite3", "faiss", "torch", "transformers", "onnxruntime"}


def test_widgets_never_touch_the_catalog_the_index_or_a_model():
    wrong = []
    for path in DESKTOP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if (name.startswith("lookalike.engine") and name not in ALLOWED) or name.split(".")[0] in FORBIDDEN_LIBRARIES:
                    wrong.append(f"{path.name}: {name}")
    assert wrong == []


def test_desktop_modules_stay_small_and_say_what_they_own():
    for path in DESKTOP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
