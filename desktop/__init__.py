"""Lookalike's desktop app (PySide6). Reaches the engine only through engine.Library."""
