"""A bounded, thread-safe cache that loads each key once: the process's loaded models.

Loaded models are the one thing every user of a server shares. Keys name what was loaded (a
folder, its modification time, the labels typed for zero-shot), so a long-running server sees
new keys all the time: retrained defaults, new label sets. The cache keeps the most recently used
``max_entries`` and drops the rest, so memory stays bounded however long the server runs.
Concurrent requests for a key that is loading wait for that one load instead of starting their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class _Flight:
    """A load in progress that other threads may wait for."""

    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


class BoundedCache:
    """Least-recently-used cache of at most ``max_entries`` values, each loaded once."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._loading: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, loader: Callable[[], T]) -> T:
        """The value for ``key``, running ``loader`` only if no one has it or is loading it."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            flight = self._loading.get(key)
            leader = flight is None
            if leader:
                flight = self._loading[key] = _Flight()
        assert flight is not None
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = loader()
        except BaseException as err:
            flight.error = err
            raise
        finally:
            with self._lock:
                del self._loading[key]
                if flight.error is None:
                    self._entries[key] = flight.value
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            flight.done.set()
        return flight.value

    def forget(self, match: Callable[[Hashable], bool] = lambda key: True) -> None:
        """Drop the entries whose key ``match`` accepts (all by default)."""
        with self._lock:
            for key in [k for k in self._entries if match(k)]:
                del self._entries[key]

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            return list(self._entries)

    def values(self) -> list[Any]:
        """What is loaded, from least to most recently used (reading it changes no order)."""
        with self._lock:
            return list(self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries
