"""The submission page as its users meet it, through Starlette's TestClient against the real
store and checker: the contributor's and the analyst's pages, their words in fi, sv and en, and
every security point of issue 16 (links open only their own pages, CSRF, headers, escaping, size
and rate bounds, no traceback)."""

from __future__ import annotations

import hashlib
import re
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from hki_intl import PROJECT_ROOT
from hki_intl.config.params import load_strategy
from hki_intl.messages import catalogue
from hki_intl.serve.app import PAGE_WORDS, TEMPLATES, Limits, create_app, shown_file_name
from hki_intl.serve.checking import Checker, problems_to_json
from hki_intl.serve.security import PAGE_POLICY, REPORT_POLICY, RateLimit, csrf_matches, csrf_value, same_origin, server_key
from hki_intl.serve.store import Store
from hki_intl.workbook.excel import workbook_bytes
from hki_intl.workbook.template import build_workbook, template_path
from tests.conftest import PIPELINE, RECORDS, YEAR

STRATEGY = load_strategy()
ORGANISATIONS = STRATEGY.organisations_in(YEAR)
ME, OTHER = ORGANISATIONS[0], ORGANISATIONS[1]
HOSTILE_TEXT = '<script>alert("cell")</script>'
HOSTILE_NAME = '"><img src=x onerror=alert(1)>.xlsx'


def workbook(organisation: str = ME, broken: str | None = None) -> bytes:
    """A valid workbook of the organisation; ``broken``: that text in the first activity's type
    (a value the dropdown does not have: one error at Toiminnot!B2)."""
    wb = build_workbook(STRATEGY, organisation, YEAR, "fi", RECORDS)
    if broken is not None:
        wb["Toiminnot"]["B2"] = broken
    return workbook_bytes(wb)


