"""The JSON API's answers kept per version of the map data (issue 15 load: 50 clients).

A ``GET`` under ``/api/`` (not the file downloads of ``/api/data``) answered ``200`` is
kept, keyed by the map data's version, the path with its query and the page language, and
answered again from memory until the project changes. The answers depend on nothing else
(no user, no session), so every client shares them; the guard of :mod:`app.accounts`
runs before, so a reader who may not read gets no kept answer either. While one request
computes an answer, the others asking the same wait for it rather than computing it too.
"""

from __future__ import annotations

import threading

from flask import Flask, Response, g, request

from .i18n import current_lang
from .state import project

__all__ = ["init_app"]

_MAX_ENTRIES = 2048
_MAX_BYTES = 2 * 1024 * 1024
_WAIT_S = 120


def _cacheable() -> bool:
    return (
        request.method == "GET"
        and request.path.startswith("/api/")
        and not request.path.startswith("/api/data")
    )


class _Answers:
    def __init__(self):
        self._lock = threading.Lock()
        self._kept: dict[tuple, tuple[bytes, int, dict]] = {}

        self._building: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple):
        with self._lock:
            return self._kept.get(key)

    def building(self, key: tuple) -> threading.Lock:
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def done(self, key: tuple) -> None:
        with self._lock:
            self._building.pop(key, None)

    def put(self, key: tuple, value) -> None:
        with self._lock:
            if len(self._kept) >= _MAX_ENTRIES:
                self._kept.clear()
            self._kept[key] = value


def init_app(app: Flask) -> None:
    answers = _Answers()

    @app.before_request
    def _answer_from_memory():
        if not _cacheable():
            return None
        key = (project().map_data().version_key, request.full_path, current_lang())
        kept = answers.get(key)
        if kept is None:
            lock = answers.building(key)
            if lock.acquire(timeout=_WAIT_S):
                g.kg_answer_lock = (key, lock)
            kept = answers.get(key)  # computed by the request this one waited for
            if kept is None:
                g.kg_answer_key = key
                return None
        body, status, headers = kept
        return Response(body, status=status, headers=headers).make_conditional(request)

    @app.after_request
    def _keep_answer(response):
        key = g.pop("kg_answer_key", None)
        if (
            key is not None
            and response.status_code == 200
            and not response.direct_passthrough
            and response.mimetype in ("application/json", "application/geo+json")
        ):
            body = response.get_data()
            if len(body) <= _MAX_BYTES:
                headers = [(k, v) for k, v in response.headers
                           if k.lower() not in ("set-cookie", "content-length")]  # fmt: skip
                answers.put(key, (body, 200, headers))
        return response

    @app.teardown_request
    def _release(_exc=None):
        held = g.pop("kg_answer_lock", None)
        if held is not None:
            key, lock = held
            answers.done(key)
            lock.release()
