"""Numbered schema migrations, applied in order inside one transaction each.

Owns: the DDL of every schema version and the version check. A catalog newer than this app
is refused, never rewritten. Must not: change user data beyond what a migration's reason says.
Each migration is (version, one-line reason, statements); append, never edit, old ones.
"""
from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..errors import CatalogError

# Tags every library starts with (editable, deletable): what people sort out first. Frozen
# with migration 6, like every migration.
_STARTER_TAGS = {
    "screenshots": ("a screenshot", "a screenshot of a computer screen", "a screenshot of a phone"),
    "documents": ("a document", "a scanned page of text", "a printed form"),
    "receipts": ("a receipt", "a shopping receipt"),
    "whiteboards": ("a whiteboard with writing", "a blackboard with writing"),
    "food": ("food", "a meal on a plate", "a dish of food"),
    "pets": ("a pet", "a dog", "a cat"),
    "people": ("people", "a person", "a group of people"),
    "landscapes": ("a landscape", "mountains and nature scenery", "a beach or a lake"),
}


def _starter_tag(name: str, phrases) -> str:
    return ("INSERT INTO tags (name, kind, phrases, created_at) VALUES "
            f"('{name}', 'phrase', '{json.dumps(list(phrases))}', CAST(strftime('%s', 'now') AS REAL))")


MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "first schema: folders, files with metadata, embeddings per model", [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE folders (
            id INTEGER PRIMARY KEY,
            path BLOB NOT NULL UNIQUE,
            added_at REAL NOT NULL)""",
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            path BLOB NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            content_hash TEXT,
            width INTEGER, height INTEGER, format TEXT,
            taken_at TEXT, camera TEXT,
            error TEXT,
            scanned_at REAL NOT NULL)""",
        "CREATE INDEX files_content_hash ON files(content_hash)",
        "CREATE INDEX files_folder ON files(folder_id)",
        """CREATE TABLE embeddings (
            file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (file_id, model))""",
        "CREATE INDEX embeddings_model_seq ON embeddings(model, seq)",
    ]),
    (2, "keep-best and clean-up: metadata richness, reference folders, marks, presets, journal", [
        "ALTER TABLE files ADD COLUMN exif_fields INTEGER",
        "ALTER TABLE files ADD COLUMN has_gps BOOLEAN",
        # Metadata is derived: have the next scan read it again, now with EXIF richness.
        "UPDATE files SET width = NULL WHERE error IS NULL",
        """CREATE TABLE reference_folders (
            path BLOB PRIMARY KEY,
            added_at REAL NOT NULL)""",
        """CREATE TABLE marks (
            file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
            mark TEXT NOT NULL CHECK (mark IN ('keep', 'remove')),
            marked_at REAL NOT NULL)""",
        "CREATE TABLE presets (name TEXT PRIMARY KEY, rules TEXT NOT NULL)",
        """CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL,
            target BLOB,
            started_at REAL NOT NULL,
            finished_at REAL,
            state TEXT NOT NULL)""",
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            path BLOB NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            keeper BLOB,
            destination BLOB,
            state TEXT NOT NULL,
            error TEXT,
            updated_at REAL NOT NULL)""",
        "CREATE INDEX journal_batch ON journal(batch_id)",
    ]),
    (3, "burst-aware tiers: cache geometric checks of candidate pairs by content hashes", [
        """CREATE TABLE pair_checks (
            hash_a TEXT NOT NULL,
            hash_b TEXT NOT NULL,
            verdict TEXT NOT NULL,
            aligned REAL NOT NULL,
            PRIMARY KEY (hash_a, hash_b))""",
    ]),
    (4, "one photo = one real file: each file's device and inode; the keeper's size and hash in the journal", [
        "ALTER TABLE files ADD COLUMN device INTEGER",
        "ALTER TABLE files ADD COLUMN inode INTEGER",
        "ALTER TABLE journal ADD COLUMN keeper_hash TEXT",
        "ALTER TABLE journal ADD COLUMN keeper_size INTEGER",
    ]),
    (5, "undo brings back what the catalog knew: each removed file's row and vectors, kept by journal entry", [
        """CREATE TABLE removed_files (
            journal_id INTEGER PRIMARY KEY REFERENCES journal(id) ON DELETE CASCADE,
            folder_id INTEGER NOT NULL,
            path BLOB NOT NULL,
            record TEXT NOT NULL)""",
        """CREATE TABLE removed_embeddings (
            journal_id INTEGER NOT NULL REFERENCES removed_files(journal_id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (journal_id, model))""",
    ]),
    (6, "tags: definitions, examples and corrections by content hash (user data), phrase vectors (derived), a starter set", [
        """CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('phrase', 'example')),
            phrases TEXT NOT NULL,
            cutoff REAL,
            created_at REAL NOT NULL)""",
        """CREATE TABLE tag_examples (
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            label INTEGER NOT NULL CHECK (label IN (0, 1)),
            origin TEXT NOT NULL CHECK (origin IN ('example', 'correction')),
            path BLOB,
            model TEXT,
            vector BLOB,
            added_at REAL NOT NULL,
            PRIMARY KEY (tag_id, content_hash))""",
        """CREATE TABLE phrase_vectors (
            phrase TEXT NOT NULL,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (phrase, model))""",
        *[_starter_tag(name, phrases) for name, phrases in _STARTER_TAGS.items()],
    ]),
    (7, "lossless consolidation: decisions by content hash (user data), units and metadata merges in the journal, frame quality (derived)", [
        """CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('different', 'keep_all')),
            created_at REAL NOT NULL)""",
        """CREATE TABLE decision_members (
            decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            path BLOB,
            PRIMARY KEY (decision_id, content_hash))""",
        "CREATE INDEX decision_members_hash ON decision_members (content_hash)",
        "ALTER TABLE journal ADD COLUMN unit INTEGER",
        "ALTER TABLE journal ADD COLUMN role TEXT",
        "ALTER TABLE journal ADD COLUMN written_hash TEXT",
        "ALTER TABLE journal ADD COLUMN payload TEXT",
        """CREATE TABLE frame_quality (
            content_hash TEXT PRIMARY KEY,
            sharpness REAL NOT NULL,
            exposure REAL NOT NULL,
            noise REAL NOT NULL)""",
    ]),
    (8, "the unreadable files, listed after every scan, come from a partial index instead of a pass over every file", [
        "CREATE INDEX files_unreadable ON files (path) WHERE error IS NOT NULL",
    ]),
]

LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    return int(conn.execute(text("PRAGMA user_version")).scalar() or 0)


def migrate(conn: Connection) -> list[int]:
    """Bring the schema to LATEST; returns the versions applied. The caller owns the
    transaction, so a failure leaves the catalog at the version it had."""
    version = current_version(conn)
    if version > LATEST:
        raise CatalogError(
            f"This library was written by a newer Lookalike (catalog schema {version}, this app "
            f"knows up to {LATEST}); update Lookalike to open it.")
    applied = []
    for number, _reason, statements in MIGRATIONS:
        if number <= version:
            continue
        for statement in statements:
            conn.execute(text(statement))
        conn.execute(text(f"PRAGMA user_version = {number}"))
        applied.append(number)
    return applied
