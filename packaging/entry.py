"""The frozen app's one entry point: `lookalike` runs the CLI, `lookalike-gui` the desktop app.

One PyInstaller binary serves both names (the installer links them), halving the install.
Models bundled with `make package MODELS=DIR` lie in models/ beside the binary; they are
searched after the user's own model folder, before the Hugging Face cache.
"""
import os
import sys


def main() -> int:
    bundled = os.path.join(os.path.dirname(os.path.realpath(sys.executable)), "models")
    if os.path.isdir(bundled):
        os.environ.setdefault("LOOKALIKE_BUNDLED_MODELS", bundled)
    if os.path.basename(sys.argv[0]).startswith("lookalike-gui"):
        from lookalike.desktop.app import main as gui

        return gui()
    from lookalike.engine.cli import main as cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
