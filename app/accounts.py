"""Logins, roles and the safety of every state-changing request (issue 15 "Server mode").

The one module through which the pages reach users and roles (an import contract):

* sessions with Flask-Login; the users are the project's (:mod:`kumuhgis.store.users`),
  read once per project version; a session remembers the name and a token of the
  password hash, so a changed password or a removed user ends it;
* CSRF on every POST/PUT/PATCH/DELETE (Flask-WTF's ``CSRFProtect``; forms carry
  ``csrf_token()``);
* login rate limiting: :data:`LOGIN_FAILURES` failures per name and address within
  :data:`LOGIN_WINDOW_S` seconds lock that pair out until the window has passed;
* cookies: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the request came over https
  (or always with ``SESSION_COOKIE_SECURE``); the signing key is ``SECRET_KEY`` (config
  or ``KUMUHGIS_SECRET_KEY``), else the project's own (made on first use and kept in its
  meta, :func:`kumuhgis.store.users.session_secret`), never in the repository;
* roles (:mod:`kumuhgis.core.roles`): :func:`require` guards a view;
* anonymous reading: ``ANONYMOUS_READ`` (config), else the project setting
  ``baca_tanpa_login``, else on for a GeoPackage and off for a database. When off, every
  page but the login page, ``/healthz`` and the static files needs a login.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden, TooManyRequests

from kumuhgis.core.roles import ROLE_LABELS, allows, limited_to_kelurahan, upload_layers

from .state import project

__all__ = [
    "LOGIN_FAILURES",
    "LOGIN_WINDOW_S",
    "PUBLIC_ENDPOINTS",
    "WebUser",
    "anonymous_read",
    "current_user",
    "init_app",
    "log_in",
    "log_out",
    "project_secret",
    "require",
    "safe_next",
]

LOGIN_FAILURES = 5
LOGIN_WINDOW_S = 15 * 60
#: Endpoints anyone may open even when anonymous reading is off.
PUBLIC_ENDPOINTS = frozenset({"masuk.login", "health.healthz", "static"})
_ANON_SETTING = "baca_tanpa_login"


class WebUser(UserMixin):
    """A logged-in user of the web app (a :class:`kumuhgis.store.users.User`)."""

    def __init__(self, user):
        self.user = user

    def get_id(self) -> str:
        return self.user.session_id

    @property
    def nama(self) -> str:
        return self.user.nama

    @property
    def peran(self) -> str:
        return self.user.peran

    @property
    def kelurahan(self) -> tuple[str, ...]:
        return self.user.kelurahan

    def can(self, action: str) -> bool:
        return allows(self.peran, action)

    def label(self, lang: str) -> str:
        return ROLE_LABELS[self.peran][1 if lang == "en" else 0]

    @property
    def by_kelurahan(self) -> bool:
        return limited_to_kelurahan(self.peran)

    def upload_layers(self) -> list[str]:
        return upload_layers(self.peran)


def _users() -> dict:
    from kumuhgis.store.users import list_users

    p = project()
    return p.cached(("pengguna",), lambda: {u.nama: u for u in list_users(p.store())})


def _load_user(session_id: str) -> WebUser | None:
    name, _, token = str(session_id).rpartition(":")
    user = _users().get(name)
    return WebUser(user) if user is not None and user.token == token else None


# -- login rate limiting --------------------------------------------------------------
class _Limiter:
    """Failed logins per (name, address) within a sliding window, in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque] = defaultdict(deque)

    def _recent(self, key, now: float) -> deque:
        window = current_app.config["LOGIN_WINDOW_S"]
        times = self._failures[key]
        while times and now - times[0] > window:
            times.popleft()
        return times

    def blocked(self, key) -> bool:
        with self._lock:
            limit = current_app.config["LOGIN_FAILURES"]
            return len(self._recent(key, time.monotonic())) >= limit

    def fail(self, key) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)

    def forget(self, key) -> None:
        with self._lock:
            self._failures.pop(key, None)


def _limiter() -> _Limiter:
    return current_app.extensions["kumuhgis_login_limiter"]


def log_in(name: str, password: str) -> WebUser | None:
    """Check a login (rate limited per name and address) and open its session; ``None``
    when the name or password is wrong.

    Raises
    ------
    TooManyRequests
        Too many failures for this name from this address within the window (HTTP 429).
    """
    from flask import session

    from kumuhgis.store.users import check_password

    key = (str(name).strip().lower(), request.remote_addr or "")
    limiter = _limiter()
    if limiter.blocked(key):
        minutes = current_app.config["LOGIN_WINDOW_S"] // 60
        raise TooManyRequests(
            description=f"Terlalu banyak percobaan gagal; coba lagi dalam {minutes} menit / "
            f"too many failed attempts; try again within {minutes} minutes"
        )
    user = check_password(project().store(), str(name).strip(), password)
    if user is None:
        limiter.fail(key)
        return None
    limiter.forget(key)
    session.clear()  # no session fixation: a fresh session (and CSRF token) for the login
    web = WebUser(user)
    login_user(web)
    return web


def log_out() -> None:
    from flask import session

    logout_user()
    session.clear()


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site, else the map."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("peta.peta")


# -- roles ----------------------------------------------------------------------------
def _wants_json() -> bool:
    return request.path.startswith(("/api", "/ogc")) or request.path == "/healthz"


def _unauthorized():
    if _wants_json():
        body = {
            "error": "Perlu masuk (login) / login required",
            "status": 401,
            "type": "Unauthorized",
        }
        return jsonify(body), 401
    if request.method == "GET":
        return redirect(url_for("masuk.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("masuk.login")), 303


def require(action: str):
    """Guard a view: a logged-in user whose role allows ``action``
    (:func:`kumuhgis.core.roles.allows`); else a login (401/redirect) or 403."""
    allows(None, action)  # an unknown action is a programming error, found at import

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return _unauthorized()
            if not current_user.can(action):
                raise Forbidden(
                    description=f"Peran {current_user.peran} tidak boleh melakukan ini / "
                    f"role {current_user.peran} may not do this ({action})"
                )
            return view(*args, **kwargs)

        guarded.kumuhgis_action = action
        return guarded

    return decorate


def anonymous_read() -> bool:
    """Whether pages may be read without a login (see the module docstring)."""
    configured = current_app.config.get("ANONYMOUS_READ")
    if configured is not None:
        return bool(configured)
    p = project()
    if p.store_path is None:
        return True
    setting = p.snapshot().settings.get(_ANON_SETTING)
    if setting is not None:
        return bool(setting)
    return isinstance(p.store_path, Path)


def _guard_reading():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if current_user.is_authenticated or anonymous_read():
        return None
    return _unauthorized()


# -- session key and cookies --------------------------------------------------------
def project_secret(app: Flask) -> str:
    """The project's session key (:func:`kumuhgis.store.users.session_secret`)."""
    from kumuhgis.store.users import session_secret

    with app.app_context():
        return session_secret(project().store())


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions that need the key only when there is a session: a reader
    who never logs in costs the project no write."""

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.config.setdefault("LOGIN_FAILURES", LOGIN_FAILURES)
    app.config.setdefault("LOGIN_WINDOW_S", LOGIN_WINDOW_S)
    app.config.setdefault("ANONYMOUS_READ", None)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = _SessionInterface()
    app.extensions["kumuhgis_login_limiter"] = _Limiter()

    manager = LoginManager(app)
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    CSRFProtect(app)
    app.before_request(_guard_reading)

    @app.context_processor
    def _inject():
        return {"current_user": current_user, "anonymous_read": anonymous_read}
