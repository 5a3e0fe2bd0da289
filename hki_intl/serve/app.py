"""The submission page (``pipeline.py serve``): a Starlette app where each organisation's
contributor uploads its workbook through its own secret link and sees every problem at once, and
the analyst follows every organisation, accepts a submitted version into the inputs folder and
builds a draft report.

The app only shows and routes: the store (:mod:`hki_intl.serve.store`) keeps the versions, the
links and the audit log; the checker (:mod:`hki_intl.serve.checking`) checks an upload in its own
worker processes; the draft builder (:mod:`hki_intl.serve.drafts`) runs the pipeline in the
background; :mod:`hki_intl.serve.security` holds the headers, the CSRF values, the upload's size
bound and the rate limit. Every word on the pages comes from ``params/messages.yaml`` (keys
``serve.*``) in the page's language, ``?lang=fi|sv|en`` (Finnish by default), kept by every link.

A token that is unknown or revoked, an organisation the link is not for, a version that does not
exist: all the same neutral 404 page, so nothing says whether something exists.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import anyio
import jinja2
from anyio import to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hki_intl import PARAMS_DIR
from hki_intl.config.models import LANGUAGES
from hki_intl.config.params import Strategy, load_settings, load_strategy
from hki_intl.engine.assembly_stages import report_name
from hki_intl.engine.fingerprint import sha256_file
from hki_intl.errors import UsageError
from hki_intl.messages import DEFAULT_LANGUAGE, Message, Words, text
from hki_intl.serve.checking import MAX_UPLOAD_BYTES, Checker, grouped, problems_from_json, version_changes
from hki_intl.serve.drafts import DraftBuilder, DraftProgress
from hki_intl.serve.security import (
    REPORT_POLICY,
    RateLimit,
    SecurityHeaders,
    TooLarge,
    bounded,
    csrf_matches,
    csrf_value,
    same_origin,
    security_headers,
    server_key,
)
from hki_intl.serve.store import AuditEntry, Store, StoreRefusal, Version
from hki_intl.workbook.excel import MB, workbook_bytes
from hki_intl.workbook.status import NOT_RECEIVED, STATE_WORDS, Entry, inputs_status, state_message
from hki_intl.workbook.template import build_workbook, template_path

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
HELSINKI = ZoneInfo("Europe/Helsinki")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_OVERHEAD = 64 * 1024  # a multipart body's boundaries, headers and the csrf field, beside the workbook
SSO = "sso"  # /a/sso/…: the analyst signed in by the city's proxy (serve --user-header)
NAME_LENGTH = 200  # of a file name as the browser sent it, shown (never used as a path)

# Every key the page templates use (their words are the catalogue's, in the page's language): a
# template asking for another key fails, and tests/serve/test_app.py checks this list against the
# templates both ways.
PAGE_WORDS = (
    "serve.site",
    "serve.skip",
    "serve.languages",
    "serve.footer",
    "serve.neutral.title",
    "serve.neutral.text",
    "serve.contributor.title",
    "serve.contributor.intro",
    "serve.contributor.template_heading",
    "serve.contributor.template_text",
    "serve.contributor.template_link",
    "serve.contributor.upload_heading",
    "serve.contributor.upload_label",
    "serve.contributor.upload_hint",
    "serve.contributor.upload_button",
    "serve.contributor.versions_heading",
    "serve.contributor.no_versions",
    "serve.versions.caption",
    "serve.versions.number",
    "serve.versions.uploaded",
    "serve.versions.file",
    "serve.versions.problems",
    "serve.versions.state",
    "serve.versions.open",
    "serve.version.title",
    "serve.version.back",
    "serve.version.problems_heading",
    "serve.version.whole_file",
    "serve.version.cell",
    "serve.version.severity",
    "serve.version.text",
    "serve.version.annotated",
    "serve.version.annotated_text",
    "serve.version.submit_heading",
    "serve.version.submit_text",
    "serve.version.submit_button",
    "serve.severity.error",
    "serve.severity.warning",
    "serve.analyst.title",
    "serve.analyst.intro",
    "serve.analyst.caption",
    "serve.analyst.organisation",
    "serve.analyst.state",
    "serve.analyst.latest",
    "serve.analyst.submitted",
    "serve.analyst.accepted",
    "serve.analyst.inputs_file",
    "serve.analyst.draft_heading",
    "serve.analyst.draft_link",
    "serve.organisation.title",
    "serve.organisation.back",
    "serve.organisation.version_heading",
    "serve.organisation.download",
    "serve.organisation.changes",
    "serve.organisation.no_problems",
    "serve.organisation.accept_text",
    "serve.organisation.accept_button",
    "serve.organisation.audit_heading",
    "serve.organisation.audit_caption",
    "serve.audit.when",
    "serve.audit.who",
    "serve.audit.what",
    "serve.audit.version",
    "serve.draft.title",
    "serve.draft.back",
    "serve.draft.start_text",
    "serve.draft.start_button",
    "serve.draft.progress_label",
    "serve.draft.refresh",
    "serve.draft.reports_heading",
    "serve.draft.started",
    "serve.problem.back",
)
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}  # each in its own language


@dataclass(frozen=True)
class Limits:
    """The bounds of an upload: its size, how many a link may send per minute, how long reading
    it may take, and how long its check may take (the checker stops a check past it)."""

    upload_bytes: int = MAX_UPLOAD_BYTES
    uploads_per_minute: int = 10
    body_seconds: float = 60.0
    check_seconds: float = 30.0


TITLES = {  # the heading of a refusal's page, by its status
    400: "serve.title.bad_request",
    403: "serve.title.forbidden",
    408: "serve.title.slow",
    409: "serve.title.refused",
    413: "serve.title.too_large",
    429: "serve.title.too_many",
    500: "serve.title.internal",
}


class Refused(Exception):
    """A request the page answers with a page of its own: a status (its heading from
    :data:`TITLES`), a message, the page to go back to, and headers (``Retry-After``)."""

    def __init__(self, status: int, message: Message, back: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(message.key)
        self.status, self.message, self.back, self.headers = status, message, back, headers or {}


@dataclass(frozen=True)
class Analyst:
    """Who opened an analyst page: through the analyst link (``base`` ``/a/<token>``) or signed in
    by the city's proxy (``/a/sso``). ``principal`` keys the CSRF value, ``who`` the audit log."""

    base: str
    principal: str
    who: str


