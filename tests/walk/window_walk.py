"""A real-window walk of the desktop app: Xvfb + openbox, driven with xdotool like a user.

Not a pytest test (pytest collects test_*.py only). Needs: xvfb xdotool openbox x11-utils
imagemagick (apt-get install -y xvfb xdotool openbox x11-utils imagemagick).

    .venv/bin/python tests/walk/window_walk.py [--out /tmp/walk-shots] [--work /tmp/walk-work]

It makes a fresh data folder (LOOKALIKE_DATA) with pHash as the duplicate model (no weights),
generates photos with Pillow (distinct pictures, near-duplicates, an empty .jpg and a
truncated .jpg), starts the app as a real process on a real X display, and walks:

  1. restart: add two folders through the real folder dialog, let it scan, quit (Alt+F4),
     start again, open Photos: every file name must show under its thumbnail;
  2. Duplicates › Table: sort by clicking a header, then Mark › "Mark all but the keeper";
  3. the viewer opens with Space, from Photos and from the results table;
  4. Folders: Remove… a folder, answer the confirmation, the folder is gone;
  5. Folders › Problems lists the two unreadable files;
  6. keyboard: Ctrl+3 (Search, typing lands in the box), F1 (Keyboard shortcuts) and Escape,
     the Menu key and Shift+F10 on the results table (Sort by › Size with the arrows), Tab
     from the sidebar (the focus outline moves), Alt+T onto the Threshold slider and Right.

Clicks go to positions read from the live layout by tests/walk/probe_app.py (a read-only
probe in the app process); keys and clicks go through the X server with xdotool. It prints
one PASS/FAIL line per check, and leaves screenshots in --out. Look at them: a check that
passes on the probe's word and looks wrong in the picture is a bug.
"""
from __future__ import annotations

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from keyboard_walk import keyboard
from session import Walk
from walk_photos import make_photos


