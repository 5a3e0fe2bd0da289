"""The submission page as it really runs, for the end-to-end tests: the example's inputs, the links
printed by ``pipeline.py links``, ``pipeline.py serve`` as a child process that a test can stop or
kill -9, and the contributor's and analyst's requests made as a browser's form would make them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import openpyxl

from hki_intl.config.params import load_strategy
from tests.conftest import PIPELINE, YEAR, run_cli

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCAL = "127.0.0.1"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return int(probe.getsockname()[1])


def example_inputs(root: Path, years: str = str(YEAR), held_back: Iterable[str] = ()) -> Path:
    """``root/inputs``: the example's workbooks (through the real ``example`` command), without the
    workbooks of ``held_back`` (their photos stay): those organisations send theirs through the page."""
    made = run_cli("example", "--out", str(root / "example"), "--years", years)
    assert made.returncode == 0, made.stderr
    inputs = root / "inputs"
    shutil.copytree(root / "example", inputs)
    for organisation in held_back:
        (inputs / str(YEAR) / f"{organisation}.xlsx").unlink()
    return inputs


def example_workbook(inputs: Path, organisation: str) -> bytes:
    """The example's own workbook of ``organisation`` (kept beside ``inputs`` by :func:`example_inputs`)."""
    return (inputs.parent / "example" / str(YEAR) / f"{organisation}.xlsx").read_bytes()


def edited(data: bytes, cells: dict[tuple[str, str], object]) -> bytes:
    """The workbook ``data`` with some cells changed, as a contributor saves it from Excel."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for (sheet, cell), value in cells.items():
        workbook[sheet][cell] = value
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


def version_of(data: bytes, number: int) -> bytes:
    """A valid workbook whose bytes and content differ from every other ``number``'s: the first
    activity's outcome (free text) says which version it is."""
    return edited(data, {("Toiminnot", "O2"): f"Tulos, versio {number}"})


@dataclass(frozen=True)
class Links:
    contributors: dict[str, str]  # organisation id -> its contributor link
    analyst: str


def make_links(inputs: Path, base: str) -> Links:
    """A link for every organisation of the year and one for the analyst, printed by the real
    ``links`` command (one line each: the organisation's name in English, then its link)."""
    organisations = load_strategy().organisations
    expected = load_strategy().organisations_in(YEAR)
    asked = [option for organisation in expected for option in ("--organisation", organisation)]
    done = run_cli("links", "--year", str(YEAR), "--inputs", str(inputs), "--base-url", base, *asked, "--analyst")
    assert done.returncode == 0, done.stderr
    by_name = {organisations.label(code, "en"): code for code in expected}
    contributors: dict[str, str] = {}
    analyst = ""
    for line in done.stdout.splitlines():
        found = re.search(rf"{re.escape(base)}/([ca])/[A-Za-z0-9_-]+", line)
        assert found, f"a line without a link: {line!r}"
        if found[1] == "a":
            analyst = found[0]
        else:
            contributors[by_name[line[: found.start()].rstrip(": ")]] = found[0]
    assert analyst and sorted(contributors) == sorted(expected), done.stdout
    return Links(contributors, analyst)


class Server:
    """``pipeline.py serve`` in its own process group: started, waited for, stopped or killed -9
    (with every process it started, e.g. its checking workers)."""

    def __init__(self, inputs: Path, port: int, log: Path) -> None:
        self.inputs, self.port, self.log = inputs, port, log
        self.base = f"http://{LOCAL}:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Server:
        command = [sys.executable, str(PIPELINE), "--messages", "en", "serve", "--year", str(YEAR)]
        command += ["--inputs", str(self.inputs), "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped (exit {self.process.returncode}):\n{self.output()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"the server did not answer in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """kill -9: the server and everything it started, at once, with no chance to clean up."""
        self._signal_group(signal.SIGKILL)

    def stop(self) -> None:
        """As an operator stops it (Ctrl-C), then whatever is left of its group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)  # the group this test started (start_new_session)
        self.process.wait(timeout=30)
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def csrf_of(page: str) -> str:
    """The form's hidden ``csrf`` value, as the browser sends it back."""
    parser = _HiddenInputs()
    parser.feed(page)
    assert "csrf" in parser.values, "the page has no form with a hidden csrf field"
    return parser.values["csrf"]


def version_number(location: str) -> int:
    found = re.search(r"/v/(\d+)$", httpx.URL(location).path)
    assert found, f"not a version's page: {location}"
    return int(found[1])


def upload(client: httpx.Client, link: str, data: bytes, file_name: str = "toiminta.xlsx") -> int:
    """Upload ``data`` through the contributor's form; the version number the page says it got."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    sent = client.post(
        f"{link}/upload", data={"csrf": csrf_of(page.text)}, files={"workbook": (file_name, data, XLSX)}, follow_redirects=False
    )
    assert sent.status_code == 303, (sent.status_code, sent.text[:2000])
    return version_number(sent.headers["location"])


def submit(client: httpx.Client, link: str, number: int) -> None:
    page = client.get(f"{link}/v/{number}")
    assert page.status_code == 200, page.text
    sent = client.post(f"{link}/v/{number}/submit", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert sent.status_code == 303, (sent.status_code, sent.text[:2000])


def organisation_page(analyst: str, organisation: str) -> str:
    return f"{analyst}/o/{organisation}"


def accept_request(client: httpx.Client, analyst: str, organisation: str, number: int) -> httpx.Request:
    """The analyst's accept form as the browser would send it (not sent yet)."""
    page = client.get(organisation_page(analyst, organisation))
    assert page.status_code == 200, page.text
    url = f"{organisation_page(analyst, organisation)}/v/{number}/accept"
    return client.build_request("POST", url, data={"csrf": csrf_of(page.text)})


def stored_workbook(client: httpx.Client, analyst: str, organisation: str, number: int) -> bytes:
    """A version's workbook, downloaded from the analyst's page."""
    got = client.get(f"{organisation_page(analyst, organisation)}/v/{number}/workbook")
    assert got.status_code == 200, (number, got.status_code)
    return got.content


def database(inputs: Path) -> Path:
    return inputs / ".serve" / "serve.sqlite"


def integrity(inputs: Path) -> str:
    """``PRAGMA integrity_check`` of the store's database, opened as the next server would open it
    after a crash (SQLite recovers from its journal on opening)."""
    with contextlib.closing(sqlite3.connect(database(inputs))) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
