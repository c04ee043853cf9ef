"""Every `lookalike` sub-command, in every bad state a library can be in, answers with one
sentence and a documented exit code (0 ok, 1 failure, 2 usage, 3 model), never a traceback."""
import argparse
import os
import subprocess

import pytest

from lookalike.engine.cli import folder_commands
from lookalike.engine.cli import build_parser, main
from helpers import photo, save

from .damage_helpers import garble, populated

DOCUMENTED = {0, 1, 2, 3}


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _arguments(parser, values) -> list[str]:
    """The smallest argument list the parser accepts: each required choice, option and positional."""
    args = []
    for group in parser._mutually_exclusive_groups:
        if group.required:
            first = group._group_actions[0]
            args.append(first.option_strings[0])
            if first.nargs != 0:
                args.append(values["dir"])
    for action in parser._actions:
        if action.option_strings and action.required:   # e.g. organise --into DIR
            args += [action.option_strings[0], values["dir"]]
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        if action.nargs == "*":
            continue
        args.append(values["image"] if action.dest in ("image", "a", "b", "folders", "folder", "paths")
                    else "x")
    return args


def every_command(values) -> list[list[str]]:
    """Built from the parser, so a new sub-command is covered without editing this test."""
    commands = []
    for name, sub in _subparsers(build_parser()).items():
        base = [name, *_arguments(sub, values)]
        commands.append(base)
        for nested, subsub in _subparsers(sub).items():
            commands.append([*base, nested, *_arguments(subsub, values)])
    return commands


def test_the_command_list_covers_every_sub_command(tmp_path):
    names = {c[0] for c in every_command({"dir": "d", "image": "i"})}
    assert {"scan", "duplicates", "clean", "undo", "recover", "doctor", "presets", "models"} <= names
    assert ["presets", "save", "x", "x"] in every_command({"dir": "d", "image": "i"})


@pytest.fixture()
def full_disk(tmp_path):
    """A 16 MB tmpfs holding the library, filled to the last byte once the library exists."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder):
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    try:
        with open(folder / "filler", "ab") as fh:  # the last few bytes too
            while True:
                fh.write(b"\0")
                fh.flush()
    except OSError:
        pass


def _state(name, tmp_path, photos, disk=None):
    library = tmp_path / "library"
    if name == "library path is a file":
        (tmp_path / "a file").write_text("not a folder")
        return tmp_path / "a file" / "library"
    if name == "library folder unreadable":
        populated(library, photos)
        os.chmod(library, 0)
        return library
    if name == "full disk":
        library = disk / "library"
        populated(library, photos)
        _fill(disk)
        return library
    populated(library, photos)
    catalog = library / "catalog.sqlite"
    if name == "damaged catalog":
        garble(catalog)
    elif name == "damaged catalog header":
        garble(catalog, first_page=True)
    elif name == "vanished catalog":
        catalog.unlink()
    elif name == "emptied catalog":
        catalog.write_bytes(b"")
    return library


STATES = ["damaged catalog", "damaged catalog header", "vanished catalog", "emptied catalog",
          "library path is a file", "library folder unreadable", "healthy", "full disk"]


@pytest.mark.parametrize("state", STATES)
def test_every_command_in_every_state_answers_in_one_line_with_a_documented_code(
        state, tmp_path, photos, capsys, hf_home, request):
    disk = request.getfixturevalue("full_disk") if state == "full disk" else None
    save(photo(1), photos / "a.jpg")
    library = _state(state, tmp_path, photos, disk)
    values = {"dir": str(tmp_path / "moved"), "image": str(photos / "a.jpg")}
    failures = []
    try:
        for command in every_command(values):
            argv = ["--library", str(library), "--model-dir", str(tmp_path / "no-models"), *command]
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's own usage errors
                code = exc.code
            out, err = capsys.readouterr()
            lines = err.splitlines()
            if "Traceback" in err or len(lines) > 1 or code not in DOCUMENTED or (code and not lines):
                failures.append((command, code, err[-300:]))
            if state == "full disk" and command == ["folders"] and "full" not in err:
                failures.append((command, code, f"a full disk must be named: {err}"))
            if state in ("damaged catalog header", "vanished catalog", "emptied catalog"):
                if command[0] != "doctor" and (code != 1 or "doctor --repair" not in err):
                    failures.append((command, code, "a damaged catalog must fail"))
    finally:
        if library.exists():
            os.chmod(library, 0o700)
    assert failures == []


def test_an_unexpected_bug_prints_a_please_report_line_and_logs_the_traceback(
        tmp_path, capsys, monkeypatch):
    library = tmp_path / "library"

    monkeypatch.setattr(folder_commands, "folders", lambda *a: {}["a bug"])
    code = main(["--library", str(library), "folders"])
    _, err = capsys.readouterr()
    log = library / "logs" / "lookalike-errors.log"
    assert code == 1 and err.count("\n") == 1 and "please report" in err and str(log) in err
    assert "Traceback" not in err and "Traceback" in log.read_text()
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)