# -- the walk -------------------------------------------------------------------------------
def walk(w: Walk, photos: Path, extra: Path, made: dict) -> None:
    # Start 1: a fresh library, two folders added through the folder dialog, one scan.
    w.start_app()
    button = w.find(cls="QPushButton", text="Add a photo folder…", timeout=15)
    w.shot("first-start")
    w.check("first start offers 'Add a photo folder…'", button is not None)
    if button is None:
        return
    added = w.add_folder_through_dialog(photos, button)
    w.check("the folder dialog took the typed walk folder", added)
    w.wait_for(lambda: w.find(cls="QToolButton", text="Add folder", enabled=True, timeout=0.5), timeout=15)
    message = w.wait_for_scan()
    w.shot("first-scan-regrouping")   # just after the scan: the duplicates are being grouped
    w.wait_for(lambda: (t := (w.find(cls="QLabel", name="summaryLabel", window="mainWindow", timeout=0.5)
                              or {}).get("text", "")) and not t.startswith("Regrouping"), timeout=30)
    time.sleep(0.5)
    w.shot("first-scan")
    w.check("the first scan finished", bool(message), message)
    toolbar_add = w.find(cls="QToolButton", text="Add folder")  # a tool button drops the "…"
    added = toolbar_add is not None and w.add_folder_through_dialog(extra, toolbar_add)
    w.check("the second folder was added with the toolbar's Add folder…", added)
    time.sleep(1.0)
    every = len(made["readable"]) + len(made["broken"]) + len(made["extra"])
    counted = w.wait_for(lambda: w.catalog_files() >= every, timeout=60)
    w.check("the second folder's photos were scanned", bool(counted), f"{w.catalog_files()} of {every} files")
    time.sleep(2.0)
    w.go("Photos")
    time.sleep(2.0)
    w.shot("photos-first-start")
    w.check("quitting with Alt+F4 ends the app (exit 0)", w.quit_app())

    # Start 2: the same library again; Photos must show every name with its thumbnail.
    w.start_app()
    w.wait_for_scan(timeout=60)
    w.go("Photos")
    time.sleep(4.0)   # thumbnails come from the cache of the first start
    top = w.shot("photos-after-restart")
    grid = w.find(cls="PhotoGrid")
    seen = {r["cells"][0] for r in grid["rows"] if r["visible"]}
    # the rest of the grid: the user scrolls to the end (End goes to the last photo)
    w.click(grid["rows"][0]["cx"], grid["rows"][0]["cy"])
    w.key("End")
    time.sleep(2.0)
    end = w.shot("photos-after-restart-scrolled-to-end")
    seen |= {r["cells"][0] for r in w.find(cls="PhotoGrid")["rows"] if r["visible"]}
    w.key("Home")
    time.sleep(1.0)
    expected = set(made["readable"] + made["broken"] + made["extra"])
    w.check("1. restart: every photo's cell (thumbnail and name) is wholly on screen at the top or the end "
            "of the Photos grid (that no name is covered: look at the screenshots)", seen == expected,
            f"{len(seen)} of {len(expected)}, missing {sorted(expected - seen)}; {top}, {end}")
    grid = w.find(cls="PhotoGrid")

    # 3. The viewer opens with Space from Photos (on the first photo).
    first = grid["rows"][0]
    w.click(first["cx"], first["cy"])
    w.key("space")
    viewer = w.wait_for(lambda: w.find(name="viewerWindow", timeout=0.5), timeout=10)
    time.sleep(1.5)
    shot = w.shot("viewer-from-photos")
    w.check("3. Space in Photos opens the viewer", viewer is not None,
            (viewer or {}).get("title", "") + f"; {shot}")
    w.key("Escape")
    closed = w.wait_for(lambda: not w.find(name="viewerWindow", timeout=0.2), timeout=5)
    w.check("   Esc closes the viewer", bool(closed))

    # 2. Duplicates › Table: sort by a header click, then Mark › Mark all but the keeper.
    w.go("Duplicates")
    time.sleep(1.5)
    w.shot("duplicates-cards")
    table_button = w.find(cls="QPushButton", text="Table")
    w.click_widget(table_button)
    time.sleep(1.0)
    table = w.find(name="resultsTable")
    header = w.find(cls="QHeaderView", window="mainWindow",
                    sections=lambda s: bool(s) and any(x["label"] == "Resolution" for x in s))
    w.shot("duplicates-table")
    if not (table and header):
        w.check("2. the Duplicates table shows", False, "no results table or header found")
        return
    names_before = [r["cells"][3] for r in table["rows"]]
    name_section = next(s for s in header["sections"] if s["label"] == "Name")
    w.click(name_section["cx"], name_section["cy"])
    time.sleep(0.8)
    first_sort = [r["cells"][3] for r in w.find(name="resultsTable")["rows"]]
    w.click(name_section["cx"], name_section["cy"])
    time.sleep(0.8)
    table = w.find(name="resultsTable")
    second_sort = [r["cells"][3] for r in table["rows"]]
    shot = w.shot("duplicates-table-sorted-by-name")
    key = str.casefold
    sorted_ok = (len(first_sort) >= 4 and sorted(first_sort, key=key) in (first_sort,)
                 and second_sort == sorted(first_sort, key=key, reverse=True))
    w.check("2a. a click on the Name header sorts the table (and a second reverses it)", sorted_ok,
            f"{len(names_before)} rows; first click {first_sort[:3]}…, second {second_sort[:3]}…; {shot}")
    def use_mark_menu(entry: str) -> tuple[str, dict]:
        w.click_widget(w.find(cls="QPushButton", text="Mark ▾"))
        menu = w.wait_for(lambda: w.find(cls="QMenu", actions=lambda a: bool(a) and any(
            x["text"] == entry for x in a), timeout=0.5), timeout=5)
        if not menu:
            raise RuntimeError(f"the Mark menu did not open with {entry!r}")
        w.shot("duplicates-mark-menu")
        action = next(a for a in menu["actions"] if a["text"] == entry)
        w.click(action["cx"], action["cy"])
        time.sleep(2.0)
        return w.status_message(), w.find(name="resultsTable")

    def ticked(table: dict) -> list[str]:
        return sorted(r["cells"][3] for r in table["rows"] if r["checks"].get("0") == "Checked")   # JSON keys: strings

    proposed = ticked(table)
    message, table = use_mark_menu("Clear all marks")
    shot = w.shot("duplicates-cleared-all-marks")
    removes = sorted(n for n, m in w.marks().items() if m == "remove")
    w.check("2b. Mark › 'Clear all marks' unticks every Remove box (table and catalog)",
            bool(proposed) and not ticked(table) and not removes,
            f"ticked before {proposed}, after {ticked(table)}; catalog removes {removes}; status {message!r}; {shot}")
    message, table = use_mark_menu("Mark all but the keeper")
    shot = w.shot("duplicates-marked-all-but-keeper")
    groups: dict[str, list] = {}
    for r in table["rows"]:
        groups.setdefault(r["cells"][1], []).append(r["cells"][3])
    marks = w.wait_for(lambda: (m := w.marks()) and sum(v == "remove" for v in m.values()) and m, timeout=5) or {}
    removed = sorted(n for n, m in marks.items() if m == "remove")
    expected_removed = sum(len(v) - 1 for v in groups.values())
    w.check("2c. Mark › 'Mark all but the keeper' ticks every copy but one per group (table and catalog)",
            len(removed) == expected_removed > 0 and ticked(table) == removed
            and not any(all(n in removed for n in names) for names in groups.values()),
            f"{len(groups)} groups, ticked {ticked(table)}, catalog removes {removed} (expected {expected_removed}); "
            f"status {message!r}; {shot}")

    # 3 again: Space on a table row shows that photo in the viewer.
    row = table["rows"][0]
    w.click(row["cx"] + 200, row["cy"])   # the Name column, not the Remove box
    w.key("space")
    viewer = w.wait_for(lambda: w.find(name="viewerWindow", timeout=0.5), timeout=10)
    time.sleep(1.5)
    shot = w.shot("viewer-from-duplicates-table")
    w.check("3. Space in the Duplicates table opens the viewer", viewer is not None,
            (viewer or {}).get("title", "") + f"; {shot}")
    w.key("Escape")
    w.wait_for(lambda: not w.find(name="viewerWindow", timeout=0.2), timeout=5)

    # 5. Folders › Problems lists the two unreadable files.
    w.go("Folders")
    time.sleep(1.5)
    problems = w.find(name="problemsTable")
    names = sorted(r["cells"][0] for r in problems["rows"]) if problems else []
    reasons = [r["cells"][2] for r in problems["rows"]] if problems else []
    shot = w.shot("folders-problems")
    w.check("5. the Problems list shows the two unreadable files",
            names == made["broken"], f"{names} {reasons}; {shot}")

    # 4. Remove… the extra folder, answer Yes, and it is gone.
    folders = w.find(name="foldersTable")
    row = next((r for r in folders["rows"] if r["cells"][0] == str(extra)), None)
    if row is None:
        w.check("4. the folder to remove is listed", False, str([r["cells"][0] for r in folders["rows"]]))
        return
    w.click(row["cx"], row["cy"])
    remove = w.find(cls="QPushButton", text="Remove…", enabled=True)
    w.click_widget(remove)
    question = w.wait_for(lambda: w.find(cls="QMessageBox", timeout=0.5), timeout=5)
    time.sleep(0.5)
    w.shot("folders-remove-confirm")
    yes = w.find(cls="QPushButton", window=question["window"] if question else "QMessageBox", text="Yes")
    if not (question and yes):
        w.check("4. Remove… asks first", False)
        return
    w.click_widget(yes)
    gone = w.wait_for(lambda: all(r["cells"][0] != str(extra) for r in w.find(name="foldersTable")["rows"]),
                      timeout=15)
    time.sleep(1.0)
    shot = w.shot("folders-after-remove")
    listed = [f["path"] for f in json.loads(w.cli("folders", "--json"))["folders"]]
    w.check("4. Remove… (Yes) takes the folder off the Folders page and out of the library",
            bool(gone) and str(extra) not in listed and str(photos) in listed, f"library folders: {listed}; {shot}")

    keyboard(w)
    w.check("   quitting at the end ends the app (exit 0)", w.quit_app())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/tmp/walk-shots", help="screenshots go here (emptied first)")
    parser.add_argument("--work", default="/tmp/walk-work", help="the walk's photos and data folder (emptied first)")
    args = parser.parse_args()
    missing = [tool for tool in ("Xvfb", "xdotool", "openbox", "import", "xdpyinfo") if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (apt-get install -y xvfb xdotool openbox x11-utils imagemagick)")
        return 2
    out, work = Path(args.out), Path(args.work)
    for folder in (out, work):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    started = time.time()
    photos, extra = work / "photos" / "walk", work / "photos" / "extra"
    made = make_photos(photos, extra)
    library = work / "data" / "library"
    library.mkdir(parents=True)
    # pHash needs no weights: the duplicate model of this library (what a scan uses).
    (library / "settings.json").write_text(json.dumps({"model": "phash", "text_search": False}))
    w = Walk(out, work)
    try:
        w.start_x()
        walk(w, photos, extra, made)
    except Exception as exc:   # a step that could not go on: say where, keep the screenshots
        try:
            w.shot("error")
        except Exception:
            pass
        w.check("the walk ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        w.stop_all()
    failed = [label for label, ok, _ in w.results if not ok]
    print(f"{len(w.results) - len(failed)} passed, {len(failed)} failed in {time.time() - started:.0f} s; "
          f"screenshots in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
