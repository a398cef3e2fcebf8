"""The bounded model cache: least recently used dropped, one load per key, memory that stays put."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest

from models.classify.ngram import fit_ngram
from models.classify.predict import classify
from models.core.cache import BoundedCache
from models.sources.formats import write_meta
from models.sources.loading import model_cache
from models.sources.task_models import set_trained_model


class Loaded:
    """A stand-in for a model: something a weak reference can watch."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_the_least_recently_used_entry_goes_first():
    cache = BoundedCache(max_entries=2)
    a = cache.get_or_load("a", lambda: Loaded("a"))
    cache.get_or_load("b", lambda: Loaded("b"))
    assert cache.get_or_load("a", lambda: Loaded("a again")) is a  # a is now the most recent
    cache.get_or_load("c", lambda: Loaded("c"))
    assert cache.keys() == ["a", "c"]  # b, the least recently used, was dropped
    assert cache.get_or_load("b", lambda: Loaded("b again")).name == "b again"


def test_concurrent_requests_share_one_load():
    cache = BoundedCache(max_entries=4)
    calls = []

    def slow() -> Loaded:
        calls.append(1)
        time.sleep(0.2)
        return Loaded("slow")

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_load("k", slow)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 5
    assert all(r is results[0] for r in results)


def test_a_failed_load_is_not_kept_and_its_waiters_get_the_error():
    cache = BoundedCache(max_entries=4)
    started = threading.Event()

    def failing() -> Loaded:
        started.set()
        time.sleep(0.1)
        raise OSError("disk gone")

    errors = []

    def wait_for_it() -> None:
        started.wait()
        try:
            cache.get_or_load("k", failing)
        except OSError as err:
            errors.append(str(err))

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    with pytest.raises(OSError, match="disk gone"):
        cache.get_or_load("k", failing)
    waiter.join()
    assert errors == ["disk gone"]
    assert "k" not in cache
    assert cache.get_or_load("k", lambda: Loaded("fine")).name == "fine"  # tried again


def test_a_bound_below_one_is_refused():
    with pytest.raises(ValueError):
        BoundedCache(max_entries=0)


def _train_ngram_run(folder) -> None:
    """What `--default-for` leaves behind, in miniature: a saved n-gram model and its record."""
    texts = ["정말 재밌다", "최고의 영화", "지루하다", "최악이다"] * 3
    labels = ["positive", "positive", "negative", "negative"] * 3
    model = fit_ngram(texts, ["negative", "positive"], labels)
    model.save(folder)
    write_meta(folder, {**model.meta(), "format": "ngram", "task": "sentiment"})


def test_retraining_a_default_many_times_keeps_memory_bounded(isolated_settings):
    """A long-running server retrains defaults; every new folder is a new cache key."""
    cache = model_cache()
    cache.forget()
    first_models = []
    for i in range(3 * cache.max_entries):
        folder = isolated_settings.runs_dir / f"run-{i}" / "ngram"
        _train_ngram_run(folder)
        set_trained_model("sentiment-ko", folder, isolated_settings)
        prediction = classify("sentiment", "정말 재밌는 영화")
        assert prediction.model == str(folder)  # the new default serves at once
        if i < 3:
            first_models.extend(weakref.ref(value) for value in cache.values())
        assert len(cache) <= cache.max_entries
    gc.collect()
    assert first_models and all(ref() is None for ref in first_models)  # freed, not kept
    cache.forget()
