"""Regrouping a flat cluster (hundreds of look-alikes) checks a bounded number of pairs, shows
progress, and stops when cancelled, keeping the verdicts it reached."""
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


@pytest.fixture()
def checks(monkeypatch):
    """Every geometric check the regroup runs; each says "copy" (after done.delay seconds)."""
    done = Checks()

    class Verifier:
        def check(self, a, b):
            time.sleep(done.delay)
            done.append((a, b))
            return SimpleNamespace(kind="copy", aligned=0.9)

    import lookalike.engine.dedup.verify as verify

    monkeypatch.setattr(verify, "Verifier", Verifier)
    return done


def flat_cluster(n):
    """n look-alike files, every pair scoring between the near threshold and SURE."""
    records = {i: SimpleNamespace(content_hash=f"{i:08x}", path=f"/p/{i}.jpg") for i in range(n)}
    pairs = [(a, b, 0.6 + 0.3 * ((a * 7919 + b * 104729) % 1000) / 1000) for a in range(n) for b in range(a + 1, n)]
    return records, pairs


def test_a_file_with_hundreds_of_look_alikes_has_only_its_closest_neighbours_checked(checks):
    records, pairs = flat_cluster(300)
    out = pair_checking.verified(Catalog(), records, pairs, near=0.5)
    assert len(checks) <= 300 * pair_checking.NEIGHBOURS < len(pairs)
    checked = {(f"/p/{a}.jpg", f"/p/{b}.jpg") for a, b, _ in pairs} & set(checks)
    near = {(a, b) for a, b, s in out if s >= 0.5}
    # Only verified pairs stay near; every other look-alike pair drops to the similar tier.
    assert {(f"/p/{a}.jpg", f"/p/{b}.jpg") for a, b in near} == checked
    assert len(out) == len(pairs)


def test_the_closest_pair_of_a_flat_cluster_is_still_verified_as_near(checks):
    records, pairs = flat_cluster(200)
    pairs.append((5, 150, 0.96))   # a real copy inside the cluster: the closest of all
    pairs = [p for p in pairs if (p[0], p[1]) != (5, 150) or p[2] == 0.96]
    out = pair_checking.verified(Catalog(), records, pairs, near=0.5)
    assert ("/p/5.jpg", "/p/150.jpg") in checks
    assert dict(((a, b), s) for a, b, s in out)[(5, 150)] == 0.96


def test_verifying_reports_progress_and_stops_when_cancelled_keeping_what_it_checked(checks):
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
    checks.delay, before = 0.0, len(checks)
    pair_checking.verified(catalog, records, pairs, near=0.5)
    assert len(checks) - before == total - before   # the next regroup checks only the rest
