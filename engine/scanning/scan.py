"""The incremental scan job: bring the catalog in line with the folders, then embed.

Owns: the order of a scan (walk, plan, hash, match moves, write, decode + embed) and its
summary, over the whole library or only the scopes a watched change touched. Each step commits
on its own, so a crash or cancel at any point leaves a catalog that reopens consistent, and the
next scan picks up where this one stopped. Must not: touch FAISS
(the library syncs the index after a scan) or import torch (embedders arrive ready).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..catalog.store import Catalog, FileRecord
from ..embedding.base import Embedder
from ..jobs import CancelToken, ProgressCallback, Reporter
from ..paths import os_reason
from .decode import DecodeError, decode
from .fingerprint import NotRegularFile, content_hash
from .pipeline import default_threads, ordered_map
from .plan import make_plan
from .scope import Scope
from .walk import FoundFile, walk, walk_scopes

COMMIT_EVERY = 64
METADATA_COLUMNS = ("width", "height", "format", "taken_at", "camera", "exif_fields", "has_gps")


@dataclass
class ScanSummary:
    added: int = 0
    changed: int = 0
    moved: int = 0
    removed: int = 0
    embedded: int = 0
    failed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    models: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"{self.added} added, {self.changed} changed, {self.moved} moved, "
                f"{self.removed} removed, {self.embedded} embedded, {self.failed} failed")
        skipped = len(self.errors) - self.failed
        if skipped > 0:
            text += f", {skipped} skipped"
        return f"{text} in {self.seconds:.1f} s"

    def to_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "moved": self.moved,
                "removed": self.removed, "embedded": self.embedded, "failed": self.failed,
                "unchanged": self.unchanged, "seconds": round(self.seconds, 3),
                "models": self.models, "notes": self.notes,
                "errors": [{"path": p, "reason": r} for p, r in self.errors]}


def run_scan(catalog: Catalog, roots: Sequence[tuple[int, str]], skip: Sequence[str],
             embedders: Sequence[Embedder], threads: int = 0,
             on_progress: Optional[ProgressCallback] = None,
             cancel: Optional[CancelToken] = None,
             scopes: Optional[Sequence[Scope]] = None,
             follow_external: bool = False) -> ScanSummary:
    """With `scopes`, only those folders are listed and compared with the catalog (a watched
    change); work left anywhere by an earlier scan is still finished. `follow_external`:
    follow symlinks that lead out of the library's folders."""
    started = time.monotonic()
    summary = ScanSummary(models=[e.name for e in embedders])
    threads = threads or default_threads()
    if scopes is None:
        walked = walk(roots, skip, on_progress, cancel, follow_external=follow_external)
        known = catalog.all_files()
    else:
        walked = walk_scopes(scopes, skip, on_progress, cancel, roots=[path for _, path in roots],
                             follow_external=follow_external)
        known = list({r.id: r for s in scopes for r in catalog.files_in(s.path, s.recursive)}.values())
    summary.errors += walked.errors
    plan = make_plan(walked.files, known, walked.incomplete)
    summary.unchanged = len(plan.unchanged)

    to_hash = plan.new + [f for f, _ in plan.changed] + [f for f, _ in plan.retry]
    hashes = _hash_all(to_hash, threads, on_progress, cancel)
    _apply_changes(catalog, plan, hashes, known, summary)

    for embedder in embedders:
        dropped = catalog.drop_embeddings(embedder.name, keep_dim=embedder.dim)
        if dropped:
            summary.notes.append(f"{dropped} {embedder.name} vectors of another size were dropped")
    _decode_and_embed(catalog, embedders, threads, summary, on_progress, cancel)
    summary.seconds = time.monotonic() - started
    return summary


def _hash_all(files: list[FoundFile], threads: int, on_progress, cancel) -> dict[str, tuple]:
    """path -> ("ok", hash) or ("error", reason) or ("gone", reason)."""
    def work(item: FoundFile):
        try:
            return ("ok", content_hash(item.path))
        except FileNotFoundError:
            return ("gone", "vanished during the scan")
        except NotRegularFile as exc:  # a pipe swapped in after the walk: refused, not waited on
            return ("error", str(exc))
        except PermissionError as exc:
            return ("error", os_reason(exc))
        except OSError as exc:
            return ("error", f"cannot be read ({os_reason(exc)})")

    results = {}
    reporter = Reporter("hashing", len(files), on_progress, cancel)
    for item, outcome in ordered_map(work, files, threads):
        results[item.path] = outcome
        reporter.advance()
    return results


