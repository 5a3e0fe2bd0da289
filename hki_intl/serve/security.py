"""What keeps the submission page safe, apart from the pages themselves: the headers every
response carries, the CSRF secret of every form, the check of where a form was sent from, the
server's own key, the bounded reading of an upload and the rate limit on uploads.

The secret links put their token in the URL, so no page may leak it: ``Referrer-Policy:
no-referrer``, no framing, no script but our own files, and ``Cache-Control: no-store`` on every
page (only ``/static/`` may be cached). A form's CSRF value is derived from the link's token (or
the signed-in user's name) with HMAC under a key the server keeps in ``DIR/.serve/``, so it needs
no session and survives restarts; it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KEY_FILE = "server.key"
KEY_BYTES = 32

# Our own pages: nothing but our own files, no framing, forms only to ourselves.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# A draft report's own pages carry their scripts and styles inline (one self-contained file, as
# leadership reads it): they may run, in a sandbox of their own origin, reaching nothing outside.
# 'unsafe-eval': Vega compiles its charts' expressions; without it every chart of the example's
# draft stayed static in Chromium (data-interactive="failed"), with it all 9 became interactive.
REPORT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
    "sandbox allow-scripts allow-downloads"
)
HEADERS = {
    "content-security-policy": PAGE_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
STATIC_PREFIX = "/static/"


def security_headers(static: bool = False) -> dict[str, str]:
    """The headers of every response (``no-cache`` for the static files, ``no-store`` for the rest)."""
    return {**HEADERS, "cache-control": "no-cache" if static else "no-store"}


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (a response that sets its own
    policy, a draft report's, keeps it), and ``no-store`` on everything but the static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(static).items():
                    if name not in headers or name == "cache-control":
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def server_key(serve_dir: Path) -> bytes:
    """The server's secret key, ``DIR/.serve/server.key``: made once (readable by its owner
    only), then read. Two servers starting at once agree: only one can create the file."""
    path = Path(serve_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise ValueError(f"{path}: not a key this server wrote ({len(key)} bytes)") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def csrf_value(key: bytes, principal: str) -> str:
    """The hidden ``csrf`` value of every form of one link (its token) or one signed-in user."""
    return hmac.new(key, b"csrf\0" + principal.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_matches(key: bytes, principal: str, given: object) -> bool:
    """Whether a form's ``csrf`` value is the one for this principal; in constant time."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(csrf_value(key, principal).encode(), given.encode("utf-8", "replace"))


def same_origin(headers: Headers) -> bool:
    """A form sent from another site is refused: the host of ``Origin`` (or, without it, of
    ``Referer``) must be the host the request was sent to. Neither header: allowed (the CSRF
    value decides; our pages send no referrer, and old browsers send no origin). ``Origin: null``
    says nothing: it is what a browser sends for every form of a page under ``Referrer-Policy:
    no-referrer`` (Chromium does, for our own forms), so the Referer, if any, decides, then the CSRF value."""
    host = headers.get("host", "")
    for name in ("origin", "referer"):
        value = headers.get(name)
        if value is None or value == "null":
            continue
        return urlsplit(value).netloc.lower() == host.lower()
    return True


class TooLarge(Exception):
    """The request's body is larger than allowed (refused before it is read to its end)."""


async def bounded(chunks: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks as they arrive, stopped with :class:`TooLarge` as soon as more than
    ``limit`` bytes have come (a client may lie about its ``Content-Length``, or send none)."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise TooLarge
        yield chunk


class RateLimit:
    """At most ``count`` events per ``period`` seconds per key (a link's uploads): a sliding
    window of the times of the last events. Thread-safe; the clock can be given for tests."""

    def __init__(self, count: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count, self.period, self.clock = count, period, clock
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Record an event for ``key`` and return 0; or, when the key has used its allowance,
        record nothing and return the seconds until the next event is allowed."""
        now = self.clock()
        with self._lock:
            times = self._times.setdefault(key, deque())
            while times and times[0] <= now - self.period:
                times.popleft()
            if len(times) >= self.count:
                return times[0] + self.period - now
            times.append(now)
            return 0.0
