"""The FAISS index is derived data: saved atomically, caught up or rebuilt from the catalog."""
import numpy as np
import pytest

from lookalike.engine.catalog.store import Catalog
from lookalike.engine.index import pairs, sync, vectors
from lookalike.engine.index.sync import index_path, synced_index


def unit(n, dim=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture()
def catalog(library_dir):
    c = Catalog(library_dir)
    folder = c.add_folder("/p")
    c.insert_files([{"folder_id": folder.id, "path": f"/p/{i}.jpg", "size": 1, "mtime_ns": 1,
                     "content_hash": f"h{i}", "error": None} for i in range(40)])
    yield c
    c.close()


def put(catalog, ids, seed=0):
    catalog.put_embeddings("m", list(zip(ids, unit(len(ids), seed=seed))))


def test_a_built_index_finds_each_vector_as_its_own_best_match(catalog, library_dir):
    put(catalog, range(1, 21))
    index = synced_index(catalog, library_dir, "m", 16)
    ids, stored = catalog.vectors("m", 16)[:2]
    scores, found = index.search(stored, 1)
    assert (found[:, 0] == ids).all() and np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_new_vectors_are_added_without_a_rebuild(catalog, library_dir, monkeypatch):
    put(catalog, range(1, 11))
    first = synced_index(catalog, library_dir, "m", 16)
    put(catalog, range(11, 16), seed=1)
    monkeypatch.setattr(sync, "VectorIndex", None)  # a rebuild would fail loudly
    caught_up = synced_index(catalog, library_dir, "m", 16, cached=first)
    assert caught_up.count == 15 and set(caught_up.ids()) == set(range(1, 16))


def test_a_small_catch_up_is_written_later_and_a_reopen_catches_up_again(catalog, library_dir):
    put(catalog, range(1, 11))
    first = synced_index(catalog, library_dir, "m", 16)
    path = index_path(library_dir, "m")
    on_disk = path.read_bytes()
    put(catalog, range(11, 16), seed=1)
    caught_up = synced_index(catalog, library_dir, "m", 16, cached=first)
    assert caught_up.count == 15 and path.read_bytes() == on_disk   # not rewritten for 5 vectors
    assert synced_index(catalog, library_dir, "m", 16).count == 15   # as after a crash: from the catalog
    assert sync.save_if_unsaved(caught_up, library_dir)
    assert vectors.VectorIndex.load(path).count == 15
    assert not sync.save_if_unsaved(caught_up, library_dir)


def test_removed_or_replaced_vectors_force_a_rebuild(catalog, library_dir):
    put(catalog, range(1, 11))
    synced_index(catalog, library_dir, "m", 16)
    catalog.delete_files([3])
    put(catalog, [4], seed=9)
    index = synced_index(catalog, library_dir, "m", 16)
    assert index.count == 9 and 3 not in set(index.ids())
    stored = catalog.embedding(4, "m")
    assert np.allclose(index.vectors_of(np.array([4]))[0], stored)


def test_a_corrupt_or_missing_index_file_is_rebuilt_from_the_catalog(catalog, library_dir):
    put(catalog, range(1, 11))
    synced_index(catalog, library_dir, "m", 16)
    path = index_path(library_dir, "m")
    path.write_bytes(path.read_bytes()[:50])
    assert vectors.VectorIndex.load(path) is None
    assert synced_index(catalog, library_dir, "m", 16).count == 10
    path.unlink()
    assert synced_index(catalog, library_dir, "m", 16).count == 10
    assert vectors.VectorIndex.load(path).count == 10


def test_large_libraries_switch_to_ivf_and_still_find_close_pairs(catalog, library_dir, monkeypatch):
    monkeypatch.setattr(vectors, "IVF_MIN", 10)
    monkeypatch.setattr(sync, "IVF_MIN", 10)
    base = unit(20, seed=3)
    near = base[:5] + 0.02 * unit(5, seed=4)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    catalog.put_embeddings("m", list(zip(range(1, 26), np.vstack([base, near]))))
    index = synced_index(catalog, library_dir, "m", 16)
    assert index.kind == "ivf"
    found = {(a, b) for a, b, _ in index.pairs(0.95)}
    assert found == {(i, 20 + i) for i in range(1, 6)}
    reloaded = vectors.VectorIndex.load(index_path(library_dir, "m"))
    assert reloaded.kind == "ivf" and reloaded.count == 25
    assert {(a, b) for a, b, _ in reloaded.pairs(0.95)} == found
    scores, ids = reloaded.search(near[:1], 1)
    assert ids[0][0] == 21


def changed_since(catalog, cache):
    ids, vecs, _ = catalog.vectors("m", 16, after_seq=cache.max_seq)
    return ids, vecs


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_pairs_brought_up_to_date_match_a_fresh_all_pairs_pass(catalog, library_dir, monkeypatch, kind):
    if kind == "ivf":
        monkeypatch.setattr(vectors, "IVF_MIN", 10)
        monkeypatch.setattr(sync, "IVF_MIN", 10)
    monkeypatch.setattr(pairs, "REBUILD_SHARE", 1.0)  # always the incremental path here
    def close(v, seed):
        w = v + 0.05 * unit(1, seed=seed)[0]
        return w / np.linalg.norm(w)

    base = unit(30, seed=5)
    base[4], base[10] = close(base[3], 10), close(base[9], 11)   # 4~5 and 10~11 to begin with
    catalog.put_embeddings("m", list(zip(range(1, 31), base)))
    index = synced_index(catalog, library_dir, "m", 16)
    cache = pairs.PairCache.build(index, 0.8)
    assert index.kind == kind and cache.current(index)
    assert {(4, 5), (10, 11)} <= {(a, b) for a, b, _ in cache.pairs()}

    catalog.put_embeddings("m", [(31, close(base[0], 6)), (32, close(base[0], 7)),   # two new copies of 1
                                 (33, close(base[9], 8)),                            # a copy of 10
                                 (4, close(base[19], 9))])                           # 4 now looks like 20
    catalog.delete_files([10])
    index = synced_index(catalog, library_dir, "m", 16)
    assert not cache.current(index)
    updated = cache.updated(index, *changed_since(catalog, cache))
    fresh = pairs.PairCache.build(index, 0.8)
    assert [(a, b) for a, b, _ in updated.pairs()] == [(a, b) for a, b, _ in fresh.pairs()]
    assert np.allclose([s for *_, s in updated.pairs()], [s for *_, s in fresh.pairs()], atol=1e-5)
    found = {(a, b) for a, b, _ in updated.pairs()}
    assert {(1, 31), (1, 32), (31, 32), (4, 20)} <= found
    assert (4, 5) not in found and not any(10 in p for p in found) and updated.current(index)


def test_an_exhaustive_query_finds_every_pair_an_ivf_probe_can_miss(catalog, library_dir, monkeypatch):
    monkeypatch.setattr(vectors, "IVF_MIN", 10)
    monkeypatch.setattr(sync, "IVF_MIN", 10)
    monkeypatch.setattr(vectors, "PROBES_PAIRS", 1)
    stored = unit(40, seed=12)
    catalog.put_embeddings("m", list(zip(range(1, 41), stored)))
    index = synced_index(catalog, library_dir, "m", 16)
    queries = unit(5, seed=13)
    qids = np.arange(101, 106)
    scores = queries @ stored.T   # stored ids are 1..40, below every query id
    expected = {(j + 1, int(qids[i])) for i in range(5) for j in range(40) if scores[i, j] >= 0.3}
    a, b, _ = index.pairs_of(qids, queries, 0.3, exhaustive=True)
    assert set(zip(a.tolist(), b.tolist())) == expected
    a, b, _ = index.pairs_of(qids, queries, 0.3)
    assert len(a) < len(expected)   # one list probed: the approximate query misses some


def test_cached_pairs_answer_a_stricter_threshold_and_a_looser_one_needs_a_new_pass(catalog, library_dir):
    base = unit(20, seed=1)
    near = base[:3] + 0.3 * unit(3, seed=2)
    catalog.put_embeddings("m", list(zip(range(1, 24), np.vstack([base, near / np.linalg.norm(near, axis=1, keepdims=True)]))))
    index = synced_index(catalog, library_dir, "m", 16)
    cache = pairs.PairCache.build(index, 0.5)
    strict = {(a, b) for a, b, _ in cache.pairs(0.9)}
    assert strict == {(a, b) for a, b, _ in index.pairs(0.9)}
    assert cache.usable_for(index, 0.9) and not cache.usable_for(index, 0.4)


def test_a_pair_exactly_at_the_threshold_counts_however_the_pairs_were_found(catalog, library_dir):
    # pHash-like scores land exactly on thresholds: 0.5 is Hamming distance 16 of 64.
    vecs = np.zeros((3, 16), dtype=np.float32)
    vecs[0, 0] = 1.0
    vecs[1, 0], vecs[1, 1] = 0.5, np.sqrt(0.75)
    vecs[2, 2] = 1.0
    catalog.put_embeddings("m", list(zip([1, 2, 3], vecs)))
    index = synced_index(catalog, library_dir, "m", 16)
    assert [(a, b) for a, b, _ in index.pairs(0.5)] == [(1, 2)]
    assert pairs.PairCache.build(index, 0.4).pairs(0.5) == pairs.PairCache.build(index, 0.5).pairs(0.5)
