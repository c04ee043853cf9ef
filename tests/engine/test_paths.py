"""Containment and OS error reasons: the rules every part of the engine shares."""
import errno

import pytest

from lookalike.engine import paths


@pytest.mark.parametrize("path, folder, expected", [
    ("/a/b", "/a/b", True),
    ("/a/b/c.jpg", "/a/b", True),
    ("/a/b/c.jpg", "/a/b/", True),
    ("/a/bc/d.jpg", "/a/b", False),      # a sibling whose name starts the same
    ("/a", "/a/b", False),
    ("/x.jpg", "/", True),
    ("/a/./b/../b/c.jpg", "/a/b", True),
])
def test_a_path_is_inside_a_folder_only_below_its_separator(path, folder, expected):
    assert paths.inside(path, folder) is expected


def test_containment_ignores_case_where_the_system_does(monkeypatch):
    monkeypatch.setattr(paths.sys, "platform", "darwin")
    assert paths.inside("/Users/Ann/Pictures/x.jpg", "/users/ann/pictures")
    monkeypatch.setattr(paths.sys, "platform", "linux")
    assert not paths.inside("/Users/Ann/Pictures/x.jpg", "/users/ann/pictures")


@pytest.mark.parametrize("exc, reason", [
    (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
    (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    (OSError(errno.EROFS, "Read-only file system"), "read-only filesystem"),
    (OSError(errno.ELOOP, "Too many levels of symbolic links"), "symbolic link loop"),
    (OSError(errno.EIO, "Input/output error"), "input/output error"),
])
def test_os_errors_read_as_a_few_plain_words(exc, reason):
    assert paths.os_reason(exc) == reason


@pytest.mark.parametrize("path, expected", [
    ("/a/b/c.jpg", True), ("/a/b", True), ("/a/bc/d.jpg", False), ("/z/y/x.jpg", True), ("/z", False),
])
def test_many_paths_against_the_same_folders_give_the_same_answers_as_inside_any(path, expected):
    folders = ["/a/b", "/z/y/"]
    assert paths.covered_by(folders)(path) is expected is paths.inside_any(path, folders)
    assert paths.covered_by([])(path) is False
