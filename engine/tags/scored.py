"""A tag scored over the library: what every photo scored, the cut-off, and who said what.

Owns: the per-tag result parts/tags.py computes (scores over the photos with a vector of its
model, the cut-off and where it came from, the quality estimate, the photos you said are or
are not the tag) and which photos that makes carry the tag. Must not: compute scores.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from ..catalog.tags import ExampleRecord, TagRecord
from ..errors import LookalikeError
from ..results import TagInfo, TagQuality


@dataclass
class Scored:
    record: TagRecord
    model: Optional[str] = None
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    cutoff: Optional[float] = None
    cutoff_source: str = ""
    quality: Optional[TagQuality] = None
    problem: str = ""
    error: Optional[LookalikeError] = None         # what stops it scoring (raised by photos())
    manual_in: set = field(default_factory=set)    # file ids you said are the tag
    manual_out: set = field(default_factory=set)   # file ids you said are not
    examples: int = 0
    counterexamples: int = 0

    def members(self) -> np.ndarray:
        """Indexes into ids/scores of the photos that carry the tag."""
        if self.cutoff is None:
            return np.zeros(0, dtype=np.int64)
        taken = self.scores >= self.cutoff
        if self.manual_in or self.manual_out:
            taken |= np.isin(self.ids, list(self.manual_in))
            taken &= ~np.isin(self.ids, list(self.manual_out))
        return np.flatnonzero(taken)

    def info(self) -> TagInfo:
        r = self.record
        return TagInfo(r.name, r.kind, len(self.members()), r.phrases, self.examples, self.counterexamples,
                       self.cutoff, self.cutoff_source, self.model, self.quality, self.problem)


def count_labels(s: Scored, labelled: Sequence[ExampleRecord]) -> None:
    s.examples = sum(1 for e in labelled if e.label == 1)
    s.counterexamples = sum(1 for e in labelled if e.label == 0)