class Page(HTMLParser):
    """What a page is made of, for the checks every page must pass."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def hidden(self, name: str) -> list[str | None]:
        return [a.get("value") for a in self.all("input") if a.get("name") == name and a.get("type") == "hidden"]


def assert_a_good_page(response: httpx.Response, lang: str = "fi") -> Page:
    """One h1, the language, landmarks, labelled fields, our own script and styles only, every
    security header, and every link keeping the language."""
    page = Page(response.text)
    assert page.all("html") == [{"lang": lang}]
    assert len(page.all("h1")) == 1
    assert page.all("main") and page.all("header") and page.all("nav") and page.all("footer")
    assert all(script.get("src", "").startswith("/static/") for script in page.all("script"))  # no inline script
    assert (
        not page.all("style")
        and "style=" not in response.text
        and " on" not in "".join(f" {name}" for _, attrs in page.tags for name in attrs)
    )
    labelled = {a.get("for") for a in page.all("label")}
    for field in page.all("input"):
        assert field.get("type") == "hidden" or field.get("id") in labelled
    for a in page.all("a"):
        href = a.get("href") or ""
        if href.startswith(("/c/", "/a/")) and "/draft/report/" not in href and not a.get("hreflang"):
            assert f"lang={lang}" in href, href
    assert_headers(response)
    return page


def assert_headers(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == PAGE_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


# --- the site -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker():
    running = Checker(Path(PROJECT_ROOT / "params"), YEAR, workers=1)
    yield running
    running.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, checker):
    """An inputs folder, a link for every organisation and the analyst, and the app on it."""
    inputs = tmp_path_factory.mktemp("site") / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    links = {organisation: store.issue_link(organisation, "cli:test") for organisation in ORGANISATIONS}
    analyst = store.issue_analyst_link("cli:test")
    app = create_app(inputs, YEAR, checker=checker, limits=Limits(uploads_per_minute=1000))
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client, inputs, links, analyst, store


def upload(client: TestClient, token: str, data: bytes, name: str = "toiminta.xlsx", csrf: str | None = None, **kwargs):
    if csrf is None:
        csrf = Page(client.get(f"/c/{token}").text).hidden("csrf")[0]
    return client.post(
        f"/c/{token}/upload?lang=en", data={"csrf": csrf}, files={"workbook": (name, data, "application/octet-stream")}, **kwargs
    )


# --- the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_neutral_page_in_every_language(site, lang):
    client = site[0]
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    page = assert_a_good_page(response, lang)
    title = catalogue()["serve.neutral.title"][lang]
    assert title in "".join(page.text)
    switch = [a for a in page.all("a") if a.get("hreflang")]
    assert [(a["hreflang"], a["href"]) for a in switch] == [(code, f"/?lang={code}") for code in ("fi", "sv", "en")]
    assert [a.get("aria-current") for a in switch] == [("true" if code == lang else None) for code in ("fi", "sv", "en")]


def test_finnish_by_default_and_an_unknown_language_is_finnish(site):
    client = site[0]
    for url in ("/", "/?lang=de"):
        assert_a_good_page(client.get(url), "fi")


def test_the_static_files_are_ours_and_may_be_cached(site):
    client = site[0]
    for name, kind in (("serve.css", "text/css"), ("progress.js", "javascript"), ("favicon.svg", "image/svg+xml")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert response.headers["content-security-policy"] == PAGE_POLICY and response.headers["cache-control"] == "no-cache"
    css = client.get("/static/serve.css").text
    assert "http" not in css and "@import" not in css  # nothing from the network


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_contributor_page(site, lang):
    client, _, links, _, _ = site
    response = client.get(f"/c/{links[ME]}?lang={lang}")
    assert response.status_code == 200
    page = assert_a_good_page(response, lang)
    name = STRATEGY.organisations.label(ME, lang)
    assert page.all("h1") and f"{name} – " in response.text
    form = page.all("form")[0]
    assert form["action"] == f"/c/{links[ME]}/upload?lang={lang}" and form["enctype"] == "multipart/form-data"
    assert page.hidden("csrf") == [csrf_value(server_key(site[1] / ".serve"), links[ME])]
    assert f'href="/c/{links[ME]}/template?lang={lang}"' in response.text
    limit = {"fi": "Enintään 10 Mt.", "sv": "Högst 10 MB.", "en": "At most 10 MB."}[lang]
    assert limit in response.text


def test_the_template_is_made_for_the_organisation_in_the_pages_language(site):
    client, _, links, _, _ = site
    response = client.get(f"/c/{links[ME]}/template?lang=sv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{ME}-{YEAR}.xlsx"'
    expected = workbook_bytes(build_workbook(STRATEGY, ME, YEAR, "sv"))
    assert load_workbook_sheets(response.content) == load_workbook_sheets(expected)


def load_workbook_sheets(data: bytes) -> dict[str, list]:
    import io

    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_the_prefilled_template_is_downloaded_as_it_is(tmp_path, checker):
    inputs, prefilled = tmp_path / "inputs", tmp_path / "templates"
    (inputs / str(YEAR)).mkdir(parents=True)
    data = workbook(ME)
    template_path(prefilled, YEAR, ME).parent.mkdir(parents=True)
    template_path(prefilled, YEAR, ME).write_bytes(data)
    token = Store.open(inputs, YEAR).issue_link(ME, "cli:test")
    other = Store.open(inputs, YEAR).issue_link(OTHER, "cli:test")
    with TestClient(create_app(inputs, YEAR, checker=checker, templates_dir=prefilled)) as client:
        assert client.get(f"/c/{token}/template").content == data
        made = client.get(f"/c/{other}/template").content  # no prefilled one for it: made
        assert made != data and load_workbook_sheets(made) == load_workbook_sheets(
            workbook_bytes(build_workbook(STRATEGY, OTHER, YEAR, "fi"))
        )


def test_a_contributor_uploads_a_broken_workbook_fixes_it_and_submits_and_the_analyst_accepts(site):
    client, inputs, links, analyst, store = site
    token = links[ME]
    before = len(store.versions(ME))

    broken = upload(client, token, workbook(broken="Seminaari"))
    assert broken.status_code == 303
    assert broken.headers["location"] == f"/c/{token}/v/{before + 1}?lang=en"
    response = client.get(broken.headers["location"])
    page = assert_a_good_page(response, "en")
    text = " ".join(" ".join(page.text).split())
    assert "1 error – fix the errors and upload the workbook again." in text
    assert "Toiminnot" in text and "B2" in text and "unknown type ('Seminaari')" in text
    assert not page.all("form")  # no submit button with errors
    annotated = client.get(f"/c/{token}/v/{before + 1}/annotated")
    assert annotated.status_code == 200 and annotated.content[:2] == b"PK"
    assert (
        client.post(f"/c/{token}/v/{before + 1}/submit", data={"csrf": page_csrf(client, f"/c/{token}")}).status_code == 409
    )  # the store refuses a version with errors

    fixed = upload(client, token, workbook())
    number = before + 2
    assert fixed.headers["location"] == f"/c/{token}/v/{number}?lang=en"
    page = assert_a_good_page(client.get(fixed.headers["location"]), "en")
    assert "No errors" in " ".join(page.text)
    (form,) = page.all("form")
    assert form["action"] == f"/c/{token}/v/{number}/submit?lang=en"
    submitted = client.post(form["action"], data={"csrf": page.hidden("csrf")[0]})
    assert (submitted.status_code, submitted.headers["location"]) == (303, f"/c/{token}/v/{number}?lang=en")
    assert "submitted " in client.get(submitted.headers["location"]).text
    overview = client.get(f"/a/{analyst}?lang=en")
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a href=\"/a/{analyst}/o/{ME}\?lang=en\">.*?</tr>", overview.text, re.S)
    assert row and f"<td>{number} · " in row.group(0)
    state, latest = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)[:2]
    assert (state, latest.endswith(" · no problems")) == ("not received", True)  # nothing in the inputs folder yet

    organisation = client.get(f"/a/{analyst}/o/{ME}?lang=en")
    page = assert_a_good_page(organisation, "en")
    accept = [f for f in page.all("form") if f["action"].endswith("/accept?lang=en")]
    assert [f["action"] for f in accept] == [f"/a/{analyst}/o/{ME}/v/{number}/accept?lang=en"]
    assert "Changes since version" in organisation.text and "resolved" in organisation.text.lower()
    accepted = client.post(accept[0]["action"], data={"csrf": page.hidden("csrf")[0]})
    assert accepted.status_code == 303
    kept = inputs / str(YEAR) / f"{ME}.xlsx"
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == hashlib.sha256(workbook()).hexdigest()
    overview = client.get(f"/a/{analyst}?lang=en").text
    assert f"{ME}.xlsx (" in overview and f"), version {number}" in overview
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a href=\"/a/{analyst}/o/{ME}\?lang=en\">.*?</tr>", overview, re.S)
    assert row and re.findall(r"<td>(.*?)</td>", row.group(0), re.S)[0] == "clean"  # as status reads the accepted file
    (inputs / str(YEAR) / f"{ME}.xlsx").write_bytes(
        workbook(broken="Seminaari")
    )  # replaced by hand (e-mailed): status reads it again
    overview = client.get(f"/a/{analyst}?lang=en").text
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a href=\"/a/{analyst}/o/{ME}\?lang=en\">.*?</tr>", overview, re.S)
    assert row and re.findall(r"<td>(.*?)</td>", row.group(0), re.S)[0] == "errors (1)"
    (inputs / str(YEAR) / f"{ME}.xlsx").write_bytes(workbook())
    download = client.get(f"/a/{analyst}/o/{ME}/v/{number}/workbook")
    assert download.content == workbook()
    audit = [(e.who, e.what, e.version) for e in store.audit_log(ME)][-4:]
    assert [(who, version) for who, _, version in audit] == [
        (f"link:{ME}", before + 1),
        (f"link:{ME}", number),
        (f"link:{ME}", number),
        ("analyst-link", number),
    ]
    log = client.get(f"/a/{analyst}/o/{ME}?lang=en").text
    assert "Audit log" in log and "the analyst link" in log


def page_csrf(client: TestClient, url: str) -> str:
    return Page(client.get(url).text).hidden("csrf")[0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_analyst_pages_in_every_language(site, lang):
    client, _, _, analyst, _ = site
    page = assert_a_good_page(client.get(f"/a/{analyst}?lang={lang}"), lang)
    names = [a for a in page.all("a") if (a.get("href") or "").startswith(f"/a/{analyst}/o/")]
    assert len(names) == len(ORGANISATIONS)
    for organisation in (ME, OTHER):
        assert_a_good_page(client.get(f"/a/{analyst}/o/{organisation}?lang={lang}"), lang)
    draft = client.get(f"/a/{analyst}/draft?lang={lang}")
    page = assert_a_good_page(draft, lang)
    assert page.all("script") == [{"src": "/static/progress.js", "defer": None}]
    progress = client.get(f"/a/{analyst}/draft/progress?lang={lang}")
    assert progress.status_code == 200 and set(progress.json()) >= {"state", "done", "total", "text"}


def test_a_version_of_another_year_or_number_is_not_found(site):
    client, _, links, analyst, _ = site
    for url in (f"/c/{links[ME]}/v/999", f"/c/{links[ME]}/v/999/annotated", f"/a/{analyst}/o/{ME}/v/999/workbook"):
        assert client.get(url).status_code == 404
    assert client.get(f"/a/{analyst}/o/no_such_organisation").status_code == 404


# --- security -------------------------------------------------------------------------------------


def test_an_unknown_or_revoked_link_shows_the_neutral_page(site):
    client, inputs, _, _, _ = site
    neutral = client.get("/").text
    store = Store.open(inputs, YEAR)
    revoked = store.issue_link(ORGANISATIONS[2], "cli:test")
    assert client.get(f"/c/{revoked}").status_code == 200
    store.revoke_link(ORGANISATIONS[2], "cli:test")
    for url in ("/c/not-a-token", f"/c/{revoked}", f"/c/{revoked}/template", "/a/not-a-token", "/a/sso", "/nowhere"):
        response = client.get(url)
        assert (response.status_code, response.text) == (404, neutral), url
        assert_headers(response)


def test_a_link_opens_only_its_own_organisations_pages(site):
    """Every other organisation's and every analyst URL with a contributor's token: 404, and
    nothing of any other organisation on the page."""
    client, _, links, _, store = site
    token = links[ME]
    if not store.versions(OTHER):
        assert upload(client, links[OTHER], workbook(OTHER)).status_code == 303
    theirs = store.versions(OTHER)[-1]
    mine = {v.number for v in store.versions(ME)}
    neutral = client.get("/").text
    urls = [f"/a/{token}", f"/a/{token}/draft", f"/a/{token}/draft/progress", f"/a/{token}/draft/report/x.html"]
    for organisation in ORGANISATIONS:
        urls += [f"/a/{token}/o/{organisation}", f"/a/{token}/o/{organisation}/v/{theirs.number}/workbook"]
    urls += [f"/c/{token}/v/{n}" for n in range(1, theirs.number + 3) if n not in mine]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response.text) == (404, neutral), url
    csrf = csrf_value(server_key(site[1] / ".serve"), token)
    for organisation in ORGANISATIONS:
        response = client.post(f"/a/{token}/o/{organisation}/v/{theirs.number}/accept", data={"csrf": csrf})
        assert response.status_code == 404
    assert client.post(f"/a/{token}/draft", data={"csrf": csrf}).status_code == 404
    own = client.get(f"/c/{token}?lang=en").text
    assert theirs.file_name not in own or theirs.file_name == "toiminta.xlsx"
    for organisation in ORGANISATIONS:
        if organisation != ME:
            assert STRATEGY.organisations.label(organisation, "en") not in own


def test_every_post_needs_the_links_own_csrf_value_and_our_origin(site):
    client, _, links, analyst, store = site
    token, count = links[ME], len(store.versions(ME))
    right = page_csrf(client, f"/c/{token}")
    theirs = page_csrf(client, f"/c/{links[OTHER]}")
    for csrf in ("", "0" * 64, theirs, right[:-1]):
        response = upload(client, token, workbook(), csrf=csrf)
        assert response.status_code == 403, csrf
        assert "did not come from this page" in response.text
        assert_headers(response)
    for origin in ({"origin": "http://evil.example"}, {"origin": "null", "referer": "http://evil.example/c/x"}):
        assert upload(client, token, workbook(), csrf=right, headers=origin).status_code == 403
    # what a browser sends for our own forms under Referrer-Policy: no-referrer: the CSRF value decides
    assert upload(client, token, workbook(), csrf=theirs, headers={"origin": "null"}).status_code == 403
    assert upload(client, token, workbook(), csrf=right, headers={"origin": "http://testserver"}).status_code == 303
    assert len(store.versions(ME)) == count + 1  # only the last one was kept
    number = store.versions(ME)[-1].number
    assert client.post(f"/c/{token}/v/{number}/submit", data={"csrf": theirs}).status_code == 403
    assert client.post(f"/c/{token}/v/{number}/submit").status_code == 403
    analyst_csrf = page_csrf(client, f"/a/{analyst}/draft")
    assert client.post(f"/a/{analyst}/o/{ME}/v/{number}/accept", data={"csrf": right}).status_code == 403
    assert client.post(f"/a/{analyst}/draft", data={"csrf": right}).status_code == 403
    assert analyst_csrf != right


BOUNDARY = "hki-boundary-7f3a9c51e2"


def raw_upload(client: TestClient, token: str, data: bytes, name: str) -> httpx.Response:
    """A multipart body made by hand: the file name with a real double quote (escaped as
    ``\\"``, as a hostile client may send it; browsers send ``%22``)."""
    csrf = page_csrf(client, f"/c/{token}")
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="workbook"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.post(
        f"/c/{token}/upload?lang=en", content=body, headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    )


def test_what_a_workbook_and_its_file_name_contain_is_shown_escaped(site):
    client, inputs, links, analyst, store = site
    response = raw_upload(client, links[ME], workbook(broken=HOSTILE_TEXT), HOSTILE_NAME)
    assert store.versions(ME)[-1].file_name == HOSTILE_NAME
    assert response.status_code == 303
    for url in (response.headers["location"], f"/c/{links[ME]}?lang=en", f"/a/{analyst}/o/{ME}?lang=en"):
        html = client.get(url).text
        assert HOSTILE_TEXT not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;cell&#34;)&lt;/script&gt;" in html or url.endswith(f"/c/{links[ME]}?lang=en")
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.xlsx" in html
    names = [p.name for p in inputs.rglob("*")]
    assert not any("onerror" in name or "img" in name for name in names)


def test_a_file_name_never_becomes_a_path(site):
    client, inputs, links, _, store = site
    response = upload(client, links[ME], workbook(), name="../../../evil.xlsx")
    assert response.status_code == 303
    assert store.versions(ME)[-1].file_name == "evil.xlsx"
    assert not any(p.name == "evil.xlsx" for p in inputs.parent.rglob("*"))
    assert shown_file_name("C:\\Users\\x\\Desktop\\a\x00b.xlsx") == "ab.xlsx"


def test_an_upload_over_the_limit_is_refused_before_it_is_read(tmp_path, checker):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    token = store.issue_link(ME, "cli:test")
    app = create_app(inputs, YEAR, checker=checker, limits=Limits(upload_bytes=20_000))
    with TestClient(app, follow_redirects=False) as client:
        csrf = page_csrf(client, f"/c/{token}")
        big = workbook() + b"\0" * 20_000
        response = upload(client, token, big, csrf=csrf)
        assert response.status_code == 413
        assert "larger than 0.02 MB" in response.text  # 20 000 bytes of 2**20 and "was not kept" in response.text
        assert_a_good_page(response, "en")

        # a client that sends no length: counted while it streams, stopped past the limit
        def body():
            for _ in range(100):
                yield b"x" * 10_000

        headers = {"content-type": "multipart/form-data; boundary=b"}
        response = client.post(f"/c/{token}/upload", content=body(), headers=headers)
        assert response.status_code == 413 and "content-length" not in response.request.headers
    assert store.versions(ME) == []


def test_uploads_per_link_are_limited(tmp_path, checker):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    token, other = store.issue_link(ME, "cli:test"), store.issue_link(OTHER, "cli:test")
    app = create_app(inputs, YEAR, checker=checker, limits=Limits(uploads_per_minute=2))
    with TestClient(app, follow_redirects=False) as client:
        csrf = page_csrf(client, f"/c/{token}")
        assert [upload(client, token, workbook(), csrf=csrf).status_code for _ in range(2)] == [303, 303]
        refused = upload(client, token, workbook(), csrf=csrf)
        assert refused.status_code == 429
        seconds = int(refused.headers["retry-after"])
        assert 50 <= seconds <= 60
        assert f"Try again in {seconds} seconds." in refused.text
        assert upload(client, other, workbook(OTHER)).status_code == 303  # another link has its own allowance
    assert len(store.versions(ME)) == 2


def test_a_bug_shows_a_page_in_the_language_and_no_traceback(site, monkeypatch):
    client, _, links, _, _ = site
    app_site = client.app.state.site  # type: ignore[attr-defined]

    def broken(organisation):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app_site.store, "versions", broken)
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        response = failing.get(f"/c/{links[ME]}?lang=sv")
    assert response.status_code == 500
    assert_a_good_page(response, "sv")
    assert "Något gick fel" in response.text
    assert "Traceback" not in response.text and "secret detail" not in response.text


