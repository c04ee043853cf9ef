"""Typed per-library settings, stored as settings.json beside the catalog.

Owns: the Settings fields and their defaults, reading and atomically writing them, and where
a library lives by default. Must not: read anything at import time or touch the catalog.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Optional

SCHEMA_VERSION = 1
SETTINGS_FILE = "settings.json"
DEFAULT_MODEL = "dinov2-small"


def default_data_dir() -> Path:
    """LOOKALIKE_DATA if set, else the per-user data folder (platformdirs): it holds the
    default library, downloaded models and installed model packages."""
    env = os.environ.get("LOOKALIKE_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("Lookalike", appauthor=False))


def default_library_dir() -> Path:
    """LOOKALIKE_LIBRARY if set, else <data folder>/library."""
    env = os.environ.get("LOOKALIKE_LIBRARY")
    if env:
        return Path(env).expanduser()
    return default_data_dir() / "library"


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    model: str = DEFAULT_MODEL          # duplicate/similar model; the last scan's model
    model_dir: Optional[str] = None     # a folder holding DIR/<hub id>/ model folders
    device: str = "auto"                # auto | cpu | cuda | mps
    text_search: bool = True            # also embed with CLIP during scans when it resolves
    thresholds: dict = field(default_factory=dict)  # {model: {"near": t, "similar": t}}
    decode_threads: int = 0             # 0 = pick from the CPU count
    verify_pairs: bool = True           # geometric check keeps burst shots out of the near tier
    writer_wait: float = 600.0          # seconds a write waits while another program writes
    follow_external_links: bool = False  # follow symlinks that lead out of the library's folders
    pair_raw_jpeg: bool = True          # a RAW and its JPEG are one photo (never each other's copy)

    @classmethod
    def load(cls, library_dir: Path) -> "Settings":
        path = Path(library_dir) / SETTINGS_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            # A damaged settings file must not lock the user out; defaults are safe.
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known and k != "schema_version"}
        return cls(**values)

    def save(self, library_dir: Path) -> None:
        """Writes the fields atomically (owner-only). Keys this version does not know (a newer
        version's, or a later field) are kept as the file holds them, and so is a newer
        schema_version: saving never drops what another version wrote. A file that cannot be
        read is kept aside as settings.json.damaged rather than overwritten."""
        library_dir = Path(library_dir)
        library_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        on_disk = _read_existing(library_dir / SETTINGS_FILE)
        known = {f.name for f in fields(self)}
        data = {k: v for k, v in on_disk.items() if k not in known}
        data.update(asdict(self))
        version = on_disk.get("schema_version")
        data["schema_version"] = max(SCHEMA_VERSION, version if isinstance(version, int) else 0)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=library_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, library_dir / SETTINGS_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def threshold(self, model: str, tier: str, default: float) -> float:
        return float(self.thresholds.get(model, {}).get(tier, default))


def _read_existing(path: Path) -> dict:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raw = None
    if isinstance(raw, dict):
        return raw
    try:
        os.replace(path, path.with_name(path.name + ".damaged"))
    except OSError:
        pass
    return {}
