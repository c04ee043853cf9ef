"""The walk's session: a private X display (Xvfb) with openbox, the app as a real process with
the read-only probe (probe_app.py), xdotool keys and clicks, screenshots, the CLI and the
catalog beside it, and the PASS/FAIL record of the checks."""
from __future__ import annotations

import json
import os
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
