"""Exceptions → HTTP responses: JSON under ``/api`` and ``/healthz``, an HTML page elsewhere.

Only this package maps errors to status codes (conventions.md "Errors"):

=========================================================  ======
bad request options (:class:`UsageError`, ``ValueError``,    400
invalid input (:class:`ValidationError`), CRS problems)
unknown page, layer or file                                   404
(:class:`werkzeug.exceptions.NotFound`, raised by the views)
not logged in (:mod:`app.accounts`)                          401
a role that may not (:class:`AccessError`, ``Forbidden``)     403
someone else saved first (:class:`ConflictError`)             409
no project configured or the file is gone                     503
(:class:`ProjectNotFoundError`)
any other failure                                             500
=========================================================  ======
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kumuhgis.core.errors import (
    AccessError,
    ConflictError,
    CRSError,
    KumuhgisError,
    ProjectNotFoundError,
    UsageError,
    ValidationError,
)

__all__ = ["init_app", "status_for"]

log = logging.getLogger("kumuhgis.app")


def status_for(exc: BaseException) -> int:
    if isinstance(exc, HTTPException):
        return exc.code or 500
    if isinstance(exc, ProjectNotFoundError):
        return 503
    if isinstance(exc, AccessError):
        return 403
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, UsageError | ValidationError | CRSError):
        return 400
    return 500


# Werkzeug's own answers (no description given by a view) in Bahasa Indonesia too
_HTTP_ID = {
    400: "permintaan tidak sah",
    404: "tidak ditemukan",
    405: "metode tidak diizinkan",
    413: "permintaan terlalu besar",
    414: "alamat terlalu panjang",
    431: "kepala permintaan terlalu besar",
}


def _message(exc: BaseException, code: int) -> str:
    if isinstance(exc, HTTPException):
        if exc.description and exc.description != type(exc).description:
            return exc.description
        if code in _HTTP_ID:
            return f"{_HTTP_ID[code]} / {exc.name.lower()}: {request.path}"
        return exc.description or exc.name
    if isinstance(exc, KumuhgisError) or code < 500:
        return str(exc)
    return "kesalahan tak terduga di server / unexpected server error"


def _wants_json() -> bool:
    path = request.path
    return path.startswith("/api/") or path == "/api" or path == "/healthz"


def init_app(app: Flask) -> None:
    @app.errorhandler(Exception)
    def _handle(exc: BaseException):
        code = status_for(exc)
        if code >= 500:
            log.exception("error on %s", request.path)
        message = _message(exc, code)
        if _wants_json():
            body = {"error": message, "status": code, "type": type(exc).__name__}
            if isinstance(exc, ValidationError):
                body["problems"] = [p.as_dict() for p in exc.problems]
            return jsonify(body), code
        return render_template("error.html", code=code, message=message), code
