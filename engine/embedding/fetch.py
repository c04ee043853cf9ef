"""One file over plain HTTP(S): into NAME.part, resumed with a Range request, verified, renamed.

Owns: the only code that downloads bytes (hub models and model packages both use it), the
.part file and its resumption, the size / sha256 / git blob checks, and the one-sentence
errors when a server or a file is wrong. Must not: decide what to download or where (hub.py
and packages.py do), or run without an explicit download call behind it.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..jobs import Reporter

CHUNK = 1 << 16
TIMEOUT = 30.0  # seconds without a byte before a download gives up (it resumes on a rerun)
USER_AGENT = "lookalike (model manager)"


class FetchError(Exception):
    """A download failed; the message is one sentence (without the final full stop)."""


@dataclass(frozen=True)
class Remote:
    """A file to fetch and what it must turn out to be."""

    url: str
    name: str                       # the file name it lands under
    size: Optional[int] = None
    sha256: Optional[str] = None
    git_sha1: Optional[str] = None  # the hub's git blob id of a small (non-LFS) file


def get_json(url: str, accept: str = "application/json") -> tuple[object, str]:
    """(parsed JSON or text, content type) of a small document."""
    body, kind = get_text(url, accept)
    return (json.loads(body) if "json" in kind else body), kind


def get_text(url: str, accept: str) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            kind = response.headers.get("Content-Type", "")
            return response.read(16 << 20).decode("utf-8", "replace"), kind
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{url} could not be reached ({_reason(exc)})") from exc


def fetch(remote: Remote, folder: Path, reporter: Reporter) -> Path:
    """Downloads `remote` into folder/NAME, resuming folder/NAME.part when one is there.
    Progress is reported in bytes through `reporter` (already counting earlier files); a
    cancel raises JobCancelled there and leaves the .part for the next call to resume."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / remote.name
    part = folder / (remote.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    if remote.size is None or have < remote.size:
        have = _receive(remote, part, have, reporter)
    else:
        reporter.advance(have)
    _verify(remote, part)
    part.replace(final)
    return final


def _receive(remote: Remote, part: Path, have: int, reporter: Reporter) -> int:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(remote.url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{remote.url} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{remote.url} could not be reached ({_reason(exc)})") from exc
    with response:
        if have and response.status != 206:  # the server ignored the Range: start again
            have = 0
        reporter.advance(have)
        with open(part, "ab" if have else "wb") as out:
            try:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    have += len(chunk)
                    reporter.advance(len(chunk))
            except (OSError, http.client.HTTPException) as exc:  # a dropped connection: what arrived stays for the rerun
                raise FetchError(f"the download of {remote.name} broke off after {have} bytes "
                                 f"({_reason(exc)}); run it again to resume") from exc
    return have


def _verify(remote: Remote, part: Path) -> None:
    size = part.stat().st_size
    if remote.size is not None and size != remote.size:
        raise FetchError(f"{remote.name} ended at {size} of {remote.size} bytes; run the download "
                         f"again to resume")
    if remote.sha256 or remote.git_sha1:
        sha256, git = hashlib.sha256(), hashlib.sha1(f"blob {size}\0".encode())
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha256.update(block)
                git.update(block)
        wrong = ((remote.sha256 and sha256.hexdigest() != remote.sha256.lower())
                 or (remote.git_sha1 and git.hexdigest() != remote.git_sha1.lower()))
        if wrong:
            part.unlink()
            raise FetchError(f"{remote.name} does not match the checksum its source publishes, "
                             f"so it was deleted")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason).strip() or exc.__class__.__name__
    return text.splitlines()[0][:160].rstrip(".")
