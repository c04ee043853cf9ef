"""Desktop modules stay small and say what they own.

Which engine modules and libraries the desktop may import is checked by the import-linter
contracts in pyproject.toml (`make test` runs `lint-imports`)."""
import ast
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


def test_desktop_modules_stay_small_and_say_what_they_own():
    for path in DESKTOP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
