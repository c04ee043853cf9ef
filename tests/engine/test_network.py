"""No network unless the user asked for a download, and no files outside the library's own.

The real `lookalike` command runs in a subprocess with an audit hook (installed through a
sitecustomize on PYTHONPATH) that records and refuses every connection and name lookup, HOME
pointed at an empty folder, and, where the system allows it, no network at all. onnxruntime's
telemetry is C++ and never passes through Python's socket module: the folder it writes its
device id to (~/.cache/Microsoft) is the evidence for it.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import photo, save

ROOT = Path(__file__).resolve().parents[2]

AUDIT = '''
import os, sys

_LOG = os.environ["LOOKALIKE_TEST_NETLOG"]
_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.sendto", "socket.sendmsg"}

def _refuse(event, args):
    if event in _EVENTS:
        with open(_LOG, "a") as fh:
            fh.write(f"{' '.join(sys.argv[1:])}: {event} {args!r}\\n")
        raise OSError(f"network refused by the test: {event}")

sys.addaudithook(_refuse)
'''


def _no_network_prefix():
    """`unshare -n` (a private, empty network namespace) where the system lets us use it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture()
def sandbox(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "XDG_", "ORT_"))}
    env.update(HOME=str(home), PYTHONPATH=os.pathsep.join([str(hook), str(ROOT)]),
               LOOKALIKE_TEST_NETLOG=str(tmp_path / "net.log"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    prefix = _no_network_prefix()

    def lookalike(*args):
        done = subprocess.run([*prefix, sys.executable, "-m", "lookalike.engine.cli",
                               "--library", str(tmp_path / "lib"), *args],
                              cwd=ROOT, env=env, text=True, capture_output=True, timeout=180)
        return done.returncode, done.stdout, done.stderr

    # The hook is live: a lookup in the same set-up is recorded and refused.
    probe = subprocess.run([*prefix, sys.executable, "-c", "import socket; socket.getaddrinfo('example.org', 443)"],
                           cwd=ROOT, env=env, text=True, capture_output=True, timeout=60)
    assert probe.returncode != 0 and "socket.getaddrinfo" in (tmp_path / "net.log").read_text()
    (tmp_path / "net.log").unlink()
    return lookalike, home, tmp_path / "net.log"


def test_scanning_and_searching_with_sscd_touch_no_network_and_write_nothing_in_home(sandbox, tmp_path):
    lookalike, home, netlog = sandbox
    photos = tmp_path / "photos"
    for i in range(12):
        save(photo(i, size=(640, 480)), photos / f"p{i:02d}.png")
    save(photo(0, size=(640, 480)).resize((320, 240)), photos / "p00 small.jpg", quality=85)
    commands = [("add", str(photos)), ("scan", "--model", "sscd"), ("duplicates", "--model", "sscd"),
                ("similar", str(photos / "p00.png"), "--model", "sscd"), ("models",),
                ("compare", str(photos / "p00.png"), str(photos / "p00 small.jpg"))]
    for command in commands:
        code, out, err = lookalike(*command)
        assert code == 0, (command, err)
        assert "Traceback" not in err
    assert not netlog.exists(), netlog.read_text()
    assert not (home / ".cache" / "Microsoft").exists(), "onnxruntime wrote its telemetry device id"
    assert sorted(p.name for p in home.rglob("*")) == []