def test_the_analyst_signed_in_by_the_proxy(tmp_path, checker):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    app = create_app(inputs, YEAR, checker=checker, user_header="X-Remote-User", analysts=["anna"])
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/a/sso").status_code == 404
        assert client.get("/a/sso", headers={"x-remote-user": "bob"}).status_code == 404
        page = assert_a_good_page(client.get("/a/sso?lang=en", headers={"x-remote-user": "anna"}), "en")
        assert f'href="/a/sso/o/{ME}?lang=en"' in client.get("/a/sso?lang=en", headers={"x-remote-user": "anna"}).text
        assert page.all("h1")
        draft = client.get("/a/sso/draft", headers={"x-remote-user": "anna"})
        csrf = Page(draft.text).hidden("csrf")[0]
        assert csrf_matches(server_key(inputs / ".serve"), "user:anna", csrf)
    plain = create_app(inputs, YEAR, checker=checker)
    with TestClient(plain) as client:
        assert client.get("/a/sso", headers={"x-remote-user": "anna"}).status_code == 404


def test_a_draft_reports_file_gets_its_own_policy_and_hostile_names_are_not_found(site):
    client, _, _, analyst, _ = site
    for name in ("..%2F..%2Fserve.sqlite", "%2Fetc%2Fpasswd", "x.html"):
        response = client.get(f"/a/{analyst}/draft/report/{name}")
        assert response.status_code == 404
    assert "'unsafe-inline'" in REPORT_POLICY and "frame-ancestors 'none'" in REPORT_POLICY and "sandbox" in REPORT_POLICY


