"""The Library's tags part: defining tags, scoring every photo for them, and corrections.

Owns: turning a tag's definition into scores over the library's stored vectors (phrase tags:
CLIP image vectors against the phrases' text vectors; example tags: a classifier trained on
the vectors of the duplicate model in use), the cut-off of each tag (yours, else chosen from
data), the cross-validated quality of example tags, and which photos carry a tag. Examples
and corrections are kept by content hash, so they follow a photo across moves and renames.
Writes hold the writer lock; scoring only reads (phrase text vectors, derived, are cached in
the catalog as grouping caches its checks). Must not: run SQL (catalog/ does), load models
itself (parts/models.py does) or move files (actions/ does).
"""
from __future__ import annotations

import os
import threading
import zlib
from typing import Callable, Optional, Sequence

import numpy as np

from ..catalog.tags import ExampleRecord, TagRecord, TagStore
from ..embedding.registry import TEXT_MODEL
from ..errors import LookalikeError, UsageError
from ..lock import WriterLock
from ..results import TagInfo, TagPhoto, TagQuality
from ..scanning.fingerprint import content_hash
from ..tags import classifier, cutoff as cutoffs, phrase, teach
from ..tags.scored import Scored, count_labels
from .models import Models

MIN_EXAMPLES = 3
BACKGROUND_SAMPLE = 200    # random library photos taken as "not the tag" when training
PHRASE_CUTOFF = 0.5        # a phrase tag's default: it wins more belief than all rivals together
_NAME_LIMIT = 64


