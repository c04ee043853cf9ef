"""Renders each view of the app on a sample library to PNG files (`make screenshots`).

Owns: building a throwaway sample library (a copy of a photo folder plus resized and
re-encoded copies of a few photos), driving the real window offscreen through a scan, and
grabbing the welcome, duplicates (cards, and the results table with a Mark rule applied), viewer (a group's photo large with its metadata), photos, search, tags (a "flowers" tag taught from the
sample's flower photos) and compare views, the Folders page with two unreadable files, the compare view in each mode (side by side with
the match overlay, slider, difference, patch map), Preferences (General with the calibration
line, and Models), the missing-model dialog and text search offering CLIP's download. Must not: touch the user's own library or
photos, or download anything.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def make_sample(source: Path, target: Path, copies: int = 12) -> Path:
    from PIL import Image

    photos = target / "Pictures"
    shutil.copytree(source, photos, ignore=shutil.ignore_patterns("*.csv", "*.md"))
    edited = photos / "Exports"
    edited.mkdir()
    for i, path in enumerate(sorted(p for p in photos.iterdir() if p.is_file())[:copies]):
        with Image.open(path) as img:
            img = img.convert("RGB")
            img.resize((img.width // 2, img.height // 2)).save(edited / f"{path.stem} (small).jpg", quality=85)
            if i % 3 == 0:
                img.save(edited / f"{path.stem} (web).webp", quality=45)
    return photos


def write_credits(photos: Path, out: Path) -> None:
    """The sample photos' sources and licenses travel with every picture that shows them."""
    import csv

    manifest = photos / "MANIFEST.csv"
    if not manifest.is_file():
        return
    with manifest.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lines = ["# Photos shown in these screenshots", "",
             f"The screenshots show photos from `{photos}` and resized or re-encoded copies of them.",
             "Each photo's source package and license:", "",
             "| file | source package | license |", "|---|---|---|"]
    lines += [f"| {r['file']} | {r['source_package']} | {r['license']} |" for r in rows]
    (out / "PHOTO-CREDITS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def grab_model_pages(window, out: Path, settle) -> None:
    """Preferences › Models and › General, the dialog a first scan without DINOv2 opens (drawn
    as it would be: no model is removed or downloaded for the picture), and text search
    without CLIP."""
    import dataclasses

    from .dialogs.missing_model_dialog import MissingModelDialog
    from .dialogs.preferences_dialog import PreferencesDialog

    dialog = PreferencesDialog(window.library, window, devices=window.devices, runner=window.runner,
                               downloads=window.downloads)
    dialog.resize(860, 760)
    dialog.show()
    settle(1.0, until=lambda: dialog.calibration is None or not window.runner.reading)
    dialog.grab().save(str(out / "preferences-general.png"))
    dialog.tabs.setCurrentWidget(dialog.models_page)
    settle(1.0, until=lambda: bool(dialog.models_page.rows))
    dialog.grab().save(str(out / "preferences-models.png"))
    dialog.close()
    infos = {m.name: m for m in window.library.models()}
    missing = dataclasses.replace(infos["dinov2-small"], present=False, can_download=True,
                                  source="weights not found (model folder, data folder, Hugging Face cache)")
    sscd = dataclasses.replace(infos["sscd"], present=False, can_download=True)
    asked = MissingModelDialog("dinov2-small", missing, True, sscd, window)
    asked.show()
    settle(0.5)
    asked.grab().save(str(out / "missing-model.png"))
    asked.close()
    if not infos["clip-b32"].present:   # text search without CLIP: the message and its button
        from .main_window import PAGES

        window.nav.setCurrentRow(PAGES.index("Search"))
        window.search.field.setText("fog over a field")
        window.search.search_text()
        settle(1.0, until=lambda: window.search.fix.isVisible() and "MB)" in window.search.fix.button.text())
        window.grab().save(str(out / "search-without-clip.png"))


def grab_folders_page(window, tmp: Path, photos: Path, out: Path, settle) -> None:
    """The Folders page with a second folder holding a 0-byte and a truncated JPEG."""
    from .main_window import PAGES

    scans = tmp / "Scans" / "2019"
    scans.mkdir(parents=True)
    first = sorted(p for p in photos.iterdir() if p.suffix.lower() == ".jpg")[0].read_bytes()
    (scans / "scan-0042.jpg").write_bytes(b"")
    (scans / "IMG_2291.jpg").write_bytes(first[: len(first) // 3])
    finished = []
    window.scan_finished.connect(finished.append)
    window.add_folder(str(scans.parent))
    settle(1.0, until=lambda: bool(finished))
    window.nav.setCurrentRow(PAGES.index("Folders"))
    settle(1.0)
    window.grab().save(str(out / "folders.png"))


def grab_results_table(window, out: Path, settle) -> None:
    """The duplicates as a table, with the copies in Exports marked by the Mark menu's folder rule
    (the status bar says how many); both steps are undone afterwards."""
    tools = window.duplicates.tools
    exports = [os.path.dirname(f.path) for g, _ in window.duplicates.pairs for f in g.files if "Exports" in f.path]
    if not exports:
        return
    tools.show_table(True)
    tools.clear_all()
    tools.mark_folder(exports[0])
    settle(5.0)   # the table's thumbnails load once its rows are painted
    window.grab().save(str(out / "duplicates-table.png"))
    tools.undo()
    tools.undo()
    tools.show_table(False)
    settle(0.5)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    parser.add_argument("--model", default="auto", help="duplicate model (default: best available)")
    parser.add_argument("--model-dir", help="model folder (patch maps need DINOv2 there or in the cache)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not args.photos.is_dir():
        print(f"screenshots: {args.photos} is not a folder", file=sys.stderr)
        return 1

    from lookalike.engine import Library

    from .app import make_application
    from .dialogs.shortcuts_dialog import ShortcutsDialog
    from .keyboard import shortcut_rows
    from .main_window import PAGES, MainWindow
    from .views.viewer_window import ViewerWindow

    app = make_application(["lookalike"])
    args.out.mkdir(parents=True, exist_ok=True)
    write_credits(args.photos, args.out)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "xdg")
        photos = make_sample(args.photos, Path(tmp))
        library = Library.open(Path(tmp) / "library", model_dir=args.model_dir)
        library.settings.model = library.resolve_model_name(args.model)
        window = MainWindow(library, watch=False)
        window.resize(1440, 900)
        window.show()

        def settle(seconds: float = 0.5, until=lambda: True, limit: float = 120) -> None:
            start = time.monotonic()
            while time.monotonic() - start < limit:
                app.processEvents()
                if time.monotonic() - start >= seconds and until() and window.runner.idle:
                    break
                time.sleep(0.02)

        settle(0.5)
        window.grab().save(str(args.out / "welcome.png"))
        finished = []
        window.scan_finished.connect(finished.append)
        window.add_folder(str(photos))
        settle(1.0, until=lambda: bool(finished))
        settle(2.0, until=lambda: bool(window.duplicates.pairs))
        groups = window.duplicates.groups
        # Show a group with several copies: the most telling one for a first look.
        best = max(range(len(window.duplicates.pairs)), key=lambda i: len(window.duplicates.pairs[i][0].files),
                   default=0)
        if groups.topLevelItemCount():
            groups.setCurrentItem(groups.topLevelItem(best))
        settle(2.0)
        window.grab().save(str(args.out / "duplicates.png"))
        grab_results_table(window, args.out, settle)
        if window.duplicates.cards:   # Space on the group's first card: the viewer, metadata beside it
            window.duplicates.cards[0].view_requested.emit()
            viewer = window.findChild(ViewerWindow)
            viewer.resize(1280, 800)
            settle(1.0, until=lambda: viewer.image is not None and viewer.details.rowCount() > 0)
            viewer.grab().save(str(args.out / "viewer.png"))
            viewer.close()
        window.nav.setCurrentRow(PAGES.index("Photos"))
        settle(3.0)
        window.grab().save(str(args.out / "photos.png"))
        query = next(iter(sorted(photos.glob("lxqt__flowers*"))), None) or next(photos.iterdir())
        window.find_similar(str(query))
        settle(3.0)
        window.grab().save(str(args.out / "search.png"))
        flowers = sorted(str(p) for p in photos.glob("*.*") if "flower" in p.name.lower())
        if len(flowers) >= 3:   # taught as a user would: from a few example photos
            window.library.define_tag("flowers", examples=flowers[:4])
        window.nav.setCurrentRow(PAGES.index("Tags"))
        window.tags.refresh()
        settle(1.0)
        window.tags.chips.select("flowers")
        settle(3.0)
        window.grab().save(str(args.out / "tags.png"))
        grab_folders_page(window, Path(tmp), photos, args.out, settle)
        compare = window.compare
        # The first of the largest groups whose photos have texture enough to show the evidence.
        order = sorted(range(len(window.duplicates.pairs)), key=lambda i: -len(window.duplicates.pairs[i][0].files))
        for row in order[:8]:
            window.nav.setCurrentRow(PAGES.index("Duplicates"))
            window.duplicates.groups.setCurrentItem(window.duplicates.groups.topLevelItem(row))
            window.duplicates.compare_group()
            settle(1.0, until=lambda: compare.explanation is not None and len(compare.images) == len(compare.paths))
            if compare.explanation is not None and compare.explanation.verdict in ("copy", "mirror"):
                break
        window.nav.setCurrentRow(PAGES.index("Compare"))
        compare.overlay_button.setChecked(True)
        settle(0.5)
        window.grab().save(str(args.out / "compare.png"))
        compare.overlay_button.setChecked(False)
        for mode in ("slider", "difference"):
            compare.set_mode(mode)
            settle(0.5)
            window.grab().save(str(args.out / f"compare-{mode}.png"))
        compare.set_mode("side")
        compare.patch_button.setChecked(True)
        settle(1.0, until=lambda: bool(compare.layers) or not compare.patch_button.isChecked())
        if compare.layers:
            window.grab().save(str(args.out / "compare-patchmap.png"))
        grab_model_pages(window, args.out, settle)
        shortcuts = ShortcutsDialog(shortcut_rows(window), window)   # Help › Keyboard shortcuts (F1)
        shortcuts.show()
        settle(0.5)
        shortcuts.grab().save(str(args.out / "keyboard-shortcuts.png"))
        shortcuts.close()
        window.close()
        library.close()
    print(f"screenshots: wrote {', '.join(sorted(p.name for p in args.out.glob('*.png')))} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