def _apply_changes(catalog: Catalog, plan, hashes: dict, known: list[FileRecord],
                   summary: ScanSummary) -> None:
    gone_by_hash: dict[str, list[FileRecord]] = {}
    for record in plan.gone:
        if record.content_hash:
            gone_by_hash.setdefault(record.content_hash, []).append(record)
    moved_ids: set[int] = set()
    moves, inserts = [], []
    for item in plan.new:
        status, value = hashes[item.path]
        if status == "gone":
            summary.errors.append((item.path, value))
            summary.failed += 1
            continue
        if status == "error":
            summary.errors.append((item.path, value))
            summary.failed += 1
            inserts.append(_row(item, None, error=value))
            continue
        candidates = [r for r in gone_by_hash.get(value, []) if r.id not in moved_ids and r.size == item.size]
        if candidates:
            record = candidates[0]
            moved_ids.add(record.id)
            moves.append((record.id, {"path": item.path, "folder_id": item.folder_id,
                                      "size": item.size, "mtime_ns": item.mtime_ns, **_identity(item)}))
        else:
            inserts.append(_row(item, value))
    # Moves first (their old paths vanish), then removals, then new files.
    catalog.update_files(moves, drop_embeddings=False)
    summary.moved = len(moves)
    removed = [r.id for r in plan.gone if r.id not in moved_ids]
    catalog.delete_files(removed)
    summary.removed = len(removed)

    content_changes, touch_only = [], []
    # Catalogs from before device and inode were kept, and files replaced in place (a hardlink
    # clean-up, a restore) with the same size and time: record which file each name is now.
    touch_only += [(record.id, _identity(item)) for item, record in plan.unchanged
                   if (record.device, record.inode) != tuple(_identity(item).values())]
    for item, record in plan.changed + plan.retry:
        status, value = hashes[item.path]
        if status != "ok":
            if status == "error":
                summary.errors.append((item.path, value))
                summary.failed += 1
                content_changes.append((record.id, {"size": item.size, "mtime_ns": item.mtime_ns,
                                                    "content_hash": None, "error": value}))
            continue
        if value == record.content_hash and record.error:
            # Same bytes that could not be decoded last time for a passing reason: decode again.
            touch_only.append((record.id, {"size": item.size, "mtime_ns": item.mtime_ns, "error": None,
                                           **{c: None for c in METADATA_COLUMNS}, **_identity(item)}))
            continue
        if value == record.content_hash:
            # Same bytes, new timestamp (a `touch`, a copy that kept content): keep everything.
            touch_only.append((record.id, {"size": item.size, "mtime_ns": item.mtime_ns, **_identity(item)}))
            summary.unchanged += 1
            continue
        values = {"size": item.size, "mtime_ns": item.mtime_ns, "content_hash": value, "error": None,
                  **_identity(item)}
        values.update({c: None for c in METADATA_COLUMNS})
        content_changes.append((record.id, values))
        summary.changed += 1
    catalog.update_files(touch_only, drop_embeddings=False)
    catalog.update_files(content_changes, drop_embeddings=True)

    new_ids = catalog.insert_files(inserts)
    summary.added = len(inserts) - sum(1 for r in inserts if r["error"])
    _share_with_copies(catalog, inserts, new_ids)


def _row(item: FoundFile, digest: Optional[str], error: Optional[str] = None) -> dict:
    return {"folder_id": item.folder_id, "path": item.path, "size": item.size,
            "mtime_ns": item.mtime_ns, "content_hash": digest, "error": error, **_identity(item)}


def _identity(item: FoundFile) -> dict:
    return identity(item.device, item.inode)


def identity(device: Optional[int], inode: Optional[int]) -> dict:
    """The catalog's (device, inode) columns; SQLite integers are signed 64-bit, so larger
    values wrap (they are only ever compared for equality)."""
    def signed(v: Optional[int]) -> Optional[int]:
        return None if v is None else (v - (1 << 64) if v >= 1 << 63 else v)
    return {"device": signed(device), "inode": signed(inode)}


def _share_with_copies(catalog: Catalog, inserts: list[dict], new_ids: list[int]) -> None:
    """A new exact copy of a file already decoded takes its metadata and vectors: no work."""
    hashes = {row["content_hash"] for row in inserts if row["content_hash"] and not row["error"]}
    fresh = set(new_ids)
    donors = {r.content_hash: r for r in catalog.files_with_hashes(hashes)
              if r.error is None and r.width is not None and r.id not in fresh}
    pairs, meta = [], []
    for row, file_id in zip(inserts, new_ids):
        donor = donors.get(row["content_hash"])
        if donor is None or row["error"]:
            continue
        pairs.append((donor.id, file_id))
        meta.append((file_id, {c: getattr(donor, c) for c in METADATA_COLUMNS}))
    catalog.update_files(meta, drop_embeddings=False)
    catalog.copy_embeddings(pairs)


def _decode_and_embed(catalog: Catalog, embedders: Sequence[Embedder], threads: int,
                      summary: ScanSummary, on_progress, cancel) -> None:
    records = catalog.files_to_decode([(e.name, e.dim) for e in embedders])
    have = {e.name: catalog.embedded_among(e.name, e.dim, [r.id for r in records]) for e in embedders}
    units: dict[str, list[FileRecord]] = {}
    for record in records:
        needs_meta = record.width is None
        if needs_meta or any(record.id not in have[e.name] for e in embedders):
            units.setdefault(record.content_hash, []).append(record)
    if not units:
        return
    work_units = list(units.values())

    def work(unit: list[FileRecord]):
        """Decodes the unit's first readable file. A failure is each file's own (one copy may
        be unreadable or replaced while its twins are fine), so the next file is tried."""
        wanted = [e for e in embedders if any(r.id not in have[e.name] for r in unit)]
        min_side = max([e.input_size for e in wanted], default=256)
        failed: list[tuple[FileRecord, str]] = []
        for record in unit:
            try:
                decoded = decode(record.path, min_side=min_side)
                arrays = {e.name: e.preprocess(decoded.image) for e in wanted}
                decoded.image = None  # free the pixels early; only metadata travels on
                return decoded, arrays, failed
            except DecodeError as exc:
                failed.append((record, str(exc)))
            except Exception as exc:  # noqa: BLE001 - a codec bug must fail one file, not the scan
                failed.append((record, f"could not be decoded ({exc.__class__.__name__}: {exc})"))
        return None, None, failed

    batches = {e.name: [] for e in embedders}
    embedded_units: set[str] = set()  # byte-identical files share one model run
    pending_meta: list[tuple[int, dict]] = []
    reporter = Reporter("embedding", len(work_units), on_progress, cancel)
    by_name = {e.name: e for e in embedders}

    def flush(name: str) -> None:
        batch = batches[name]
        if not batch:
            return
        vectors = by_name[name].embed([array for _, array in batch])
        items = [(r.id, vec) for (unit, _), vec in zip(batch, vectors) for r in unit]
        catalog.put_embeddings(name, items)
        embedded_units.update(unit[0].content_hash for unit, _ in batch)
        batch.clear()

    for unit, (decoded, payload, failed) in ordered_map(work, work_units, threads):
        pending_meta.extend((r.id, {"error": reason}) for r, reason in failed)
        summary.errors.extend((r.path, reason) for r, reason in failed)
        summary.failed += len(failed)
        if decoded is not None:
            bad = {r.id for r, _ in failed}
            unit = [r for r in unit if r.id not in bad]
            if any(r.width is None for r in unit):
                values = {c: getattr(decoded, c) for c in METADATA_COLUMNS}
                pending_meta.extend((r.id, values) for r in unit)
            for name, array in payload.items():
                batches[name].append((unit, array))
                if len(batches[name]) >= by_name[name].batch_size:
                    flush(name)
        if len(pending_meta) >= COMMIT_EVERY:
            catalog.update_files(pending_meta, drop_embeddings=False)
            pending_meta.clear()
        reporter.advance()
    for name in batches:
        flush(name)
    catalog.update_files(pending_meta, drop_embeddings=False)
    summary.embedded = len(embedded_units)
