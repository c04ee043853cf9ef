"""`lookalike-gui --self-test`: proves an installed app works, then exits 0 (or 1).

Owns: the smoke test an installer runs after installing: open a temporary library, index the
bundled sample pictures with pHash (and DINOv2 when its weights resolve, e.g. bundled with the
installer), run a tiny ONNX graph through the bundled onnxruntime, write and read XMP with
exiv2 and load LibRaw, check the expected duplicate group, build and show the main window
offscreen, and report each step on stdout. Must not: touch the user's library or need a display or network.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def run(model_dir: str | None = None) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from .app import make_application, resources_dir

    steps: list[str] = []

    def ok(text: str) -> None:
        steps.append(text)
        print(f"self-test: ok   {text}", flush=True)

    try:
        app = make_application(["lookalike-gui"])
        ok(f"Qt {__import__('PySide6.QtCore', fromlist=['qVersion']).qVersion()} started offscreen")
        samples = resources_dir() / "samples"
        pictures = sorted(samples.glob("*.jpg"))
        if len(pictures) < 3:
            raise RuntimeError(f"the bundled sample pictures are missing from {samples}")
        from lookalike.engine import Library, check_onnx_runtime, check_photo_tools

        from .main_window import MainWindow

        ok(check_onnx_runtime())  # SSCD runs on it once the user installs its package
        ok(check_photo_tools())   # metadata merge (exiv2) and RAW photos (LibRaw)

        with tempfile.TemporaryDirectory(prefix="lookalike-self-test-") as tmp:
            photos = Path(tmp) / "photos"
            photos.mkdir()
            for picture in pictures:
                shutil.copy(picture, photos / picture.name)
            library = Library.open(Path(tmp) / "library", model_dir=model_dir)
            library.settings.text_search = False
            library.add_folder(photos)
            models = ["phash"] + [m.name for m in library.models() if m.name == "dinov2-small" and m.present]
            for model in models:
                summary = library.scan(model=model)
                if summary.failed or summary.added + summary.unchanged != len(pictures):
                    raise RuntimeError(f"indexing with {model} failed: {summary.line()}")
                ok(f"indexed {len(pictures)} sample pictures with {model} ({summary.line()})")
                groups = library.duplicates(tier="near", model=model)
                found = sorted(sorted(Path(f.path).name for f in g.files) for g in groups)
                if found != [["sample-a-small.jpg", "sample-a.jpg"]]:
                    raise RuntimeError(f"{model} found {found}, expected the sample-a pair")
                ok(f"{model} found the expected duplicate pair")
            window = MainWindow(library, watch=False)
            window.show()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not window.isVisible():
                app.processEvents()
            app.processEvents()
            if window.grab().isNull():
                raise RuntimeError("the main window could not be drawn")
            ok("main window shown")
            window.close()
            library.close()
    except Exception as exc:  # noqa: BLE001 - every failure becomes one readable line and exit 1
        print(f"self-test: FAIL {exc.__class__.__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"self-test: passed ({len(steps)} checks)", flush=True)
    return 0