class Tags:
    def __init__(self, catalog, write_lock: WriterLock, models: Models,
                 vector_for: Callable[[str, object], tuple[np.ndarray, Optional[int]]]) -> None:
        self.catalog = catalog
        self.store = TagStore(catalog.engine)
        self._write_lock = write_lock
        self.models = models
        self.vector_for = vector_for
        self._matrices: dict[str, tuple] = {}
        self._trained: dict[int, tuple] = {}    # tag id -> (what it was trained on, Scored)
        self._matrix_lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------
    def list(self) -> list[TagInfo]:
        records = self.store.all()
        examples = self.store.examples()
        phrase_tags = [r for r in records if r.kind == "phrase"]
        scored = {s.record.name: s for s in self._score_phrases(phrase_tags, examples)}
        for r in records:
            if r.kind == "example":
                scored[r.name] = self._score_examples(r, examples, records)
        return [scored[r.name].info() for r in records]

    def info(self, name: str) -> TagInfo:
        return self._scored(name).info()

    def photos(self, name: str, limit: Optional[int] = None,
               min_score: Optional[float] = None) -> list[TagPhoto]:
        """Photos carrying the tag, best first (or, with `min_score`, every photo scoring at
        least that, whatever the cut-off)."""
        s = self._scored(name)
        if s.error is not None:
            raise s.error
        if min_score is None:
            rows = s.members()
        else:
            rows = np.flatnonzero(s.scores >= min_score)
            rows = rows[~np.isin(s.ids[rows], list(s.manual_out))] if s.manual_out else rows
        rows = rows[np.argsort(-s.scores[rows], kind="stable")]
        if limit is not None:
            if limit < 1:
                raise UsageError("The result limit must be at least 1.")
            rows = rows[:limit]
        records = self.catalog.files_by_ids(int(i) for i in s.ids[rows])
        return [TagPhoto(records[int(s.ids[i])].path, float(s.scores[i]), int(s.ids[i]),
                         True if int(s.ids[i]) in s.manual_in else None)
                for i in rows if int(s.ids[i]) in records]

    def best_tags(self, names: Optional[Sequence[str]] = None) -> dict[int, tuple[str, float]]:
        """file id -> (tag, score) of the highest-scoring tag it carries among `names`."""
        wanted = list(names) if names else [r.name for r in self.store.all()]
        best: dict[int, tuple[str, float]] = {}
        for name in wanted:
            s = self._scored(name)
            for i in s.members():
                file_id, score = int(s.ids[i]), float(s.scores[i])
                if file_id not in best or score > best[file_id][1]:
                    best[file_id] = (name, score)
        return best

    # -- changing --------------------------------------------------------------------------
    def define(self, name: str, phrases: Sequence[str] = (), examples: Sequence = (),
               not_examples: Sequence = (), cutoff: Optional[float] = None,
               on_progress=None, cancel=None) -> TagInfo:
        """Creates a tag, or adds to one: phrases replace its phrases, examples are added."""
        name = _valid_name(name)
        phrases = [p.strip() for p in phrases if p.strip()]
        if phrases and (examples or not_examples):
            raise UsageError("A tag is defined by phrases or by example photos, not both; "
                             "`lookalike tag set` corrects either kind.")
        if cutoff is not None and not 0.0 <= cutoff <= 1.0:
            raise UsageError("A tag's cut-off is a score between 0 and 1.")
        kind = "example" if examples or not_examples else "phrase" if phrases else None
        with self._write_lock.hold(on_progress, cancel):
            existing = self.store.get(name)
            if existing is None and kind is None:
                raise UsageError(f"Define {name!r} with --phrase TEXT, or with at least "
                                 f"{MIN_EXAMPLES} --example photos.")
            if existing is not None and kind is not None and kind != existing.kind:
                raise UsageError(f"{name!r} is a {existing.kind} tag; delete it first to define "
                                 f"it by {'examples' if kind == 'example' else 'phrases'}.")
            items = self._labelled(examples, 1, "example", kind or existing.kind) + \
                self._labelled(not_examples, 0, "example", kind or existing.kind)
            if kind == "example":
                known = self.store.examples(existing.id).get(existing.id, []) if existing else []
                hashes = {e.content_hash for e in known if e.label == 1} | \
                    {i["content_hash"] for i in items if i["label"] == 1}
                if len(hashes) < MIN_EXAMPLES:
                    raise UsageError(f"Teaching a tag takes at least {MIN_EXAMPLES} different example "
                                     f"photos ({len(hashes)} given).")
            record = existing or self.store.create(name, kind, phrases, cutoff)
            if existing is not None:
                self.store.update(record.id, phrases=phrases or None, cutoff=cutoff)
            self.store.put_examples(record.id, items)
        return self.info(name)

    def correct(self, name: str, paths: Sequence, is_tag: bool) -> TagInfo:
        """"This photo is (not) NAME": back into the tag's training set (example tags) or an
        override of its score (phrase tags)."""
        if not paths:
            raise UsageError("Name the photos to correct.")
        with self._write_lock:
            record = self._record(name)
            self.store.put_examples(record.id, self._labelled(paths, 1 if is_tag else 0,
                                                              "correction", record.kind))
        return self.info(name)

    def delete(self, name: str) -> None:
        with self._write_lock:
            self.store.delete(self._record(name).id)

    # -- scoring ---------------------------------------------------------------------------
    def _record(self, name: str) -> TagRecord:
        record = self.store.get(name)
        if record is None:
            raise LookalikeError(f"There is no tag named {name!r}; `lookalike tag list` shows them.")
        return record

    def _scored(self, name: str) -> Scored:
        record = self._record(name)
        examples = self.store.examples()
        if record.kind == "phrase":
            records = [r for r in self.store.all() if r.kind == "phrase"]
            return next(s for s in self._score_phrases(records, examples) if s.record.id == record.id)
        return self._score_examples(record, examples, self.store.all())

    def _matrix(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of every photo with a vector of this model (cached until it changes)."""
        return self._matrix_state(model)[1:]

    def _matrix_state(self, model: str) -> tuple:
        """(state, ids, vectors); the state changes whenever a vector is added or removed."""
        dim = self.catalog.embedding_dim(model)
        if dim is None:
            return None, np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32)
        state = (dim, *self.catalog.embedding_state(model, dim))
        with self._matrix_lock:
            cached = self._matrices.get(model)
            if cached is None or cached[0] != state:
                ids, vectors, _ = self.catalog.vectors(model, dim)
                cached = self._matrices[model] = (state, ids, vectors)
        return cached

    def _score_phrases(self, records: Sequence[TagRecord], examples: dict) -> list[Scored]:
        out = [Scored(r, TEXT_MODEL) for r in records]
        if not records:
            return out
        ids, matrix = self._matrix(TEXT_MODEL)
        try:
            if not len(ids):
                raise LookalikeError("phrase tags need CLIP vectors of the photos; scan with the "
                                     f"{TEXT_MODEL} model present.")
            prototypes, background, scale = self._phrase_vectors(records, matrix.shape[1])
        except LookalikeError as exc:
            for s in out:
                s.problem, s.error = str(exc), exc
                count_labels(s, examples.get(s.record.id, []))
            return out
        scores = phrase.score_matrix(matrix, prototypes, background, scale)
        for j, s in enumerate(out):
            s.ids, s.scores = ids, scores[:, j]
            labelled = examples.get(s.record.id, [])
            count_labels(s, labelled)
            self._apply_labels(s, labelled)
            picked = self._label_rows(s, labelled)
            if s.record.cutoff is not None:
                s.cutoff, s.cutoff_source = s.record.cutoff, "set by you"
            elif len({label for _, label in picked}) == 2:
                rows, labels = zip(*picked)
                s.cutoff = cutoffs.best(s.scores[list(rows)], np.array(labels)).cutoff
                s.cutoff_source = "chosen from data (your corrections)"
            else:
                s.cutoff, s.cutoff_source = PHRASE_CUTOFF, "default"
        return out

    def _phrase_vectors(self, records, dim: int):
        """Each tag's phrase vectors, the neutral set's, and the logit scale: from the
        catalog's cache, embedding (and caching) what is missing with CLIP."""
        wanted = [p for r in records for p in r.phrases] + list(phrase.BACKGROUND)
        known = {p: v for p, v in self.store.phrase_vectors(TEXT_MODEL, wanted).items() if v.shape[0] == dim}
        scale = self.catalog.get_meta(f"logit_scale:{TEXT_MODEL}")
        missing = [p for p in dict.fromkeys(wanted) if p not in known]
        if missing or scale is None:
            clip = self.models.embedder(TEXT_MODEL)   # ModelUnavailable: the caller says so
            background = set(phrase.BACKGROUND)
            fresh = phrase.phrase_vectors(clip.embed_text, [p for p in missing if p not in background])
            if any(p in background for p in missing):
                fresh.update(zip(phrase.BACKGROUND, phrase.background_vectors(clip.embed_text)))
            self.store.put_phrase_vectors(TEXT_MODEL, fresh)
            self.catalog.set_meta(f"logit_scale:{TEXT_MODEL}", repr(clip.logit_scale))
            known.update(fresh)
            scale = clip.logit_scale
        prototypes = [np.stack([known[p] for p in r.phrases]) if r.phrases else np.zeros((0, dim), np.float32)
                      for r in records]
        return prototypes, np.stack([known[p] for p in phrase.BACKGROUND]), float(scale)

    def _score_examples(self, record: TagRecord, examples: dict, records) -> Scored:
        """Trains (or reuses, while nothing it depends on changed) an example tag's classifier."""
        model = self.models.resolve(None)
        state, ids, matrix = self._matrix_state(model)
        others = {r.id for r in records if r.kind == "example" and r.id != record.id}
        key = (record, model, state, tuple((e.content_hash, e.label) for e in examples.get(record.id, [])),
               tuple(sorted(e.content_hash for t in others for e in examples.get(t, []) if e.label == 1)))
        with self._matrix_lock:
            cached = self._trained.get(record.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        scored = self._train(record, examples, records, model, ids, matrix)
        with self._matrix_lock:
            self._trained[record.id] = (key, scored)
        return scored

    def _train(self, record, examples, records, model, ids, matrix) -> Scored:
        s = Scored(record, model)
        labelled = examples.get(record.id, [])
        count_labels(s, labelled)
        if not len(ids):
            s.problem = f"the library has no {model} vectors yet; scan first."
            s.error = LookalikeError(f"The tag {record.name!r} cannot be scored yet: {s.problem}")
            return s
        s.ids = ids
        self._apply_labels(s, labelled)
        vectors, labels, unlabeled = self._training_set(record, labelled, examples, records, ids, matrix, model)
        positives = int(sum(labels))
        if positives == 0:
            s.problem = f"none of its example photos has a {model} vector; scan them."
            s.error = LookalikeError(f"The tag {record.name!r} cannot be scored yet: {s.problem}")
            s.scores = np.zeros(len(ids), dtype=np.float32)
            return s
        X, y, unlabeled = np.stack(vectors), np.array(labels), np.array(unlabeled)
        negatives = len(y) - positives
        if positives >= 2 and negatives >= 2:
            folds = min(5, positives)
            taught = teach.train(X, y, unlabeled, folds)
            model, chosen = taught.model, taught.cutoff
            if positives >= MIN_EXAMPLES:
                e = teach.estimate(X, y, unlabeled, folds)
                s.quality = TagQuality(e.precision, e.recall, e.f1, e.average_precision, e.takes,
                                       positives, negatives, e.folds)
        else:
            model, chosen = classifier.fit(X, y), None
        s.scores = model.predict(matrix)
        if record.cutoff is not None:
            s.cutoff, s.cutoff_source = record.cutoff, "set by you"
        elif chosen is not None:
            s.cutoff, s.cutoff_source = chosen, "chosen from data (cross-validation)"
        else:
            s.cutoff, s.cutoff_source = 0.5, "default"
        return s

    def _training_set(self, record, labelled, examples, records, ids, matrix, model):
        """Vectors, labels, and which rows are unlabeled: the tag's own examples and corrections,
        the other example tags' examples as negatives, and a random background sample of the
        library taken as negatives (unlabeled: some of it may be the tag)."""
        row_of = {int(i): r for r, i in enumerate(ids)}
        by_hash = self._rows_by_hash([e.content_hash for es in examples.values() for e in es], row_of)
        vectors, labels, unlabeled, seen, used_rows = [], [], [], set(), set()

        def take(example: ExampleRecord, label: int) -> None:
            if example.content_hash in seen:
                return
            row = by_hash.get(example.content_hash)
            if row is not None:
                vectors.append(matrix[row])
                used_rows.add(row)
            elif example.model == model and example.vector is not None and \
                    example.vector.shape[0] == matrix.shape[1]:
                vectors.append(example.vector)
            else:
                return
            seen.add(example.content_hash)
            labels.append(label)
            unlabeled.append(False)

        for e in labelled:
            take(e, e.label)
        others = {r.id for r in records if r.kind == "example" and r.id != record.id}
        for tag_id, es in examples.items():
            if tag_id in others:
                for e in es:
                    if e.label == 1:
                        take(e, 0)
        free = np.array([r for r in range(len(ids)) if r not in used_rows], dtype=np.int64)
        rng = np.random.default_rng(zlib.crc32(record.name.encode("utf-8")))
        for row in rng.permutation(free)[:BACKGROUND_SAMPLE]:
            vectors.append(matrix[row])
            labels.append(0)
            unlabeled.append(True)
        return vectors, labels, unlabeled

    def _rows_by_hash(self, hashes, row_of: dict) -> dict[str, int]:
        out = {}
        for r in self.catalog.files_with_hashes(hashes):
            if r.id in row_of and r.content_hash not in out:
                out[r.content_hash] = row_of[r.id]
        return out

    def _apply_labels(self, s: Scored, labelled: Sequence[ExampleRecord]) -> None:
        """Every library file holding a labelled photo's bytes carries (or not) the tag."""
        hashes = {e.content_hash: e.label for e in labelled}
        for r in self.catalog.files_with_hashes(hashes):
            (s.manual_in if hashes[r.content_hash] == 1 else s.manual_out).add(r.id)

    def _label_rows(self, s: Scored, labelled) -> list[tuple[int, int]]:
        row_of = {int(i): r for r, i in enumerate(s.ids)}
        return [(row_of[fid], 1) for fid in s.manual_in if fid in row_of] + \
            [(row_of[fid], 0) for fid in s.manual_out if fid in row_of]

    def _labelled(self, paths: Sequence, label: int, origin: str, kind: str) -> list[dict]:
        """Photos given as examples or corrections, by content hash. A photo outside the
        library is embedded now with the model in use (example tags only)."""
        items = []
        for given in paths:
            real = os.path.realpath(os.path.expanduser(os.fspath(given)))
            record = self.catalog.file_by_path(real)
            if record is not None and record.content_hash:
                items.append({"content_hash": record.content_hash, "label": label, "origin": origin, "path": real})
                continue
            if kind == "phrase":
                raise LookalikeError(f"{os.fspath(given)} is not in the library; a phrase tag is "
                                     "corrected on the library's own photos.")
            if not os.path.isfile(real):
                raise LookalikeError(f"{os.fspath(given)} is not a file.")
            model = self.models.resolve(None)
            vector, _ = self.vector_for(real, self.models.embedder(model))
            items.append({"content_hash": content_hash(real), "label": label, "origin": origin,
                          "path": real, "model": model, "vector": vector})
        return items


def _valid_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name or name in (".", "..") or any(c in name for c in "/\\\0") or len(name) > _NAME_LIMIT:
        raise UsageError(f"A tag name is 1-{_NAME_LIMIT} characters without slashes (it names a "
                         "folder when photos are sorted).")
    return name
