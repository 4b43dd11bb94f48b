"""Answers already given, kept per process: a release never changes, so the same capped query of the
same release gets the same answer (the allow-list refuses functions with side effects, such as
``random()``). A least-recently-used cache bounded in bytes; ``sql_cache_mb = 0`` turns it off."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    body: bytes
    mimetype: str
    headers: dict


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: Answer) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 8:  # one answer never takes more than an eighth of the cache
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old.body)
