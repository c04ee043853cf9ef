"""The catalog's tables as SQLAlchemy Core objects: the shape the newest migration leaves.

Owns: table and column definitions, and the path column type. Must not: create or alter
tables (migrations.py does, step by step) or run queries (store.py does).
"""
from __future__ import annotations

import os

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Integer, LargeBinary, MetaData,
                        String, Table, Text, TypeDecorator)


class FsPath(TypeDecorator):
    """A filesystem path stored as the bytes the OS uses, so names that are not valid UTF-8
    (common on old Linux drives and camera cards) round-trip exactly."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else os.fsencode(value)

    def process_result_value(self, value, dialect):
        return None if value is None else os.fsdecode(bytes(value))


metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

folders = Table(
    "folders", metadata,
    Column("id", Integer, primary_key=True),
    Column("path", FsPath, nullable=False, unique=True),
    Column("added_at", Float, nullable=False),
)

files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="CASCADE"), nullable=False),
    Column("path", FsPath, nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("mtime_ns", Integer, nullable=False),
    Column("content_hash", String),
    Column("width", Integer),
    Column("height", Integer),
    Column("format", String),
    Column("taken_at", String),   # EXIF DateTimeOriginal as ISO 8601, camera local time
    Column("camera", String),
    Column("error", Text),        # why the file could not be read or decoded; NULL when fine
    Column("scanned_at", Float, nullable=False),
    Column("exif_fields", Integer),  # how many EXIF tags the photo carries (keep-best rule)
    Column("has_gps", Boolean),
    Column("device", Integer),    # st_dev and st_ino: names with both equal are one file
    Column("inode", Integer),
)

embeddings = Table(
    "embeddings", metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String, primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised
    Column("seq", Integer, nullable=False),         # write order; lets the index catch up
)

reference_folders = Table(
    "reference_folders", metadata,
    Column("path", FsPath, primary_key=True),
    Column("added_at", Float, nullable=False),
)

marks = Table(
    "marks", metadata,
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
    Column("mark", String, nullable=False),   # keep | remove
    Column("marked_at", Float, nullable=False),
)

presets = Table(
    "presets", metadata,
    Column("name", String, primary_key=True),
    Column("rules", Text, nullable=False),    # JSON list of {"rule": ..., params}
)

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String, nullable=False),  # trash | move | hardlink
    Column("target", FsPath),                  # the move-to folder
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("state", String, nullable=False),   # running | done | undone | rolled_back
)

journal = Table(
    "journal", metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("path", FsPath, nullable=False),
    Column("size", Integer, nullable=False),
    Column("mtime_ns", Integer, nullable=False),
    Column("content_hash", String, nullable=False),
    Column("keeper", FsPath),                  # hardlink target
    Column("destination", FsPath),             # where the file went (trash or move folder)
    Column("state", String, nullable=False),   # planned | done | skipped | failed | undone
    Column("error", Text),
    Column("updated_at", Float, nullable=False),
    Column("keeper_hash", String),             # the keeper as planned, re-checked before each
    Column("keeper_size", Integer),            # file is touched (NULL in older batches)
    # Files that go together (a photo, its RAW/JPEG partner, Live Photo video, sidecars) share a
    # unit number; a companion moves only when its photo did. NULL in batches before v7.
    Column("unit", Integer),
    Column("role", String),                    # photo | partner | live | sidecar | metadata
    Column("written_hash", String),            # metadata: the file's hash once written
    Column("payload", Text),                   # metadata: the JSON fields it writes
)

removed_files = Table(
    "removed_files", metadata,  # what the catalog knew of each file a clean-up removed
    Column("journal_id", Integer, ForeignKey("journal.id", ondelete="CASCADE"), primary_key=True),
    Column("folder_id", Integer, nullable=False),
    Column("path", FsPath, nullable=False),
    Column("record", Text, nullable=False),    # JSON: the file row's other columns
)

removed_embeddings = Table(
    "removed_embeddings", metadata,
    Column("journal_id", Integer, ForeignKey("removed_files.journal_id", ondelete="CASCADE"),
           primary_key=True),
    Column("model", String, primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

pair_checks = Table(
    "pair_checks", metadata,   # derived: geometric verdicts of candidate pairs, by content
    Column("hash_a", String, primary_key=True),
    Column("hash_b", String, primary_key=True),
    Column("verdict", String, nullable=False),  # copy | mirror | different | unsure
    Column("aligned", Float, nullable=False),
)

tags = Table(
    "tags", metadata,   # user data: what each tag means
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),       # phrase | example
    Column("phrases", Text, nullable=False),      # JSON list of the phrases that define it
    Column("cutoff", Float),                      # the user's cut-off; NULL: chosen from data
    Column("created_at", Float, nullable=False),
)

tag_examples = Table(
    "tag_examples", metadata,   # user data: example photos and corrections, by content hash
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("content_hash", String, primary_key=True),
    Column("label", Integer, nullable=False),     # 1: is the tag, 0: is not
    Column("origin", String, nullable=False),     # example (given at define) | correction
    Column("path", FsPath),                       # where it was when given (for messages)
    Column("model", String),                      # a photo outside the library: its vector,
    Column("vector", LargeBinary),                # embedded when it was given
    Column("added_at", Float, nullable=False),
)

decisions = Table(
    "decisions", metadata,   # user data: "these are different" / "keep them all"
    Column("id", Integer, primary_key=True),
    Column("kind", String, nullable=False),       # different | keep_all
    Column("created_at", Float, nullable=False),
)

decision_members = Table(
    "decision_members", metadata,   # by content hash: survives renames, moves and rescans
    Column("decision_id", Integer, ForeignKey("decisions.id", ondelete="CASCADE"), primary_key=True),
    Column("content_hash", String, primary_key=True),
    Column("path", FsPath),                       # where it was when decided (for listings)
)

frame_quality = Table(
    "frame_quality", metadata,   # derived: sharpness, exposure and noise of a picture's bytes
    Column("content_hash", String, primary_key=True),
    Column("sharpness", Float, nullable=False),
    Column("exposure", Float, nullable=False),
    Column("noise", Float, nullable=False),
)

phrase_vectors = Table(
    "phrase_vectors", metadata,  # derived: a phrase's text vector (prompt templates averaged)
    Column("phrase", String, primary_key=True),
    Column("model", String, primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)
