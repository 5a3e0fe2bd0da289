"""kill -9 of the real server while an upload or an acceptance is in flight loses nothing: after a
restart every earlier version is listed and downloadable with its exact bytes, the inputs folder
holds only complete workbooks (the old bytes or the new, never part of one), and the store's
database passes SQLite's integrity check."""

from __future__ import annotations

import re
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import YEAR
from tests.serve.running import (
    LOCAL,
    XLSX,
    Server,
    accept_request,
    csrf_of,
    example_inputs,
    example_workbook,
    free_port,
    integrity,
    make_links,
    sha256,
    stored_workbook,
    submit,
    upload,
    version_of,
)

pytestmark = pytest.mark.slow
ORGANISATION = "education"
FIRST_VERSIONS = 3
KILL_AFTER = (0.1, 0.4, 0.7, 1.0, 3.0)  # fractions of an upload's usual time, after its last byte was sent
# Seconds after the accept request was sent: an acceptance took 7-8 ms here (the form, the kept
# file's checksum, the write with its fsyncs, the database), so most fall inside it, the last after.
ACCEPT_KILLS = (0.0, 0.002, 0.004, 0.006, 0.01, 0.05, 0.5)


def multipart(csrf: str, data: bytes, file_name: str) -> tuple[bytes, str]:
    """The upload form's body as a browser encodes it, and its content type."""
    boundary = f"----e2e{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="{file_name}"\r\n'
        f"Content-Type: {XLSX}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def send_raw(server: Server, path: str, body: bytes, content_type: str, sent: int) -> socket.socket:
    """Open a connection and send the request's head and the first ``sent`` bytes of its body."""
    connection = socket.create_connection((LOCAL, server.port), timeout=10)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {LOCAL}:{server.port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    connection.sendall(head + body[:sent])
    return connection


def listed_versions(client: httpx.Client, link: str) -> list[int]:
    """The version numbers the contributor's page lists."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    path = httpx.URL(link).path
    return sorted({int(n) for n in re.findall(rf'href="{re.escape(path)}/v/(\d+)[?"]', page.text)})


class Kept:
    """What the contributor sent and the server said it stored, and what the inputs folder may hold."""

    def __init__(self, inputs: Path) -> None:
        self.versions: dict[int, bytes] = {}
        self.in_flight: list[bytes] = []  # sent when the server was killed: stored or not, never half
        self.accepted = inputs / str(YEAR) / f"{ORGANISATION}.xlsx"
        self.folder = sorted(p.name for p in self.accepted.parent.iterdir())
        self.originals = {name: sha256((self.accepted.parent / name).read_bytes()) for name in self.folder}

    def check(self, client: httpx.Client, link: str, analyst: str, allowed_accepted: set[str | None]) -> int:
        """Everything kept is there with its bytes; return how many uploads in flight were stored."""
        listed = listed_versions(client, link)
        assert set(self.versions) <= set(listed), (sorted(self.versions), listed)
        assert listed == list(range(1, len(listed) + 1))  # numbers unique, none skipped
        stored = 0
        for number in listed:
            data = stored_workbook(client, analyst, ORGANISATION, number)
            if number in self.versions:
                assert sha256(data) == sha256(self.versions[number]), f"version {number} changed"
            else:  # the upload in flight was stored whole, as its own version
                assert any(sha256(data) == sha256(sent) for sent in self.in_flight), f"version {number} is no upload"
                self.versions[number] = data
                stored += 1
        self.in_flight.clear()
        # Nothing else in the folder changed, and nothing was left there (a restart clears what a dead write left).
        names = sorted(p.name for p in self.accepted.parent.iterdir())
        assert names == sorted({*self.folder, self.accepted.name} if self.accepted.exists() else self.folder)
        assert {name: sha256((self.accepted.parent / name).read_bytes()) for name in self.folder} == self.originals
        now = sha256(self.accepted.read_bytes()) if self.accepted.exists() else None
        assert now in allowed_accepted, "the accepted workbook is neither the old bytes nor the new"
        return stored


def submitted_version(client: httpx.Client, link: str, data: bytes, kept: Kept) -> int:
    """A new version uploaded and submitted by the contributor; its number."""
    number = upload(client, link, data)
    kept.versions[number] = data
    submit(client, link, number)
    return number


def test_kill_9_mid_upload_and_mid_acceptance_loses_nothing(tmp_path):
    inputs = example_inputs(tmp_path, held_back=[ORGANISATION])
    original = example_workbook(inputs, ORGANISATION)
    port = free_port()
    links = make_links(inputs, f"http://{LOCAL}:{port}")
    link, analyst = links.contributors[ORGANISATION], links.analyst
    server = Server(inputs, port, tmp_path / "serve.log")
    kept = Kept(inputs)
    with server, httpx.Client(timeout=60) as client:  # the server is stopped however the test ends
        # A few versions, each submitted; how long an upload takes after a start.
        started = time.monotonic()
        for n in range(1, FIRST_VERSIONS + 1):
            submitted_version(client, link, version_of(original, n), kept)
        usual = (time.monotonic() - started) / FIRST_VERSIONS
        assert kept.check(client, link, analyst, {None}) == 0

        # Killed while the body is still arriving (never stored), then at moments after its last byte
        # (checking, storing, answering): stored whole as its own version, or not at all.
        stored = []
        for attempt, fraction in enumerate([None, *KILL_AFTER], start=100):
            data = version_of(original, attempt)
            body, content_type = multipart(csrf_of(client.get(link).text), data, f"versio-{attempt}.xlsx")
            kept.in_flight.append(data)
            sent = len(body) if fraction is not None else len(body) // 2
            connection = send_raw(server, httpx.URL(link).path + "/upload", body, content_type, sent)
            time.sleep(usual * fraction if fraction is not None else 0.3)
            server.kill()
            connection.close()
            server.start()
            stored.append(kept.check(client, link, analyst, {None}))
        assert stored[0] == 0 and any(stored[1:]), stored  # the kills fell both before and after a version was kept

        # Killed while accepting (a version just submitted): the inputs folder holds the old accepted
        # bytes or the new, whole.
        accepted: str | None = None
        took_effect = []
        for turn, moment in enumerate(ACCEPT_KILLS, start=200):
            number = submitted_version(client, link, version_of(original, turn), kept)
            request = accept_request(client, analyst, ORGANISATION, number)
            body = request.read()
            connection = send_raw(server, request.url.raw_path.decode(), body, request.headers["content-type"], len(body))
            time.sleep(moment)
            server.kill()
            connection.close()
            server.start()
            kept.check(client, link, analyst, {accepted, sha256(kept.versions[number])})
            now = sha256(kept.accepted.read_bytes()) if kept.accepted.exists() else None
            took_effect.append(now != accepted)
            accepted = now
        assert any(took_effect), took_effect

        # After all that a contributor can still upload and submit, the analyst accept, and the database is sound.
        number = submitted_version(client, link, version_of(original, 300), kept)
        done = client.send(accept_request(client, analyst, ORGANISATION, number))
        assert done.status_code == 303, (done.status_code, done.text[:2000])
        kept.check(client, link, analyst, {sha256(kept.versions[number])})
    assert integrity(inputs) == "ok"