@dataclass
class Site:
    """What every page needs: the year, the folders, the strategy, the store, the checker, the
    draft builder, the server key, the limits and the page templates."""

    inputs: Path
    year: int
    params_dir: Path
    strategy: Strategy
    store: Store
    drafts: DraftBuilder
    key: bytes
    limits: Limits
    templates_dir: Path | None
    user_header: str | None
    analysts: frozenset[str]
    make_checker: Callable[[], Checker]
    checker: Checker | None = None
    uploads: RateLimit = field(init=False)
    pages: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.uploads = RateLimit(self.limits.uploads_per_minute, 60.0)
        self.pages = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
        )


def create_app(
    inputs: Path,
    year: int,
    *,
    params_dir: Path = PARAMS_DIR,
    templates_dir: Path | None = None,
    user_header: str | None = None,
    analysts: Collection[str] = (),
    limits: Limits | None = None,
    checker: Checker | None = None,
    workers: int = 2,
) -> Starlette:
    """The app for one year's collection in ``inputs`` (its store in ``inputs/.serve/``).
    ``templates_dir``: a folder written by ``templates --prefill-from`` whose workbooks the
    contributors download (else one is made for them). ``user_header`` and ``analysts``: the
    header the city's sign-in proxy sets and the users in it who may open the analyst pages.
    The checker's worker processes start with the app and stop with it (unless one is given)."""
    inputs = Path(inputs)
    limits = limits or Limits()
    site = Site(
        inputs=inputs,
        year=year,
        params_dir=Path(params_dir),
        strategy=load_strategy(params_dir),
        store=Store.open(inputs, year),
        drafts=DraftBuilder(inputs, year, Path(params_dir)),
        key=server_key(inputs / ".serve"),
        limits=limits,
        templates_dir=Path(templates_dir) if templates_dir else None,
        user_header=user_header.lower() if user_header else None,
        analysts=frozenset(analysts),
        checker=checker,
        make_checker=lambda: Checker(Path(params_dir), year, time_limit=limits.check_seconds, workers=workers, inputs_dir=inputs),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = site.checker is None
        if own:
            site.checker = await to_thread.run_sync(site.make_checker)
        try:
            yield
        finally:
            await to_thread.run_sync(site.drafts.stop)
            if own and site.checker is not None:
                await to_thread.run_sync(site.checker.close)
                site.checker = None

    pages = Pages(site)
    routes = [
        Route("/", pages.home),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/c/{token}", pages.contributor),
        Route("/c/{token}/template", pages.template),
        Route("/c/{token}/upload", pages.upload, methods=["POST"]),
        Route("/c/{token}/v/{number:int}", pages.version),
        Route("/c/{token}/v/{number:int}/annotated", pages.annotated),
        Route("/c/{token}/v/{number:int}/submit", pages.submit, methods=["POST"]),
        Route("/a/{token}", pages.analyst),
        Route("/a/{token}/o/{organisation}", pages.organisation),
        Route("/a/{token}/o/{organisation}/v/{number:int}/workbook", pages.workbook),
        Route("/a/{token}/o/{organisation}/v/{number:int}/accept", pages.accept, methods=["POST"]),
        Route("/a/{token}/draft", pages.draft, methods=["GET", "POST"]),
        Route("/a/{token}/draft/progress", pages.draft_progress),
        Route("/a/{token}/draft/report/{name}", pages.draft_report),
    ]
    handlers = {Refused: pages.refused, HTTPException: pages.http_error, Exception: pages.server_error}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders)
    app.state.site = site
    return app


