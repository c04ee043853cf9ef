"""The composition root: builds the Library and the MainWindow, and starts Qt.

Owns: command-line options of `lookalike-gui`, the application object and its style,
turning a library that cannot be opened into a readable message, and refusing a second app
on a library that another one has open. Must not: hold app logic.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional, Sequence


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) / "resources" if frozen else Path(__file__).resolve().parents[1] / "resources"


def style_sheet(text: str, point_size: float) -> str:
    """The style sheet with its `font-size: N%` turned into points of the system font's
    `point_size` (text then grows and shrinks with the user's text size), and `@resources`
    in image URLs turned into the resources folder, wherever the app is installed."""
    def points(match: re.Match) -> str:
        return f"font-size: {point_size * int(match.group(1)) / 100:.1f}pt"
    return re.sub(r"font-size:\s*(\d+)%", points, text).replace("@resources", resources_dir().as_posix())


def apply_style(app) -> None:
    style = resources_dir() / "style.qss"
    if style.is_file():
        sheet = style_sheet(style.read_text(encoding="utf-8"), app.font().pointSizeF())
        if app.styleSheet() != sheet:   # setting it again re-polishes every live widget
            app.setStyleSheet(sheet)


def make_application(argv: Sequence[str]):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("Lookalike")
    app.setOrganizationName("Lookalike")
    app.setDesktopFileName("lookalike")
    apply_style(app)   # the main window applies it again when the system font changes
    icon = resources_dir() / "lookalike.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def settle_heap() -> None:
    """Collects garbage once, then exempts everything alive now (imports, Qt wrappers, the
    window) from later collections. Full passes over that heap stalled the event loop while
    indexing (bench/gui_latency.py, 3 runs each: worst 114-122 ms, one stall over 100 ms per
    run; frozen: worst 20-31 ms, none)."""
    import gc

    gc.collect()
    gc.freeze()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="lookalike-gui", description="Lookalike desktop app")
    parser.add_argument("--library", metavar="DIR")
    parser.add_argument("--model-dir", metavar="DIR")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation works (offscreen, temporary library), then exit")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.self_test:
        from .self_test import run

        return run(args.model_dir)
    app = make_application(sys.argv[:1])

    from PySide6.QtWidgets import QMessageBox

    from lookalike.engine import Library, app_instance_lock, describe_process
    from lookalike.engine.errors import LookalikeError

    from .main_window import MainWindow

    describe_process("Lookalike app")  # how a `lookalike` command waiting for a write names us
    try:
        # The daily backup runs behind the window (MainWindow starts it), never before it.
        library = Library.open(args.library, model_dir=args.model_dir, backup=False)
    except LookalikeError as exc:
        QMessageBox.critical(None, "Lookalike", str(exc))
        return 1
    # One window per library: the app lock is held for the app's life (writes still take
    # turns with `lookalike` commands per job, through the library's writer lock).
    instance = app_instance_lock(library.path)
    if instance is None:
        library.close()
        QMessageBox.warning(None, "Lookalike", f"Lookalike is already open on the library at "
                            f"{library.path}; switch to that window.")
        return 1
    try:
        window = MainWindow(library)
        window.show()
        settle_heap()
        if library.folders():
            window.request_scan()
        code = app.exec()
        library.close()
    finally:
        instance.release()
    return code
