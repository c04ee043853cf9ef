"""Regrouping checks a bounded number of pairs: a flat cluster (hundreds of look-alike but
different pictures) stops early, a family of copies needs one check per copy; checks show
progress and stop when cancelled, keeping the verdicts they reached."""
import time
from types import SimpleNamespace

import pytest

from lookalike.engine.dedup import checks as pair_checking
from lookalike.engine.jobs import CancelToken, JobCancelled


class Catalog:
    def __init__(self):
        self.cached = {}

    def pair_checks(self, keys):
        return {k: self.cached[k] for k in keys if k in self.cached}

    def put_pair_checks(self, items):
        for a, b, verdict, aligned in items:
            self.cached[(a, b)] = (verdict, aligned)


class Checks(list):
    delay = 0.0
    kind = "copy"


@pytest.fixture()
def checks(monkeypatch):
    """Every geometric check the regroup runs; each says done.kind (after done.delay seconds)."""
    done = Checks()

    class Verifier:
        def check(self, a, b):
            time.sleep(done.delay)
            done.append((a, b))
            return SimpleNamespace(kind=done.kind, aligned=0.9 if done.kind == "copy" else 0.1)

    import lookalike.engine.dedup.verify as verify

    monkeypatch.setattr(verify, "Verifier", Verifier)
    return done


def flat_cluster(n):
    """n look-alike files, every pair scoring between the near threshold and SURE."""
    records = {i: SimpleNamespace(content_hash=f"{i:08x}", path=f"/p/{i}.jpg") for i in range(n)}
    pairs = [(a, b, 0.6 + 0.3 * ((a * 7919 + b * 104729) % 1000) / 1000) for a in range(n) for b in range(a + 1, n)]
    return records, pairs


def test_a_flat_cluster_of_different_pictures_stops_after_each_has_its_share_of_checks(checks):
    checks.kind = "different"
    records, pairs = flat_cluster(300)
    out = pair_checking.verified(Catalog(), records, pairs, near=0.5)
    assert len(checks) <= 300 * pair_checking.NEIGHBOURS // 2 < len(pairs)
    assert len(set(checks)) == len(checks)                 # no pair checked twice
    assert [s for _, _, s in out if s >= 0.5] == [] and len(out) == len(pairs)


def test_a_family_of_thirty_copies_is_found_whole_with_one_check_per_copy(checks):
    records, _ = flat_cluster(30)
    # The original (0) is closer to each edit than the edits are to each other.
    pairs = [(0, i, 0.9) for i in range(1, 30)] + [(a, b, 0.6) for a in range(1, 30) for b in range(a + 1, 30)]
    out = pair_checking.verified(Catalog(), records, pairs, near=0.5)
    assert len(checks) == 29                               # the rest follow from the copies
    assert all(s >= 0.5 for _, _, s in out) and len(out) == len(pairs) == 435


def test_copies_of_copies_never_drift_into_a_match(monkeypatch):
    """a~b, b~c and c~d are copies, but a and d differ: only a direct check may say so."""
    import lookalike.engine.dedup.verify as verify

    differ = {("/p/0.jpg", "/p/3.jpg")}
    checked = []

    class Verifier:
        def check(self, a, b):
            checked.append((a, b))
            return SimpleNamespace(kind="different" if (a, b) in differ else "copy", aligned=0.6)

    monkeypatch.setattr(verify, "Verifier", Verifier)
    records, _ = flat_cluster(4)
    pairs = [(0, 1, 0.9), (1, 2, 0.89), (2, 3, 0.88), (0, 2, 0.7), (1, 3, 0.69), (0, 3, 0.6)]
    out = dict(((a, b), s) for a, b, s in pair_checking.verified(Catalog(), records, pairs, near=0.5))
    assert ("/p/0.jpg", "/p/3.jpg") in checked and out[(0, 3)] < 0.5
    assert out[(0, 2)] == 0.7 and out[(1, 3)] == 0.69     # one step apart: inferred, not checked
    assert len(checked) == 4


def test_the_closest_pair_of_a_flat_cluster_is_still_verified_as_near(checks):
    records, pairs = flat_cluster(200)
    pairs.append((5, 150, 0.96))   # a real copy inside the cluster: the closest of all
    pairs = [p for p in pairs if (p[0], p[1]) != (5, 150) or p[2] == 0.96]
    out = pair_checking.verified(Catalog(), records, pairs, near=0.5)
    assert ("/p/5.jpg", "/p/150.jpg") in checks
    assert dict(((a, b), s) for a, b, s in out)[(5, 150)] == 0.96


def test_verifying_reports_progress_and_stops_when_cancelled_keeping_what_it_checked(checks):
    checks.kind = "different"
    records, pairs = flat_cluster(60)
    catalog, cancel, seen = Catalog(), CancelToken(), []

    def on_progress(p):
        seen.append(p)
        if p.phase == "verifying" and p.done >= 100:
            cancel.cancel()

    checks.delay = 0.002
    with pytest.raises(JobCancelled):
        pair_checking.verified(catalog, records, pairs, near=0.5, on_progress=on_progress, cancel=cancel)
    total = seen[0].total
    assert seen[0].phase == "verifying" and 100 <= len(checks) < total
    assert len(catalog.cached) == len(checks)   # verdicts reached before the cancel are kept
    checks.delay, before = 0.0, list(checks)
    pair_checking.verified(catalog, records, pairs, near=0.5)
    assert not set(checks[len(before):]) & set(before)   # the next regroup checks only the rest