def from_environment() -> Starlette:
    """The app as a production server process makes it (``uvicorn --factory
    hki_intl.serve.app:from_environment``): its options from ``HKI_INTL_SERVE_*`` variables."""
    env = os.environ
    analysts = [name.strip() for name in env.get("HKI_INTL_SERVE_ANALYSTS", "").split(",") if name.strip()]
    return create_app(
        Path(env["HKI_INTL_SERVE_INPUTS"]),
        int(env["HKI_INTL_SERVE_YEAR"]),
        params_dir=Path(env.get("HKI_INTL_SERVE_PARAMS") or PARAMS_DIR),
        templates_dir=Path(env["HKI_INTL_SERVE_TEMPLATES"]) if env.get("HKI_INTL_SERVE_TEMPLATES") else None,
        user_header=env.get("HKI_INTL_SERVE_USER_HEADER") or None,
        analysts=analysts,
    )


def serve(
    inputs: Path,
    year: int,
    *,
    host: str,
    port: int,
    params_dir: Path = PARAMS_DIR,
    templates_dir: Path | None = None,
    user_header: str | None = None,
    analysts: Collection[str] = (),
    announce: Callable[[str], None] = print,
) -> None:
    """``pipeline.py serve``: check the options, listen on ``host:port`` (refused in one line when
    taken), say where, and serve until stopped. One process (the rate limit and the draft build
    live in it); no access log, because the links' secrets are in the URLs."""
    import socket

    import uvicorn

    if not Path(inputs).is_dir():
        raise UsageError(Message("serve.cli.no_inputs", folder=str(inputs)))
    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise UsageError(Message("serve.cli.no_templates", folder=str(templates_dir)))
    if user_header and not analysts:
        raise UsageError(Message("serve.cli.header_needs_analysts"))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(2048)  # from now on a request waits for the app to start, rather than being refused
    except OSError as error:
        listening.close()
        reason = error.strerror or str(error)
        raise UsageError(Message("serve.cli.cannot_listen", address=f"{host}:{port}", reason=reason)) from None
    app = create_app(inputs, year, params_dir=params_dir, templates_dir=templates_dir, user_header=user_header, analysts=analysts)
    shown_host = f"[{host}]" if ":" in host else host
    announce(text("serve.cli.listening", year=year, url=f"http://{shown_host}:{port}", inputs=str(inputs)))
    config = uvicorn.Config(app, access_log=False, log_level="warning", timeout_graceful_shutdown=5)
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:  # Ctrl+C is how it is stopped: uvicorn has shut down, and says so again
        pass


# --- what the pages show ---------------------------------------------------------------------------


def page_language(request: Request) -> str:
    lang = request.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def helsinki_time(iso: str | None) -> str:
    """An ISO 8601 time (the store keeps UTC) as the time in Helsinki, to the minute."""
    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M")


def shown_file_name(name: str | None) -> str:
    """The name the browser sent, as a display text only: its last part, without control
    characters, at most :data:`NAME_LENGTH` characters. It never names a file on the disk."""
    last = re.split(r"[/\\]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", last)[:NAME_LENGTH]


