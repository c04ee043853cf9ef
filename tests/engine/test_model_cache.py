"""The Library's loaded models: two threads asking for one model at once load it once, while
two different models load side by side."""
import threading
import time

from lookalike.engine import Library
from lookalike.engine.embedding import loader


def counting_loader(monkeypatch, delay=0.3):
    calls, active, peak = [], [0], [0]
    lock = threading.Lock()

    def slow_load(name, model_dir=None, device="cpu", precision="auto", on_progress=None, cancel=None):
        with lock:
            calls.append(name)
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(delay)
        with lock:
            active[0] -= 1
        return object()

    monkeypatch.setattr(loader, "load", slow_load)
    return calls, peak


def in_threads(target, *args):
    results = [None] * len(args)
    threads = [threading.Thread(target=lambda i=i, a=a: results.__setitem__(i, target(a)))
               for i, a in enumerate(args)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_two_threads_asking_for_the_same_model_at_once_load_it_once(tmp_path, monkeypatch):
    calls, _ = counting_loader(monkeypatch)
    with Library.open(tmp_path / "lib") as library:
        first, second = in_threads(lambda name: library.embedder(name, "cpu"), "dinov2-small", "dinov2-small")
        assert calls == ["dinov2-small"]
        assert first is second is library.embedder("dinov2-small", "cpu")


def test_two_different_models_load_side_by_side(tmp_path, monkeypatch):
    calls, peak = counting_loader(monkeypatch)
    with Library.open(tmp_path / "lib") as library:
        in_threads(lambda name: library.embedder(name, "cpu"), "dinov2-small", "clip-b32")
        assert sorted(calls) == ["clip-b32", "dinov2-small"] and peak[0] == 2
