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

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable
SIZE = (1400, 900)


# -- photos ---------------------------------------------------------------------------------
def make_photos(folder: Path, extra: Path) -> dict:
    """12 distinct pictures, near-duplicates of 4 of them, two unreadable .jpg; 3 in `extra`."""
    from PIL import Image, ImageDraw, ImageFilter

    folder.mkdir(parents=True)
    extra.mkdir(parents=True)
    palette = [(220, 60, 50), (40, 120, 200), (250, 200, 40), (60, 170, 90), (150, 70, 180), (240, 130, 40),
               (30, 30, 30), (200, 200, 210), (100, 60, 30), (20, 160, 170), (230, 100, 160), (120, 140, 60)]

    def picture(n: int) -> Image.Image:
        w, h = 640, 480
        a, b = palette[n], palette[(n * 5 + 3) % len(palette)]
        img = Image.new("RGB", (w, h))
        px = img.load()
        for y in range(h):   # a gradient whose direction depends on n
            for x in range(0, w, 4):
                t = ((x if n % 3 == 0 else y if n % 3 == 1 else (x + y) // 2) / (w if n % 3 == 0 else h))
                c = tuple(int(a[i] * (1 - t) + b[i] * t) for i in range(3))
                for dx in range(4):
                    px[x + dx, y] = c
        d = ImageDraw.Draw(img)
        for k in range(3 + n % 4):   # shapes at positions that depend on n
            x0 = (n * 97 + k * 151) % (w - 200)
            y0 = (n * 53 + k * 89) % (h - 160)
            colour = palette[(n + k * 7 + 1) % len(palette)]
            if (n + k) % 3 == 0:
                d.ellipse([x0, y0, x0 + 80 + k * 30, y0 + 80 + k * 20], fill=colour, outline=(0, 0, 0), width=4)
            elif (n + k) % 3 == 1:
                d.rectangle([x0, y0, x0 + 120, y0 + 60 + k * 25], fill=colour)
            else:
                d.polygon([(x0, y0 + 120), (x0 + 70, y0), (x0 + 140, y0 + 120)], fill=colour)
        for k in range(n + 2):   # stripes
            d.line([(0, 40 * k + n * 7), (w, 40 * k + n * 13)], fill=palette[(k + n) % 12], width=3)
        return img

    names = ["harbour", "meadow", "sunset", "forest", "violet", "orange", "night", "fog", "earth", "lagoon",
             "blossom", "olive"]
    originals = []
    for n, name in enumerate(names):
        path = folder / f"{n + 1:02d}_{name}.jpg"
        picture(n).save(path, quality=92)
        originals.append(path.name)
    # near-duplicates: resized, re-encoded at low quality, slightly cropped, lightly blurred
    base = Image.open(folder / "01_harbour.jpg")
    base.resize((320, 240)).save(folder / "01_harbour_small.jpg", quality=90)
    base.save(folder / "01_harbour_lowq.jpg", quality=35)
    Image.open(folder / "03_sunset.jpg").crop((12, 10, 628, 470)).save(folder / "03_sunset_crop.jpg", quality=90)
    Image.open(folder / "05_violet.jpg").save(folder / "05_violet_copy.png")
    Image.open(folder / "07_night.jpg").filter(ImageFilter.GaussianBlur(1)).save(folder / "07_night_soft.jpg", quality=85)
    # two files that cannot be read
    (folder / "broken_empty.jpg").write_bytes(b"")
    whole = (folder / "02_meadow.jpg").read_bytes()
    (folder / "broken_truncated.jpg").write_bytes(whole[: len(whole) // 5])
    # the folder that will be removed: its own pictures and one copy of a walk photo
    for n in range(3):
        picture(11 - n).rotate(180).save(extra / f"extra_{n + 1}.jpg", quality=90)
    readable = sorted(p.name for p in folder.iterdir() if not p.name.startswith("broken"))
    return {"readable": readable, "broken": ["broken_empty.jpg", "broken_truncated.jpg"],
            "extra": sorted(p.name for p in extra.iterdir())}


# -- X, the window manager, the app ----------------------------------------------------------
def free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display between :90 and :199")


class Walk:
    def __init__(self, out: Path, work: Path) -> None:
        self.out, self.work = out, work
        self.results: list[tuple[str, bool, str]] = []
        self.procs: list[subprocess.Popen] = []
        self.app: subprocess.Popen | None = None
        self.shot_number = 0
        self.probe = work / "probe.json"
        self.env = dict(os.environ)

    # -- processes
    def start_x(self) -> None:
        number = free_display()
        self.display = f":{number}"
        xvfb = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=open(self.work / "xvfb.log", "w"))
        self.procs.append(xvfb)
        self.env.update({"DISPLAY": self.display})
        for _ in range(100):
            if subprocess.run(["xdpyinfo"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("Xvfb did not start")
        wm = subprocess.Popen(["openbox", "--sm-disable"], env=self.env, stdout=subprocess.DEVNULL,
                              stderr=open(self.work / "openbox.log", "w"))
        self.procs.append(wm)
        time.sleep(1.0)

    def app_env(self) -> dict:
        env = dict(self.env)
        home = self.work / "home"
        for key in ("QT_QPA_PLATFORM", "QT_QPA_PLATFORMTHEME", "LOOKALIKE_LIBRARY", "XDG_CURRENT_DESKTOP"):
            env.pop(key, None)
        env.update({"LOOKALIKE_DATA": str(self.work / "data"), "HOME": str(home),
                    "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
                    "XDG_DATA_HOME": str(home / ".local/share"), "HF_HUB_OFFLINE": "1",
                    "QT_QPA_PLATFORM": "xcb"})
        return env

    def start_app(self) -> str:
        self.probe.unlink(missing_ok=True)
        log = open(self.work / f"app-{len(self.procs)}.log", "w")
        self.app = subprocess.Popen([PYTHON, str(HERE / "probe_app.py"), str(self.probe)], env=self.app_env(),
                                    cwd=str(REPO), stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(self.app)
        end = time.time() + 60
        found: list[str] = []
        while not found:
            if self.app.poll() is not None:
                raise RuntimeError(f"the app exited ({self.app.returncode}) before its window showed; see {log.name}")
            if time.time() > end:
                raise RuntimeError("no window named Lookalike within 60 s")
            found = self.xdotool("search", "--onlyvisible", "--name", "^Lookalike$", check=False).split()
            time.sleep(0.3)
        self.window = found[0]
        self.xdotool("windowactivate", "--sync", self.window, check=False)
        time.sleep(0.5)
        self.xdotool("windowsize", "--sync", self.window, "1300", "820", check=False)
        self.xdotool("windowmove", "--sync", self.window, "40", "30", check=False)
        time.sleep(1.0)
        return self.window

    def quit_app(self) -> bool:
        """Closes the window as a user does (Alt+F4, openbox's close) and waits for the exit."""
        self.xdotool("windowactivate", "--sync", self.window, check=False)
        self.key("alt+F4")
        try:
            self.app.wait(timeout=20)
            return self.app.returncode == 0
        except subprocess.TimeoutExpired:
            self.shot("quit-stuck")
            self.app.kill()
            self.app.wait()
            return False

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()

    # -- input and output
    def xdotool(self, *args: str, timeout: float = 20, check: bool = True) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)
        time.sleep(0.4)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "15", text)
        time.sleep(0.3)

    def click(self, x: int, y: int, button: str = "1", double: bool = False) -> None:
        self.xdotool("mousemove", "--sync", str(x), str(y))
        time.sleep(0.15)
        self.xdotool("click", *(["--repeat", "2", "--delay", "80"] if double else []), button)
        time.sleep(0.5)

    def click_widget(self, w: dict) -> None:
        self.click(w["x"] + w["w"] // 2, w["y"] + w["h"] // 2)

    def shot(self, name: str) -> Path:
        self.shot_number += 1
        path = self.out / f"{self.shot_number:02d}-{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True)
        print(f"   screenshot {path}", flush=True)
        return path

    # -- the probe
    def look(self) -> dict:
        self.probe.unlink(missing_ok=True)
        self.probe.with_suffix(".req").write_text("?")
        for _ in range(100):
            if self.probe.exists():
                return json.loads(self.probe.read_text())
            time.sleep(0.05)
        raise RuntimeError("the probe did not answer (is the app frozen?)")

    def find(self, timeout: float = 10, **want) -> dict | None:
        """The first visible widget whose fields equal `want` (text compares without '&')."""
        end = time.time() + timeout
        while True:
            for w in self.look()["widgets"]:
                if all((str(w.get(k, "")).replace("&", "") == v) if k == "text" else
                       (v(w.get(k)) if callable(v) else w.get(k) == v) for k, v in want.items()):
                    return w
            if time.time() > end:
                return None
            time.sleep(0.3)

    def wait_for(self, predicate, timeout: float = 30, step: float = 0.5):
        end = time.time() + timeout
        while time.time() < end:
            value = predicate()
            if value:
                return value
            time.sleep(step)
        return None

    def status_message(self) -> str:
        bar = self.find(cls="QStatusBar", window="mainWindow", timeout=1)
        return bar.get("message", "") if bar else ""

    def go(self, page: str) -> None:
        nav = self.find(name="navigation")
        row = next(r for r in nav["rows"] if r["cells"][0] == page)
        self.click(row["cx"], row["cy"])
        time.sleep(0.8)

    def check(self, label: str, ok: bool, detail: str = "") -> bool:
        self.results.append((label, bool(ok), detail))
        print(f"{'PASS' if ok else 'FAIL'}: {label}" + (f" ({detail})" if detail else ""), flush=True)
        return bool(ok)

    # -- helpers on the app
    def add_folder_through_dialog(self, folder: Path, button: dict) -> bool:
        self.click_widget(button)
        dialog = self.wait_for(lambda: self.find(title="Add a photo folder", timeout=0.5), timeout=10)
        if not dialog:
            return False
        time.sleep(0.8)
        self.shot("folder-dialog")
        # Qt's own folder dialog: the name field has the focus; a typed path is the answer.
        field = self.find(cls="QLineEdit", title="Add a photo folder", timeout=2)
        if field:
            self.click_widget(field)
        self.key("ctrl+a")
        self.type(str(folder))
        time.sleep(0.5)
        self.key("Return")
        if self.wait_for(lambda: not self.find(title="Add a photo folder", timeout=0.2), timeout=3) is None:
            self.key("Return")   # the first Return took a completion
        return bool(self.wait_for(lambda: not self.find(title="Add a photo folder", timeout=0.2), timeout=5))

    def wait_for_scan(self, timeout: float = 90) -> str:
        return self.wait_for(lambda: (m := self.status_message()).startswith("Indexed") and m, timeout=timeout) or ""

    def catalog(self) -> Path:
        found = [p for p in (self.work / "data" / "library").glob("*") if p.suffix in (".db", ".sqlite")]
        return found[0]

    def catalog_files(self) -> int:
        try:
            with sqlite3.connect(f"file:{self.catalog()}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM files").fetchone()[0]
        except (IndexError, sqlite3.Error):
            return 0

    def marks(self) -> dict[str, str]:
        with sqlite3.connect(f"file:{self.catalog()}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT files.path, marks.mark FROM marks JOIN files ON files.id = marks.file_id")
            return {Path(bytes(p).decode() if isinstance(p, (bytes, memoryview)) else p).name: m for p, m in rows}

    def cli(self, *args: str) -> str:
        lookalike = Path(PYTHON).with_name("lookalike")
        command = [str(lookalike)] if lookalike.exists() else [PYTHON, "-m", "lookalike.engine.cli"]
        done = subprocess.run([*command, *args], env=self.app_env(), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"lookalike {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout


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


# -- 6. Keyboard ------------------------------------------------------------------------------
TAB_STEPS = 3


def focus_marks(before: Path, after: Path, rect: dict, band: int = 3) -> tuple[int, float, int]:
    """What changed on a widget (`rect`, root-window pixels, plus 2 px round it) between two
    screenshots: (changed pixels, the share of the `band`-wide ring at its edge that changed,
    pixels of the app's own focus outline colour #1e40af in `after`). A focus outline on the
    edge changes most of the ring; Fusion's own focus marks (a 1 px tint) change fewer pixels."""
    from PIL import Image, ImageChops

    box = (rect["x"] - 2, rect["y"] - 2, rect["x"] + rect["w"] + 2, rect["y"] + rect["h"] + 2)
    a = Image.open(before).convert("RGB").crop(box)
    b = Image.open(after).convert("RGB").crop(box)
    diff = ImageChops.difference(a, b).convert("L").load()
    px = b.load()
    w, h = a.size
    changed = sum(diff[x, y] > 24 for y in range(h) for x in range(w))
    ring = [(x, y) for y in range(2, h - 2) for x in range(2, w - 2)
            if x < 2 + band or y < 2 + band or x >= w - 2 - band or y >= h - 2 - band]
    share = sum(diff[x, y] > 24 for x, y in ring) / len(ring) if ring else 0.0
    own = sum(all(abs(c - t) <= 12 for c, t in zip(px[x, y], (0x1e, 0x40, 0xaf))) for y in range(h) for x in range(w))
    return changed, share, own


def describe_focus(focus: dict | None) -> str:
    if not focus:
        return "nothing"
    name = focus.get("accessible") or focus.get("name") or focus.get("text") or ""
    return f"{focus['cls']}" + (f" {name!r}" if name else "") + f" at {focus['x']},{focus['y']} {focus['w']}x{focus['h']}"


def keyboard(w: Walk) -> None:
    """6. Keyboard: real key presses through the X server (xdotool key), not QTest's."""
    w.xdotool("windowactivate", "--sync", w.window, check=False)
    time.sleep(0.5)

    # 6a. Ctrl+3 opens Search with the keyboard in the search box; typed letters land there.
    w.key("ctrl+3")
    time.sleep(0.8)
    state = w.look()
    nav = next((x for x in state["widgets"] if x.get("name") == "navigation"), {})
    focus = state.get("focus_widget") or {}
    w.type("harbour")
    time.sleep(0.5)
    box = w.find(cls="QLineEdit", accessible="Search words", window="mainWindow", timeout=2) or {}
    shot = w.shot("keyboard-ctrl3-search-typed")
    w.check("6a. Ctrl+3 opens the Search page with the keyboard in the search box (typed 'harbour' shows in it)",
            nav.get("current_row") == 2 and focus.get("accessible") == "Search words"
            and box.get("text") == "harbour",
            f"page row {nav.get('current_row')}, focus {describe_focus(focus)}, box {box.get('text')!r}; {shot}")
    w.key("ctrl+a")
    w.key("BackSpace")

    # 6b. F1 shows the Keyboard shortcuts window (Scan now, F5); Escape closes it.
    w.key("F1")
    table = w.wait_for(lambda: w.find(name="shortcutsTable", title="Keyboard shortcuts", timeout=0.5), timeout=10)
    time.sleep(0.8)
    shot = w.shot("keyboard-f1-shortcuts")
    rows = (table or {}).get("rows", [])
    scan = [r["cells"] for r in rows if r["cells"][1] == "Scan now"]
    w.check("6b. F1 opens 'Keyboard shortcuts', listing Scan now with F5", bool(scan) and "F5" in scan[0][2],
            f"{len(rows)} rows, Scan now: {scan}; {shot}")
    w.key("Escape")
    closed = w.wait_for(lambda: not w.find(title="Keyboard shortcuts", timeout=0.2), timeout=5)
    w.check("   Escape closes the Keyboard shortcuts window", bool(closed))
    if not closed:
        w.key("Escape")

    # 6c. Duplicates › Table: the Menu key and Shift+F10 open the table's context menu;
    # Sort by › Size chosen with the arrows and Return sorts by size.
    w.key("ctrl+1")
    time.sleep(1.0)
    if not w.find(name="resultsTable", timeout=1):
        w.click_widget(w.find(cls="QPushButton", text="Table"))
        time.sleep(1.0)
    table = w.find(name="resultsTable")
    row = table["rows"][0]
    w.click(row["cx"] + 200, row["cy"])   # the Name column, not the Remove box: the table has the keyboard
    table = w.find(name="resultsTable")
    focused = table.get("has_focus")

    def context_menu(timeout: float = 4) -> dict | None:
        return w.wait_for(lambda: w.find(cls="QMenu", actions=lambda a: bool(a) and any(
            x["text"] == "Sort by" for x in a), timeout=0.3), timeout=timeout)

    def no_menu() -> bool:
        return bool(w.wait_for(lambda: not w.find(cls="QMenu", timeout=0.2), timeout=4))

    for keys, said in (("Menu", "the Menu key"), ("shift+F10", "Shift+F10")):
        w.key(keys)
        menu = context_menu()
        shot = w.shot(f"keyboard-{keys.replace('+', '-').lower()}-context-menu")
        w.check(f"6c. {said} on the focused results table opens its context menu (Sort by, Keep or remove…)",
                focused and menu is not None,
                f"table focused: {focused}; menu: {[a['text'] for a in (menu or {}).get('actions', [])]}; {shot}")
        if menu is not None and keys == "Menu":
            w.key("Escape")
            no_menu()
    menu, opened_with = context_menu(timeout=0.5), "Shift+F10"
    if menu is None:   # Shift+F10 did not open it; Sort by is still tried from the Menu key's menu
        w.key("Menu")
        menu, opened_with = context_menu(), "the Menu key (Shift+F10 opened none)"
    size_ok, detail = False, "no context menu"
    if menu is not None:
        def active(menu_actions: str, want: str, key: str, limit: int) -> bool:
            for _ in range(limit):
                found = w.find(cls="QMenu", actions=lambda a: bool(a) and any(x["text"] == menu_actions for x in a),
                               timeout=0.5)
                if found and any(x.get("active") and x["text"] == want for x in found["actions"]):
                    return True
                w.key(key)
            return False
        on_sort = active("Sort by", "Sort by", "Down", 4)
        w.key("Right")
        on_size = on_sort and active("Size", "Size", "Down", 12)
        shot = w.shot("keyboard-sort-by-size-menu")
        w.key("Return")
        no_menu()
        time.sleep(0.8)
        table = w.find(name="resultsTable")
        header = w.find(cls="QHeaderView", window="mainWindow",
                        sections=lambda s: bool(s) and any(x["label"] == "Size" for x in s))
        names = [r["cells"][3] for r in table["rows"]]
        folders = {r["cells"][3]: r["cells"][4] for r in table["rows"]}
        sizes = [(Path(folders[n]) / n).stat().st_size for n in names]   # the files' own bytes
        size_section = next(s["logical"] for s in header["sections"] if s["label"] == "Size")
        size_ok = (on_size and header["sort_column"] == size_section and len(sizes) >= 4
                   and header["sort_order"] == "AscendingOrder" and sizes == sorted(sizes))
        shot2 = w.shot("keyboard-sorted-by-size")
        detail = (f"menu opened with {opened_with}; Sort by active: {on_sort}, Size active: {on_size}; header sorted on "
                  f"{header['sort_column']} ({header['sort_order']}), Size is {size_section}; "
                  f"bytes in row order {sizes}; {shot}, {shot2}")
    w.check("6c. Sort by › Size chosen with Down/Right/Return sorts the table by size", size_ok, detail)
    if w.find(cls="QMenu", timeout=0.2):
        w.key("Escape")
        w.key("Escape")

    # 6d. Tab from the sidebar on the Duplicates page: the focus outline moves, visibly.
    w.go("Duplicates")   # a click on the sidebar: the sidebar has the keyboard
    time.sleep(0.5)
    last = w.look().get("focus_widget") or {}
    previous = w.shot("keyboard-tab-0-sidebar")
    steps = [f"start: {describe_focus(last)}"]
    ok = last.get("name") == "navigation"
    for step in range(1, TAB_STEPS + 1):
        w.key("Tab")
        time.sleep(0.5)
        focus = w.look().get("focus_widget") or {}
        shot = w.shot(f"keyboard-tab-{step}")
        changed, share, own = focus_marks(previous, shot, focus) if focus else (0, 0.0, 0)
        left = focus_marks(previous, shot, last)[0] if last else 0   # the mark left the last one
        moved = bool(focus) and (focus["x"], focus["y"], focus["cls"]) != (last.get("x"), last.get("y"), last.get("cls"))
        ok &= moved and changed >= 40 and left >= 40
        steps.append(f"Tab {step}: {describe_focus(focus)}: {changed} px changed on it ({share:.0%} of its edge), "
                     f"{own} px in the app's outline colour #1e40af, {left} px changed on the last one ({shot.name})")
        previous, last = shot, focus
    w.check(f"6d. Tab from the sidebar moves the focus, and its mark moves with it, on each of {TAB_STEPS} steps "
            "(look at the keyboard-tab-* screenshots: how strong the mark is)", ok, "; ".join(steps))

    # 6e. Alt+T (the &Threshold label's buddy) puts the keyboard on the slider; Right moves it.
    w.key("alt+t")
    time.sleep(0.5)
    state = w.look()
    focus = state.get("focus_widget") or {}
    slider = next((x for x in state["widgets"] if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), {})

    def threshold_text(widgets) -> str:
        s = next((x for x in widgets if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), None)
        if not s:
            return ""
        beside = [x for x in widgets if x.get("cls") == "QLabel" and x.get("window") == "mainWindow"
                  and s["x"] + s["w"] <= x["x"] <= s["x"] + s["w"] + 40 and abs((x["y"] + x["h"] / 2) - (s["y"] + s["h"] / 2)) < 12]
        return beside[0].get("text", "") if beside else ""

    before_text, before_value = threshold_text(state["widgets"]), slider.get("value")

    def on_slider() -> tuple[dict, int | None, str]:
        state = w.look()
        moved = next((x for x in state["widgets"] if x.get("cls") == "QSlider" and x.get("window") == "mainWindow"), {})
        return state.get("focus_widget") or {}, moved.get("value"), threshold_text(state["widgets"])

    w.key("Right")
    time.sleep(2.0)   # the groups are made again (250 ms later, then the regroup itself)
    focus_after, after_value, after_text = on_slider()
    shot = w.shot("keyboard-alt-t-threshold-right")
    w.check("6e. Alt+T puts the keyboard on the Threshold slider, and Right raises the threshold shown",
            focus.get("cls") == "QSlider" and before_value is not None and after_value == before_value + 1
            and before_text and after_text and after_text != before_text,
            f"focus after Alt+T: {describe_focus(focus)}; slider {before_value} → {after_value}; "
            f"label {before_text!r} → {after_text!r}; {shot}")
    w.key("Right")
    time.sleep(2.0)
    focus_last, last_value, last_text = on_slider()
    shot = w.shot("keyboard-threshold-second-right")
    w.check("   after the regroup the keyboard is still on the slider (a second Right raises it again)",
            focus_after.get("cls") == "QSlider" and after_value is not None and last_value == after_value + 1,
            f"focus after the first Right's regroup: {describe_focus(focus_after)}; second Right: slider "
            f"{after_value} → {last_value}, label {after_text!r} → {last_text!r}, focus {describe_focus(focus_last)}; {shot}")

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