def megabytes(size: int) -> Words:
    """A size in megabytes as the checker counts them (2**20 bytes), with the language's decimal mark."""
    written = f"{size / MB:.2f}".rstrip("0").rstrip(".")
    return Words(written.replace(".", ","), written.replace(".", ","), written)


def counts(errors: int, warnings: int, lang: str) -> str:
    """``3 errors, 1 warning``: the words of the command line's count line."""
    words = Message("count.errors_word_one" if errors == 1 else "count.errors_word", count=errors).render(lang)
    return f"{words}, {warnings_words(warnings, lang)}" if warnings else words


def sentence(words: str) -> str:
    """A line shown on its own starts with a capital letter (the catalogue's lines are also used inside sentences)."""
    return words[:1].upper() + words[1:]


def warnings_words(warnings: int, lang: str) -> str:
    return Message("count.warnings_word_one" if warnings == 1 else "count.warnings_word", count=warnings).render(lang)


def summary_line(version: Version, lang: str) -> str:
    """What the contributor reads first: fix and upload again, or submit."""
    if version.errors:
        return Message("serve.summary.errors", counts=counts(version.errors, version.warnings, lang)).render(lang)
    if version.warnings:
        return Message("serve.summary.warnings", counts=warnings_words(version.warnings, lang)).render(lang)
    return Message("serve.summary.clean").render(lang)


def analyst_summary(version: Version, lang: str) -> str:
    """The version's problems in a line for the analyst (the contributor's line says what to do)."""
    if version.errors:
        return counts(version.errors, version.warnings, lang)
    if version.warnings:
        return Message("serve.analyst.no_errors_but", counts=warnings_words(version.warnings, lang)).render(lang)
    return Message("serve.analyst.no_errors").render(lang)


def version_state(version: Version, lang: str) -> str:
    """Accepted, submitted, or neither (the contributor may still submit, or must fix first)."""
    if version.accepted_at:
        return Message("serve.state.accepted", when=helsinki_time(version.accepted_at)).render(lang)
    if version.submitted_at:
        return Message("serve.state.submitted", when=helsinki_time(version.submitted_at)).render(lang)
    return Message("serve.state.not_submitted").render(lang)


def problem_counts(version: Version, lang: str) -> str:
    if not version.errors and not version.warnings:
        return Message("serve.versions.none").render(lang)
    return counts(version.errors, version.warnings, lang)


@dataclass(frozen=True)
class Row:
    """One organisation in the analyst's overview."""

    organisation: str
    name: str
    state: str
    latest: str
    submitted: str
    accepted: str
    inputs_file: str
    href: str


# --- the pages -------------------------------------------------------------------------------------