# --- the words ------------------------------------------------------------------------------------


def test_the_templates_use_exactly_the_page_words_and_each_is_in_the_catalogue():
    used = set()
    for path in TEMPLATES.glob("*.html.j2"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    assert sorted(used) == sorted(PAGE_WORDS)
    assert [key for key in PAGE_WORDS if key not in catalogue()] == []


# --- security's parts -----------------------------------------------------------------------------


def test_the_server_key_is_made_once_and_kept_private(tmp_path):
    key = server_key(tmp_path / ".serve")
    assert len(key) == 32 and server_key(tmp_path / ".serve") == key
    assert (tmp_path / ".serve" / "server.key").stat().st_mode & 0o777 == 0o600
    assert server_key(tmp_path / "other") != key


def test_csrf_values_differ_per_link_and_per_key():
    assert csrf_matches(b"k" * 32, "token", csrf_value(b"k" * 32, "token"))
    assert not csrf_matches(b"k" * 32, "token", csrf_value(b"k" * 32, "other"))
    assert not csrf_matches(b"j" * 32, "token", csrf_value(b"k" * 32, "token"))
    assert not csrf_matches(b"k" * 32, "token", None)
    assert not csrf_matches(b"k" * 32, "token", "ä" * 64)


@pytest.mark.parametrize(
    "headers, allowed",
    [
        ({"host": "a.fi"}, True),
        ({"host": "a.fi", "origin": "https://a.fi"}, True),
        ({"host": "a.fi:8000", "origin": "http://a.fi:8000"}, True),
        ({"host": "a.fi", "origin": "https://b.fi"}, False),
        ({"host": "a.fi", "origin": "null"}, True),  # a browser's own form under no-referrer: the CSRF value decides
        ({"host": "a.fi", "origin": "null", "referer": "https://b.fi/"}, False),
        ({"host": "a.fi", "referer": "https://a.fi/c/x"}, True),
        ({"host": "a.fi", "referer": "https://a.fi.evil.example/"}, False),
    ],
)
def test_same_origin(headers, allowed):
    from starlette.datastructures import Headers

    assert same_origin(Headers(headers)) is allowed


def test_the_rate_limit_is_a_sliding_window():
    now = [0.0]
    limit = RateLimit(2, 60.0, clock=lambda: now[0])
    assert [limit.wait("a"), limit.wait("a"), limit.wait("a")] == [0.0, 0.0, 60.0]
    assert limit.wait("b") == 0.0
    now[0] = 59.0
    assert limit.wait("a") == 1.0
    now[0] = 60.0
    assert limit.wait("a") == 0.0


# --- the command ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_starts_says_where_and_serves(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    port = free_port()
    command = [sys.executable, str(PIPELINE), "--messages", "en", "serve", "--year", str(YEAR), "--inputs", str(inputs)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = server.stdout.readline()  # type: ignore[union-attr]
        assert (
            line.strip()
            == f"the submission page for {YEAR} at http://127.0.0.1:{port} (workbooks: {inputs}); stop it with Ctrl+C"
        )
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/?lang=en")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200 and "Open the link you received" in response.text
        taken = subprocess.run([*command, "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert taken.returncode == 2
        assert taken.stderr.splitlines() == [
            f"error: --host/--port: cannot listen on 127.0.0.1:{port} (Address already in use); choose another port with --port"
        ]
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C
        server.wait(timeout=30)
    assert server.returncode == 0
    assert "Traceback" not in server.stderr.read()  # type: ignore[union-attr]


def test_serve_refuses_a_missing_folder_and_a_header_without_analysts(tmp_path):
    base = [sys.executable, str(PIPELINE), "--messages", "en", "serve", "--year", str(YEAR)]
    missing = subprocess.run([*base, "--inputs", str(tmp_path / "nope")], capture_output=True, text=True, timeout=60)
    assert (missing.returncode, missing.stderr.splitlines()) == (
        2,
        [f"error: --inputs: there is no folder {tmp_path / 'nope'}; give the folder that holds the years' folders"],
    )
    header = subprocess.run(
        [*base, "--inputs", str(tmp_path), "--user-header", "X-User"], capture_output=True, text=True, timeout=60
    )
    assert (header.returncode, header.stderr.splitlines()) == (
        2,
        ["error: --user-header needs --analysts too (the users who may open the analyst's pages)"],
    )


# --- on a real server: the body read as it arrives ------------------------------------------------


@pytest.fixture
def live(tmp_path, checker):
    """The app under uvicorn in a thread, with a 20 000-byte upload limit and 2 seconds to send it."""
    import threading

    import uvicorn

    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    token = store.issue_link(ME, "cli:test")
    app = create_app(inputs, YEAR, checker=checker, limits=Limits(upload_bytes=20_000, body_seconds=2.0))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield port, token, store
    server.should_exit = True
    thread.join(10)


FILE_PART = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()


def raw_request(port: int, token: str, head: bytes, chunks: list[bytes], pause: float = 0.0) -> tuple[bytes, int]:
    """Send a request by hand, chunk by chunk; return the server's answer and how many chunks
    were sent before it answered (or closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        sock.setblocking(False)
        answer = b""
        for chunk in chunks:
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            if answer:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, BlockingIOError):
                break
            sent += 1
            time.sleep(pause)
        sock.setblocking(True)
        sock.settimeout(10)
        try:
            while b"</html>" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except (ConnectionResetError, TimeoutError):
            pass
    return answer, sent


@pytest.mark.slow
def test_a_body_without_a_length_is_stopped_as_soon_as_it_passes_the_limit(live):
    port, token, store = live
    head = (
        f"POST /c/{token}/upload?lang=en HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"x" * 5_000
    parts = [FILE_PART, *[chunk] * 200]  # 1 MB in all, 50 times the limit
    chunks = [f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in parts]
    answer, sent = raw_request(port, token, head, chunks, pause=0.01)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"larger than 0.02 MB" in answer
    assert sent < 40  # the limit and the form's overhead are 18 chunks: refused soon after, not after all 201
    assert store.versions(ME) == []


@pytest.mark.slow
def test_an_upload_sent_too_slowly_is_stopped(live):
    port, token, store = live
    head = (
        f"POST /c/{token}/upload?lang=en HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 19000\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer, _ = raw_request(port, token, head, [FILE_PART, *[b"x" * 100] * 100], pause=0.1)  # 10 s for a 2-second allowance
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"Sending the file took too long" in answer
    assert time.monotonic() - started < 6
    assert store.versions(ME) == []


@pytest.mark.slow
def test_the_analyst_builds_a_draft_and_opens_it_under_its_own_policy(tmp_path, checker):
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    token, analyst = store.issue_link(ME, "cli:test"), store.issue_analyst_link("cli:test")
    with TestClient(create_app(inputs, YEAR, checker=checker), follow_redirects=False) as client:
        assert upload(client, token, workbook()).status_code == 303
        store.submit(ME, 1, f"link:{ME}")
        store.accept(ME, 1, "analyst-link")
        csrf = page_csrf(client, f"/a/{analyst}/draft")
        started = client.post(f"/a/{analyst}/draft?lang=en", data={"csrf": csrf})
        assert (started.status_code, started.headers["location"]) == (303, f"/a/{analyst}/draft?lang=en")
        last = store.audit_log()[-1]
        assert (last.what, last.organisation, last.message().render("en")) == (
            "draft_started",
            None,
            "draft report build started",
        )
        running = client.get(started.headers["location"])
        assert 'data-state="running"' in running.text and "<progress" in running.text
        assert client.app.state.site.drafts.wait(300).state == "done"  # type: ignore[attr-defined]
        progress = client.get(f"/a/{analyst}/draft/progress?lang=en").json()
        assert progress["state"] == "done" and progress["done"] == progress["total"] > 0
        page = assert_a_good_page(client.get(f"/a/{analyst}/draft?lang=en"), "en")
        reports = [a["href"] for a in page.all("a") if "/draft/report/" in (a.get("href") or "")]
        assert reports == [
            f"/a/{analyst}/draft/report/international-activities-{YEAR}-{lang}.html" for lang in ("fi", "sv", "en")
        ]
        report = client.get(reports[0])
        assert report.status_code == 200 and "text/html" in report.headers["content-type"]
        assert report.headers["content-security-policy"] == REPORT_POLICY
        assert report.headers["x-frame-options"] == "DENY" and report.headers["cache-control"] == "no-store"
        assert STRATEGY.organisations.label(ME, "fi") in report.text


def test_the_analyst_can_go_back_to_an_earlier_submitted_version_and_reads_no_contributors_advice(tmp_path, checker):
    """Accept is offered on every submitted version except the one the pipeline reads now; the
    analyst's summary of a clean version states it, without telling anyone to submit."""
    inputs = tmp_path / "inputs"
    (inputs / str(YEAR)).mkdir(parents=True)
    store = Store.open(inputs, YEAR)
    analyst = store.issue_analyst_link("cli:test")
    first = workbook()
    wb = build_workbook(STRATEGY, ME, YEAR, "fi", RECORDS)
    wb["Toiminnot"]["A2"] = "Opettajavaihto Tallinnaan"  # another clean workbook
    second = workbook_bytes(wb)
    assert first != second
    for data in (first, second):
        version = store.add_version(
            ME, data, "w.xlsx", errors=0, warnings=0, problems_json=problems_to_json([]), annotated=None, who="t"
        )
        store.submit(ME, version.number, "t")
    store.accept(ME, 2, "analyst-link")
    with TestClient(create_app(inputs, YEAR, checker=checker), follow_redirects=False) as client:
        page = client.get(f"/a/{analyst}/o/{ME}?lang=en")
        accept = [f["action"] for f in Page(page.text).all("form") if f["action"].endswith("/accept?lang=en")]
        assert accept == [f"/a/{analyst}/o/{ME}/v/1/accept?lang=en"]  # version 2 is the file now
        assert "you can submit" not in page.text and "No errors" in page.text
        back = client.post(accept[0], data={"csrf": Page(page.text).hidden("csrf")[0]})
        assert back.status_code == 303
    assert (inputs / str(YEAR) / f"{ME}.xlsx").read_bytes() == first
