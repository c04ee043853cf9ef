"""Downloading a model from the Hugging Face hub over plain HTTP, on an explicit request only.

Owns: the hub's file listing (sizes, sha256 of LFS files, git blob ids of small ones), which
files a model needs (top-level config / tokenizer / preprocessor JSON, .txt, and .safetensors
weights: never pickle), the refusal of a repository without safetensors weights, and the
order files land in (weights last, so a folder only looks complete once it is). The endpoint
is $HF_ENDPOINT (default https://huggingface.co). Must not: run unless a user clicked Download
or ran `lookalike models download`; load the weights; write outside the target folder.
"""
from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Optional

from ..errors import ModelUnavailable
from ..jobs import CancelToken, ProgressCallback, Reporter
from .fetch import FetchError, Remote, fetch, get_json
from .registry import ModelSpec

DEFAULT_ENDPOINT = "https://huggingface.co"
WANTED_SUFFIXES = (".json", ".txt", ".safetensors")


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def listing(spec: ModelSpec) -> list[Remote]:
    """The files of the model to fetch, smallest first (so the weights land last)."""
    base = endpoint()
    url = f"{base}/api/models/{spec.hub_id}/revision/main?blobs=true"
    try:
        info, _ = get_json(url)
    except (FetchError, ValueError) as exc:
        raise ModelUnavailable(spec.name, f"Downloading {spec.name} ({spec.hub_id}) failed: {exc}; "
                               f"check the connection and try again.", downloadable=True) from exc
    siblings = info.get("siblings") if isinstance(info, dict) else None
    if not isinstance(siblings, list):
        raise ModelUnavailable(spec.name, f"Downloading {spec.name} failed: the hub's listing of "
                               f"{spec.hub_id} names no files.", downloadable=True)
    wanted = []
    for sibling in siblings:
        name = sibling.get("rfilename", "") if isinstance(sibling, dict) else ""
        if "/" in name or name.startswith(".") or not name.endswith(WANTED_SUFFIXES):
            continue
        lfs = sibling.get("lfs") or {}
        size = lfs.get("size", sibling.get("size"))
        wanted.append(Remote(
            url=f"{base}/{spec.hub_id}/resolve/main/{urllib.parse.quote(name)}", name=name,
            size=size if isinstance(size, int) else None, sha256=lfs.get("sha256") or None,
            git_sha1=None if lfs else (sibling.get("blobId") or None)))
    if not any(r.name == "config.json" for r in wanted):
        raise ModelUnavailable(spec.name, f"{spec.hub_id} on the hub has no config.json, so it is not "
                               f"a model Lookalike can load, and nothing was downloaded.")
    if not any(r.name.endswith(".safetensors") for r in wanted):
        raise ModelUnavailable(spec.name, f"{spec.hub_id} on the hub has no weights in the safetensors "
                               f"format, and Lookalike does not load pickle weights, so nothing was "
                               f"downloaded.")
    wanted.sort(key=lambda r: (r.name.endswith(".safetensors"), r.size or 0))
    return wanted


def download(spec: ModelSpec, target: Path, on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None) -> Path:
    """Downloads the model into `target` (<model folder>/<hub id>), resuming .part files left
    by an interrupted or cancelled run. Returns the folder."""
    files = listing(spec)
    total = sum(r.size for r in files) if all(r.size is not None for r in files) else None
    reporter = Reporter(f"downloading {spec.name}", total, on_progress, cancel)
    for remote in files:
        if (target / remote.name).is_file() and _already_there(target / remote.name, remote):
            reporter.advance(remote.size or 0)
            continue
        try:
            fetch(remote, target, reporter)
        except FetchError as exc:
            raise ModelUnavailable(spec.name, f"Downloading {spec.name} ({spec.hub_id}) failed: {exc}.",
                                   downloadable=True) from exc
    return target


def _already_there(path: Path, remote: Remote) -> bool:
    """A file a finished earlier run renamed into place (it was verified then)."""
    return remote.size is not None and path.stat().st_size == remote.size