class Pages:
    """The endpoints; each resolves who is asking first (404 for nobody), then shows or does."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.status_lock = threading.Lock()  # one reading of the inputs folder at a time
        self.status_cache: tuple[tuple, dict[str, Entry]] | None = None

    # rendering

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = page_language(request)
        path = request.url.path if status < 400 else "/"  # a page not found switches to the neutral page

        def t(key: str, **filled: Any) -> str:
            if key not in PAGE_WORDS:
                raise KeyError(f"{key} is not one of the page words (PAGE_WORDS)")
            return Message(key, **filled).render(lang)

        switch = [
            {"lang": code, "name": LANGUAGE_NAMES[code], "href": f"{path}?lang={code}", "current": code == lang}
            for code in LANGUAGES
        ]
        html = self.site.pages.get_template(template).render(
            lang=lang, t=t, href=lambda target: link(target, lang), switch=switch, year=self.site.year, **values
        )
        return HTMLResponse(html, status_code=status)

    async def refused(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        lang = page_language(request)
        response = self.render(
            request,
            "problem.html.j2",
            error.status,
            heading=Message(TITLES[error.status]).render(lang),
            text=error.message.render(lang),
            back=error.back,
        )
        response.headers.update(error.headers)
        return response

    async def http_error(self, request: Request, error: Exception) -> Response:
        """404 (and 405: a page asked for the wrong way) show the neutral page."""
        status = error.status_code if isinstance(error, HTTPException) else 404
        return self.render(request, "neutral.html.j2", status if status in (404, 405) else 404)

    async def server_error(self, request: Request, error: Exception) -> Response:
        """A bug of ours: a page in the language saying so, never a traceback (the server's log has it)."""
        lang = page_language(request)
        text = Message("serve.error.internal").render(lang)
        response = self.render(request, "problem.html.j2", 500, heading=Message(TITLES[500]).render(lang), text=text, back="")
        response.headers.update(security_headers())  # this page is made outside the middleware
        return response

    async def home(self, request: Request) -> Response:
        return self.render(request, "neutral.html.j2")

    # who is asking

    async def contributor_of(self, request: Request) -> tuple[str, str]:
        """(token, organisation) of a contributor link; 404 for an unknown or revoked one."""
        token = request.path_params["token"]
        organisation = await to_thread.run_sync(self.site.store.organisation_for, token)
        if organisation is None:
            raise HTTPException(404)
        return token, organisation

    async def analyst_of(self, request: Request) -> Analyst:
        """The analyst link's holder, or the user the proxy signed in (when allowed); else 404."""
        token = request.path_params["token"]
        site = self.site
        if token == SSO:
            user = request.headers.get(site.user_header, "").strip() if site.user_header else ""
            if not user or user not in site.analysts:
                raise HTTPException(404)
            return Analyst(base=f"/a/{SSO}", principal=f"user:{user}", who=f"user:{user}")
        if not await to_thread.run_sync(site.store.is_analyst_token, token):
            raise HTTPException(404)
        return Analyst(base=f"/a/{token}", principal=token, who="analyst-link")

    def organisation_in(self, request: Request) -> str:
        organisation = request.path_params["organisation"]
        if organisation not in self.site.strategy.organisations_in(self.site.year):
            raise HTTPException(404)
        return str(organisation)

    async def version_of(self, organisation: str, number: int) -> Version:
        version = await to_thread.run_sync(self.site.store.version, organisation, number)
        if version is None:
            raise HTTPException(404)
        return version

    async def checked_form(self, request: Request, principal: str, *, body_limit: int, back: str) -> dict[str, Any]:
        """A POST's form, read with its size and time bounded, its origin and CSRF value checked."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > body_limit:
            raise self.too_large(back)
        if not same_origin(request.headers):
            raise Refused(403, Message("serve.error.forbidden"), back)
        try:
            with anyio.fail_after(self.site.limits.body_seconds):
                if request.headers.get("content-type", "").startswith("multipart/form-data"):
                    parser = MultiPartParser(
                        request.headers, bounded(request.stream(), body_limit), max_files=1, max_fields=4, max_part_size=4096
                    )
                    form = await parser.parse()
                else:
                    form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
        except TooLarge:
            raise self.too_large(back) from None
        except TimeoutError:
            raise Refused(408, Message("serve.error.slow"), back) from None
        except (MultiPartException, HTTPException):
            raise Refused(400, Message("serve.error.bad_form"), back) from None
        values: dict[str, Any] = dict(form.items())
        if not csrf_matches(self.site.key, principal, values.get("csrf")):
            raise Refused(403, Message("serve.error.forbidden"), back)
        return values

    def too_large(self, back: str) -> Refused:
        return Refused(413, Message("serve.error.too_large", megabytes=megabytes(self.site.limits.upload_bytes)), back)

    # the contributor's pages

    async def contributor(self, request: Request) -> Response:
        token, organisation = await self.contributor_of(request)
        lang = page_language(request)
        versions = await to_thread.run_sync(self.site.store.versions, organisation)
        base = f"/c/{token}"
        return self.render(
            request,
            "contributor.html.j2",
            organisation=self.site.strategy.organisations.label(organisation, lang),
            base=base,
            csrf=csrf_value(self.site.key, token),
            megabytes=megabytes(self.site.limits.upload_bytes)[lang],
            versions=[self.version_row(v, f"{base}/v/{v.number}", lang) for v in reversed(versions)],
        )

    def version_row(self, version: Version, href: str, lang: str) -> dict[str, Any]:
        return {
            "number": version.number,
            "errors": version.errors,
            "uploaded": helsinki_time(version.uploaded_at),
            "file_name": version.file_name,
            "problems": problem_counts(version, lang),
            "state": version_state(version, lang),
            "href": href,
        }

    async def template(self, request: Request) -> Response:
        """The organisation's template: the prefilled one of ``serve --templates`` if there is one,
        else made now in the page's language."""
        _, organisation = await self.contributor_of(request)
        site, lang = self.site, page_language(request)
        prefilled = template_path(site.templates_dir, site.year, organisation) if site.templates_dir else None
        if prefilled is not None and prefilled.is_file():
            data = await to_thread.run_sync(prefilled.read_bytes)
        else:
            data = await to_thread.run_sync(lambda: workbook_bytes(build_workbook(site.strategy, organisation, site.year, lang)))
        return download(data, f"{organisation}-{site.year}.xlsx")

    async def upload(self, request: Request) -> Response:
        token, organisation = await self.contributor_of(request)
        site, lang = self.site, page_language(request)
        back = link(f"/c/{token}", lang)
        wait = site.uploads.wait(token)
        if wait:
            seconds = max(1, int(wait + 0.999))
            raise Refused(429, Message("serve.error.too_many", seconds=seconds), back, {"Retry-After": str(seconds)})
        form = await self.checked_form(request, token, body_limit=site.limits.upload_bytes + FORM_OVERHEAD, back=back)
        sent = form.get("workbook")
        if sent is None or isinstance(sent, str) or not sent.filename:
            raise Refused(400, Message("serve.error.no_file"), back)
        data = await sent.read()
        if len(data) > site.limits.upload_bytes:
            raise self.too_large(back)
        if not data:
            raise Refused(400, Message("serve.error.no_file"), back)
        checker = site.checker
        assert checker is not None, "the app's lifespan starts the checker"
        checked = await to_thread.run_sync(checker.check, data, organisation, abandon_on_cancel=True)
        version = await to_thread.run_sync(
            lambda: site.store.add_version(
                organisation,
                data,
                shown_file_name(sent.filename),
                errors=checked.errors,
                warnings=checked.warnings,
                problems_json=checked.to_json(),
                rows_json=json.dumps(checked.rows, sort_keys=True),
                annotated=checked.annotated,
                who=f"link:{organisation}",
            )
        )
        return RedirectResponse(link(f"/c/{token}/v/{version.number}", lang), status_code=303)

    async def version(self, request: Request) -> Response:
        token, organisation = await self.contributor_of(request)
        version = await self.version_of(organisation, request.path_params["number"])
        lang = page_language(request)
        base = f"/c/{token}"
        return self.render(
            request,
            "version.html.j2",
            organisation=self.site.strategy.organisations.label(organisation, lang),
            base=base,
            version=self.version_row(version, f"{base}/v/{version.number}", lang),
            summary=summary_line(version, lang),
            groups=grouped(problems_from_json(version.problems_json), lang),
            annotated=version.annotated_sha256 is not None,
            can_submit=not version.errors and not version.submitted_at,
            csrf=csrf_value(self.site.key, token),
        )

    async def annotated(self, request: Request) -> Response:
        _, organisation = await self.contributor_of(request)
        version = await self.version_of(organisation, request.path_params["number"])
        data = await to_thread.run_sync(self.site.store.annotated_bytes, version)
        if data is None:
            raise HTTPException(404)
        return download(data, f"{organisation}-{self.site.year}-v{version.number}-annotated.xlsx")

    async def submit(self, request: Request) -> Response:
        token, organisation = await self.contributor_of(request)
        number = request.path_params["number"]
        back = link(f"/c/{token}/v/{number}", page_language(request))
        await self.checked_form(request, token, body_limit=FORM_OVERHEAD, back=back)
        await self.version_of(organisation, number)
        await self.refusing(back, self.site.store.submit, organisation, number, f"link:{organisation}")
        return RedirectResponse(back, status_code=303)

    async def refusing(self, back: str, action: Callable[..., Any], *args: Any) -> Any:
        """The store's action in a thread; its refusal (a version with errors…) as a 409 page."""
        try:
            return await to_thread.run_sync(action, *args)
        except StoreRefusal as refusal:
            raise Refused(409, _as_message(refusal), back) from None

    # the analyst's pages

    async def analyst(self, request: Request) -> Response:
        who = await self.analyst_of(request)
        lang = page_language(request)
        rows = await to_thread.run_sync(self.overview, who, lang)
        return self.render(request, "analyst.html.j2", base=who.base, rows=rows)

    def overview(self, who: Analyst, lang: str) -> list[Row]:
        """Every organisation expected this year: the workbook in the inputs folder as ``status``
        shows it (the one the report reads), and its versions here."""
        site, rows = self.site, []
        in_folder = self.folder_status()
        for organisation in site.strategy.organisations_in(site.year):
            versions = site.store.versions(organisation)
            latest = versions[-1] if versions else None
            submitted = [v for v in versions if v.submitted_at]
            accepted = [v for v in versions if v.accepted_at]
            entry = in_folder.get(organisation)
            rows.append(
                Row(
                    organisation=organisation,
                    name=site.strategy.organisations.label(organisation, lang),
                    state=state_message(entry).render(lang) if entry else Message(STATE_WORDS[NOT_RECEIVED]).render(lang),
                    latest=f"{latest.number} · {helsinki_time(latest.uploaded_at)} · {problem_counts(latest, lang)}"
                    if latest
                    else "–",
                    submitted=f"{submitted[-1].number} · {helsinki_time(submitted[-1].submitted_at)}" if submitted else "–",
                    accepted=f"{accepted[-1].number} · {helsinki_time(accepted[-1].accepted_at)}" if accepted else "–",
                    inputs_file=self.inputs_file(organisation, versions, lang),
                    href=f"{who.base}/o/{organisation}",
                )
            )
        return rows

    def folder_status(self) -> dict[str, Entry]:
        """The year's folder read and checked as ``status`` does (each organisation's first entry:
        the worst state first), kept until a file in the folder changes."""
        folder = self.site.inputs / str(self.site.year)
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        key = tuple((p.name, s.st_size, s.st_mtime_ns) for p in files if p.is_file() for s in [p.stat()])
        with self.status_lock:
            if self.status_cache is not None and self.status_cache[0] == key:
                return self.status_cache[1]
            settings = load_settings(self.site.params_dir).with_overrides(year=self.site.year)
            _, entries = inputs_status(self.site.inputs, self.site.year, self.site.strategy, settings)
            found: dict[str, Entry] = {}
            for entry in entries:
                if entry.organisation and entry.file:
                    found.setdefault(entry.organisation, entry)
            self.status_cache = (key, found)
            return found

    def folder_digest(self, organisation: str) -> str | None:
        """The sha256 of the organisation's workbook in the inputs folder, if there is one."""
        path = template_path(self.site.inputs, self.site.year, organisation)
        return sha256_file(path) if path.is_file() else None

    def inputs_file(self, organisation: str, versions: list[Version], lang: str) -> str:
        """The file the pipeline reads for the organisation, and which version it is, if any."""
        path = template_path(self.site.inputs, self.site.year, organisation)
        if not path.is_file():
            return "–"
        digest = sha256_file(path)
        same = [v.number for v in versions if v.sha256 == digest]
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, HELSINKI).strftime("%Y-%m-%d %H:%M")
        if same:
            return Message("serve.analyst.file_is_version", file=path.name, when=modified, number=same[-1]).render(lang)
        return Message("serve.analyst.file_other", file=path.name, when=modified).render(lang)

    async def organisation(self, request: Request) -> Response:
        who = await self.analyst_of(request)
        organisation = self.organisation_in(request)
        lang = page_language(request)
        store = self.site.store
        versions = await to_thread.run_sync(store.versions, organisation)
        audit = await to_thread.run_sync(store.audit_log, organisation)
        in_folder = await to_thread.run_sync(self.folder_digest, organisation)
        base = f"{who.base}/o/{organisation}"
        shown = []  # a submitted version may be accepted unless it is the file the pipeline reads now
        for before, version in zip([None, *versions], versions, strict=False):
            shown.append(
                {
                    **self.version_row(version, f"{base}/v/{version.number}", lang),
                    "summary": sentence(analyst_summary(version, lang)),
                    "groups": grouped(problems_from_json(version.problems_json), lang),
                    "changes": version_changes(before, version, lang)[1:]
                    if before is not None
                    else [],  # the page's heading says its title
                    "download": f"{base}/v/{version.number}/workbook",
                    "accept": f"{base}/v/{version.number}/accept" if version.submitted_at and version.sha256 != in_folder else "",
                }
            )
        return self.render(
            request,
            "organisation.html.j2",
            base=who.base,
            organisation=self.site.strategy.organisations.label(organisation, lang),
            versions=list(reversed(shown)),
            audit=[self.audit_row(entry, lang) for entry in reversed(audit)],
            csrf=csrf_value(self.site.key, who.principal),
        )

    def audit_row(self, entry: AuditEntry, lang: str) -> dict[str, str]:
        return {
            "when": helsinki_time(entry.at),
            "who": who_words(entry.who, self.site.strategy, lang),
            "what": entry.message().render(lang),
            "version": str(entry.version) if entry.version is not None else "",
        }

    async def workbook(self, request: Request) -> Response:
        await self.analyst_of(request)
        organisation = self.organisation_in(request)
        version = await self.version_of(organisation, request.path_params["number"])
        data = await to_thread.run_sync(self.site.store.workbook_bytes, version)
        return download(data, f"{organisation}-{self.site.year}-v{version.number}.xlsx")

    async def accept(self, request: Request) -> Response:
        who = await self.analyst_of(request)
        organisation = self.organisation_in(request)
        back = link(f"{who.base}/o/{organisation}", page_language(request))
        await self.checked_form(request, who.principal, body_limit=FORM_OVERHEAD, back=back)
        number = request.path_params["number"]
        await self.version_of(organisation, number)
        await self.refusing(back, self.site.store.accept, organisation, number, who.who)
        return RedirectResponse(back, status_code=303)

    async def draft(self, request: Request) -> Response:
        who = await self.analyst_of(request)
        lang = page_language(request)
        back = link(f"{who.base}/draft", lang)
        if request.method == "POST":
            await self.checked_form(request, who.principal, body_limit=FORM_OVERHEAD, back=back)
            if await to_thread.run_sync(self.site.drafts.start, who.who):
                await to_thread.run_sync(self.site.store.record_draft_started, who.who)
            return RedirectResponse(back, status_code=303)
        progress = await to_thread.run_sync(self.site.drafts.progress)
        return self.render(
            request,
            "draft.html.j2",
            base=who.base,
            csrf=csrf_value(self.site.key, who.principal),
            progress=self.progress_values(progress, lang),
            reports=self.report_links(who, lang) if progress.state == "done" else [],
        )

    def progress_values(self, progress: DraftProgress, lang: str) -> dict[str, Any]:
        """The draft build's state for the page and for progress.js: the stages done, one line in
        words, who started it and when it started or ended (Helsinki time)."""
        return {
            "state": progress.state,
            "done": progress.done,
            "total": progress.total,
            "text": sentence(progress.text(lang)),
            "who": who_words(progress.who, self.site.strategy, lang) if progress.who else "",
            "when": helsinki_time(progress.started_at),
        }

    def report_links(self, who: Analyst, lang: str) -> list[dict[str, str]]:
        """The finished draft's report files, each in its language (and format)."""
        found = []
        for report_lang in LANGUAGES:
            for fmt in ("html", "pdf"):
                name = report_name(self.site.year, report_lang, fmt)
                if self.site.drafts.report_file(name) is not None:
                    shown = f"{LANGUAGE_NAMES[report_lang]} ({fmt.upper()})"
                    found.append({"href": f"{who.base}/draft/report/{name}", "text": shown, "lang": report_lang})
        return found

    async def draft_progress(self, request: Request) -> Response:
        await self.analyst_of(request)
        progress = await to_thread.run_sync(self.site.drafts.progress)
        return JSONResponse(self.progress_values(progress, page_language(request)))

    async def draft_report(self, request: Request) -> Response:
        await self.analyst_of(request)
        path = await to_thread.run_sync(self.site.drafts.report_file, request.path_params["name"])
        if path is None:
            raise HTTPException(404)
        return FileResponse(path, headers={"content-security-policy": REPORT_POLICY})


def link(path: str, lang: str, **query: str) -> str:
    """A page's address keeping the page's language."""
    return f"{path}?{urlencode({'lang': lang, **query})}"


def download(data: bytes, name: str) -> Response:
    """A workbook to save, under a name made by us (an organisation id and numbers)."""
    return Response(data, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{quote(name)}"'})


def who_words(who: str, strategy: Strategy, lang: str) -> str:
    """An audit entry's actor in words: an organisation's link, the analyst link, a signed-in user."""
    if who.startswith("link:"):
        organisation = who.removeprefix("link:")
        return Message("serve.who.link", organisation=strategy.organisations.label(organisation, lang)).render(lang)
    if who == "analyst-link":
        return Message("serve.who.analyst_link").render(lang)
    if who.startswith("user:"):
        return who.removeprefix("user:")
    return who


def _as_message(refusal: Exception) -> Message:
    """A store refusal as the message it carries."""
    if isinstance(refusal, Message):
        return refusal
    carried = getattr(refusal, "message", None)
    return carried if isinstance(carried, Message) else Message("serve.error.refused", reason=str(refusal))
