"""The submission page's storage: links kept as hashes and compared with every one, versions
kept byte for byte and numbered once each under concurrent uploads, submit and accept with their
refusals, the audit log, and nothing lost when the process is killed at any moment."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hki_intl import PROJECT_ROOT
from hki_intl.errors import UsageError
from hki_intl.serve import store as store_module
from hki_intl.serve.store import (
    ACCEPTED,
    ANALYST_LINK_ISSUED,
    LINK_ISSUED,
    LINK_REVOKED,
    SUBMITTED,
    UPLOADED,
    Store,
    StoreDamaged,
    StoreRefusal,
)

YEAR = 2025
ORGANISATIONS = ["education", "urban_environment", "forum_virium"]


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


@pytest.fixture
def store(inputs):
    return Store.open(inputs, YEAR)


def workbook(n: int, size: int = 2000) -> bytes:
    """Distinct bytes standing in for an uploaded workbook (the store never reads inside one)."""
    return (f"PK workbook {n} ".encode() * size)[:size]


def upload(store: Store, organisation: str, data: bytes, errors: int = 0, **extra) -> store_module.Version:
    values = {"warnings": 0, "problems_json": "[]", "annotated": None, "who": f"link:{organisation}", **extra}
    return store.add_version(organisation, data, "työkirja.xlsx", errors=errors, **values)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- links -------------------------------------------------------------------------------------------


def test_a_link_opens_its_organisation_only_and_a_new_one_revokes_the_earlier(store):
    tokens = {org: store.issue_link(org, "cli:analyst") for org in ORGANISATIONS}
    assert {org: store.organisation_for(token) for org, token in tokens.items()} == {org: org for org in ORGANISATIONS}
    assert all(len(token) >= 43 for token in tokens.values())  # 32 random bytes, URL-safe
    again = store.issue_link("education", "cli:analyst")
    assert (store.organisation_for(tokens["education"]), store.organisation_for(again)) == (None, "education")
    assert store.revoke_link("forum_virium", "cli:analyst") is True
    assert store.revoke_link("forum_virium", "cli:analyst") is False
    assert store.organisation_for(tokens["forum_virium"]) is None
    assert store.organisation_for(tokens["urban_environment"]) == "urban_environment"
    assert [store.organisation_for(t) for t in ("", "x" * 43, tokens["urban_environment"] + "x")] == [None, None, None]
    assert not store.is_analyst_token(tokens["urban_environment"])


def test_the_analysts_link_is_apart_and_a_new_one_revokes_the_earlier(store):
    first = store.issue_analyst_link("cli:analyst")
    assert store.is_analyst_token(first) and store.organisation_for(first) is None
    second = store.issue_analyst_link("cli:analyst")
    assert (store.is_analyst_token(first), store.is_analyst_token(second)) == (False, True)
    assert store.revoke_analyst_link("cli:analyst") and not store.is_analyst_token(second)


def test_a_link_is_for_its_year_only(inputs, store):
    token = store.issue_link("education", "cli:analyst")
    assert Store.open(inputs, YEAR + 1).organisation_for(token) is None


def test_a_token_is_compared_in_constant_time_with_every_active_link(store, monkeypatch):
    """No lookup that stops at the first difference or the first match: every active link's hash
    is compared, whichever matches (or none)."""
    tokens = [store.issue_link(org, "cli:analyst") for org in ORGANISATIONS]
    store.revoke_link("forum_virium", "cli:analyst")
    compared = []
    real = hmac.compare_digest

    def counting(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(store_module.hmac, "compare_digest", counting)
    for token, expected in [(tokens[0], "education"), (tokens[1], "urban_environment"), ("guess", None), (tokens[2], None)]:
        compared.clear()
        assert store.organisation_for(token) == expected
        assert len(compared) == 2  # the two active links, always both
        assert {a for a, _ in compared} == {sha(t.encode()) for t in tokens[:2]}


def test_only_the_tokens_hash_is_stored(store):
    token = store.issue_link("education", "cli:analyst")
    analyst = store.issue_analyst_link("cli:analyst")
    kept = b"".join(p.read_bytes() for p in store.folder.glob("serve.sqlite*"))
    assert token.encode() not in kept and analyst.encode() not in kept
    with sqlite3.connect(store.database) as con:
        assert {row[0] for row in con.execute("SELECT token_sha256 FROM links")} == {sha(token.encode()), sha(analyst.encode())}


# --- versions ----------------------------------------------------------------------------------------


def test_every_upload_is_kept_as_a_new_version_with_its_exact_bytes(store):
    first, second = workbook(1), workbook(2)
    v1 = upload(store, "education", first, errors=3, warnings=1, problems_json='[{"x": 1}]', annotated=b"annotated 1")
    v2 = upload(store, "education", second, rows_json='{"Toiminnot": 2}')
    v3 = upload(store, "education", first)  # the same bytes again: another version, the same kept file
    assert [v.number for v in store.versions("education")] == [1, 2, 3]
    assert (v1.sha256, v1.size, v1.errors, v1.warnings, v1.problems_json) == (sha(first), len(first), 3, 1, '[{"x": 1}]')
    assert (v2.rows_json, v1.rows_json, v1.file_name, v1.submitted_at, v1.accepted_at) == (
        '{"Toiminnot": 2}',
        "{}",
        "työkirja.xlsx",
        None,
        None,
    )
    assert [store.workbook_bytes(v) for v in (v1, v2, v3)] == [first, second, first]
    assert (store.annotated_bytes(v1), store.annotated_bytes(v2)) == (b"annotated 1", None)
    kept = store.folder / "files" / str(YEAR) / "education"
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        [f"{sha(first)}.xlsx", f"{sha(second)}.xlsx", f"{sha(b'annotated 1')}.annotated.xlsx"]
    )
    uploaded = dt.datetime.fromisoformat(v1.uploaded_at)
    assert uploaded.utcoffset() == dt.timedelta(0) and abs(dt.datetime.now(dt.UTC) - uploaded) < dt.timedelta(minutes=1)
    assert store.versions("urban_environment") == [] and store.version("education", 4) is None
    assert store.version("education", 2) == v2


def test_the_name_the_browser_sent_never_becomes_a_path(store, inputs):
    version = store.add_version(
        "education",
        workbook(1),
        "../../../evil.xlsx",
        errors=0,
        warnings=0,
        problems_json="[]",
        annotated=None,
        who="link:education",
    )
    assert version.file_name == "../../../evil.xlsx"  # shown as sent (escaped by the page)
    assert not (inputs.parent / "evil.xlsx").exists() and not list(inputs.rglob("evil*"))
    long = store.add_version(
        "education", workbook(2), "a" * 10_000 + ".xlsx", errors=0, warnings=0, problems_json="[]", annotated=None, who="x"
    )
    assert long.file_name == "a" * 255  # kept for showing, bounded
    with pytest.raises(ValueError, match="not an organisation id"):
        upload(store, "../education", workbook(3))


def test_a_kept_file_that_changed_or_went_missing_is_never_served(store):
    version = upload(store, "education", workbook(1))
    path = store.folder / "files" / str(YEAR) / "education" / f"{version.sha256}.xlsx"
    path.write_bytes(b"changed by hand")
    with pytest.raises(StoreDamaged, match=f"{path}: a kept workbook's content has changed since it was uploaded; restore"):
        store.workbook_bytes(version)
    path.unlink()
    with pytest.raises(StoreDamaged, match=f"{path}: a kept workbook is missing; restore the folder .serve from a backup"):
        store.workbook_bytes(version)
    again = upload(store, "education", workbook(1))  # the same bytes uploaded again put the file back
    assert store.workbook_bytes(version) == store.workbook_bytes(again) == workbook(1)


def test_thirty_uploads_at_once_get_thirty_numbers_and_keep_their_bytes(store):
    """The web checks uploads in threads: 30 at once, over three organisations and one of them
    ten times more, each with its own connection; every number once, every file intact."""
    jobs = [("education", n) for n in range(20)] + [(org, n) for org in ORGANISATIONS[1:] for n in range(100, 105)]
    start = threading.Barrier(len(jobs))
    made: list[store_module.Version] = []
    failures: list[BaseException] = []

    def one(organisation: str, n: int) -> None:
        try:
            start.wait()
            made.append(upload(store, organisation, workbook(n, 50_000)))
        except BaseException as error:  # shown by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=one, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sent = {sha(workbook(n, 50_000)): workbook(n, 50_000) for _, n in jobs}
    for organisation, count in [("education", 20), ("urban_environment", 5), ("forum_virium", 5)]:
        versions = store.versions(organisation)
        assert [v.number for v in versions] == list(range(1, count + 1))
        assert all(store.workbook_bytes(v) == sent[v.sha256] for v in versions)
    assert sorted(v.sha256 for v in made) == sorted(sha(workbook(n, 50_000)) for _, n in jobs)
    assert len([e for e in store.audit_log() if e.what == UPLOADED]) == 30


def test_many_threads_opening_a_new_store_at_once_make_one_schema(inputs):
    start = threading.Barrier(12)
    failures: list[BaseException] = []

    def one(n: int) -> None:
        try:
            start.wait()
            upload(Store.open(inputs, YEAR), "education", workbook(n))
        except BaseException as error:  # shown by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [v.number for v in Store.open(inputs, YEAR).versions("education")] == list(range(1, 13))


# --- submit and accept ----------------------------------------------------------------------------------


def test_a_version_with_errors_is_not_submitted(store):
    upload(store, "education", workbook(1), errors=2)
    with pytest.raises(StoreRefusal, match=r"^version 1 has errors \(2\); fix them in the workbook, upload it again and submit"):
        store.submit("education", 1, "link:education")
    with pytest.raises(StoreRefusal, match=r"^there is no version 7; choose one from the list of versions"):
        store.submit("education", 7, "link:education")
    assert store.version("education", 1).submitted_at is None
    assert [e.what for e in store.audit_log("education")] == [UPLOADED]


def test_submit_marks_the_version_once(store):
    upload(store, "education", workbook(1))
    submitted = store.submit("education", 1, "link:education")
    assert submitted.submitted_at is not None
    assert store.submit("education", 1, "link:education") == submitted  # again: nothing changes
    assert [e.what for e in store.audit_log("education")] == [UPLOADED, SUBMITTED]


def test_accept_writes_the_exact_bytes_where_the_pipeline_reads_them(store, inputs):
    data = workbook(1, 30_000)
    upload(store, "education", data)
    store.submit("education", 1, "link:education")
    target = store.accept("education", 1, "analyst-link")
    assert target == inputs / str(YEAR) / "education.xlsx"
    assert sha(target.read_bytes()) == sha(data)
    assert store.version("education", 1).accepted_at is not None
    assert store.accepted("education") == store.version("education", 1)
    assert [p.name for p in target.parent.iterdir()] == ["education.xlsx"]  # no temporary file left
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file: the pipeline may run as another user
    kept = store.folder / "files" / str(YEAR) / "education" / f"{sha(data)}.xlsx"
    assert kept.stat().st_mode & 0o777 == 0o600  # the kept copies: the owner's only
    target.chmod(0o640)
    store.accept("education", 1, "analyst-link")
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions


def test_accept_refuses_a_version_not_submitted(store, inputs):
    upload(store, "education", workbook(1))
    upload(store, "education", workbook(2), errors=1)
    for number in (1, 2):
        with pytest.raises(StoreRefusal, match=f"^version {number} has not been submitted; only a submitted version can be"):
            store.accept("education", number, "analyst-link")
    with pytest.raises(StoreRefusal, match=r"^there is no version 3"):
        store.accept("education", 3, "analyst-link")
    assert not (inputs / str(YEAR)).exists()


def test_accept_leaves_a_file_it_did_not_write_untouched(store, inputs):
    target = inputs / str(YEAR) / "education.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"the analyst's own copy")
    before = target.stat()
    upload(store, "education", workbook(1))
    store.submit("education", 1, "link:education")
    with pytest.raises(StoreRefusal, match=f"^{target}: a file is there that the submission page did not put there"):
        store.accept("education", 1, "analyst-link")
    assert target.read_bytes() == b"the analyst's own copy" and target.stat().st_mtime_ns == before.st_mtime_ns
    assert store.version("education", 1).accepted_at is None
    assert [e.what for e in store.audit_log("education")] == [UPLOADED, SUBMITTED]
    assert sorted(p.name for p in target.parent.iterdir()) == ["education.xlsx"]


def test_a_later_accepted_version_replaces_the_stores_own_file_but_not_one_changed_since(store, inputs):
    for n in (1, 2, 3):
        upload(store, "education", workbook(n))
        store.submit("education", n, "link:education")
    target = store.accept("education", 1, "analyst-link")
    store.accept("education", 2, "analyst-link")
    assert target.read_bytes() == workbook(2) and store.accepted("education").number == 2
    target.write_bytes(b"fixed by hand")  # someone edits the accepted file
    assert store.accepted("education") is None
    with pytest.raises(StoreRefusal, match="did not put there \\(or it was changed since\\)"):
        store.accept("education", 3, "analyst-link")
    assert target.read_bytes() == b"fixed by hand"
    entries = [(e.what, e.version, e.who) for e in store.audit_log("education") if e.what == ACCEPTED]
    assert entries == [(ACCEPTED, 1, "analyst-link"), (ACCEPTED, 2, "analyst-link")]


def test_the_audit_log_says_who_did_what_and_when(store):
    store.issue_link("education", "cli:analyst")
    store.issue_link("education", "cli:analyst")
    store.issue_analyst_link("cli:analyst")
    version = upload(store, "education", workbook(1))
    store.submit("education", 1, "link:education")
    store.accept("education", 1, "user:maija")
    log = store.audit_log()
    assert [(e.what, e.who, e.organisation, e.version) for e in log] == [
        (LINK_ISSUED, "cli:analyst", "education", None),
        (LINK_REVOKED, "cli:analyst", "education", None),
        (LINK_ISSUED, "cli:analyst", "education", None),
        (ANALYST_LINK_ISSUED, "cli:analyst", None, None),
        (UPLOADED, "link:education", "education", 1),
        (SUBMITTED, "link:education", "education", 1),
        (ACCEPTED, "user:maija", "education", 1),
    ]
    assert [e.sha256 for e in log[4:]] == [version.sha256] * 3
    assert [e.at for e in log] == sorted(e.at for e in log)
    assert len(store.audit_log("education")) == 6
    assert str(log[-1].message()) == f"version 1 accepted into the inputs folder (checksum {version.sha256[:12]}…)"
    assert str(log[0].message()) == "link issued"


# --- the database ---------------------------------------------------------------------------------------


def test_the_database_is_in_wal_mode_with_its_schema_version(store):
    with sqlite3.connect(store.database) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    assert store.folder.stat().st_mode & 0o777 == 0o700  # the contributors' workbooks: the owner's only


def test_a_database_that_is_not_the_stores_is_refused_in_one_line(inputs):
    (inputs / ".serve").mkdir()
    database = inputs / ".serve" / "serve.sqlite"
    database.write_bytes(b"not a database at all, but long enough to be read as one" * 100)
    with pytest.raises(
        UsageError, match=f"^{database}: the submission page's database cannot be read \\(file is not a database\\)"
    ):
        Store.open(inputs, YEAR)
    database.unlink()
    with sqlite3.connect(database) as con:
        con.execute("CREATE TABLE mine (x)")
    with pytest.raises(UsageError, match=f"^{database}: the file is not the submission page's database; move it away"):
        Store.open(inputs, YEAR)
    database.unlink()
    Store.open(inputs, YEAR)
    with sqlite3.connect(database) as con:
        con.execute("PRAGMA user_version = 2")
    with pytest.raises(UsageError, match=r"made by a newer version of the pipeline \(its format 2, this one knows 1\)"):
        Store.open(inputs, YEAR)


def test_an_inputs_folder_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(UsageError, match="the inputs folder does not exist"):
        Store.open(tmp_path / "nowhere", YEAR)
    assert not (tmp_path / "nowhere").exists()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_open_finishes_the_record_of_an_acceptance_that_died_after_writing_its_file(store, inputs):
    for n in (1, 2):
        upload(store, "education", workbook(n))
        store.submit("education", n, "link:education")
    store.accept("education", 1, "analyst-link")
    target = inputs / str(YEAR) / "education.xlsx"
    # as if accept of version 2 died between writing the file and recording it
    with sqlite3.connect(store.database) as con:
        con.execute(
            "UPDATE accepted_files SET pending_sha256 = ?, pending_number = 2, pending_by = 'user:maija', pending_pid = ?",
            (sha(workbook(2)), _dead_pid()),
        )
    target.write_bytes(workbook(2))
    reopened = Store.open(inputs, YEAR)
    assert reopened.accepted("education").number == 2
    assert [(e.what, e.version, e.who) for e in reopened.audit_log("education")][-1] == (ACCEPTED, 2, "user:maija")


def test_open_forgets_an_acceptance_that_died_before_writing_its_file(store, inputs):
    for n in (1, 2):
        upload(store, "education", workbook(n))
        store.submit("education", n, "link:education")
    store.accept("education", 1, "analyst-link")
    with sqlite3.connect(store.database) as con:
        con.execute(
            "UPDATE accepted_files SET pending_sha256 = ?, pending_number = 2, pending_by = 'x', pending_pid = ?",
            (sha(workbook(2)), _dead_pid()),
        )
    reopened = Store.open(inputs, YEAR)
    assert reopened.accepted("education").number == 1 and reopened.version("education", 2).accepted_at is None
    with sqlite3.connect(store.database) as con:
        assert con.execute("SELECT pending_sha256 FROM accepted_files").fetchall() == [(None,)]
    reopened.accept("education", 2, "analyst-link")  # and the next acceptance replaces the file as its own
    assert (inputs / str(YEAR) / "education.xlsx").read_bytes() == workbook(2)


def test_open_removes_the_temporary_files_of_dead_processes_only(store, inputs):
    upload(store, "education", workbook(1))
    kept = store.folder / "files" / str(YEAR) / "education"
    year_folder = inputs / str(YEAR)
    year_folder.mkdir()
    dead, alive = _dead_pid(), os.getpid()
    leftovers = [
        kept / f".{'a' * 64}.xlsx.{dead}-x1y2{store_module.PARTIAL}",
        year_folder / f".education.xlsx.{dead}-abc{store_module.PARTIAL}",
    ]
    in_flight = year_folder / f".education.xlsx.{alive}-def{store_module.PARTIAL}"
    strangers = [year_folder / ".education.xlsx.notes", year_folder / "education.partial"]
    for path in [*leftovers, in_flight, *strangers]:
        path.write_bytes(b"half")
    Store.open(inputs, YEAR)
    assert [p.exists() for p in leftovers] == [False, False]
    assert in_flight.exists() and all(p.exists() for p in strangers)


# --- kill -9 at any moment --------------------------------------------------------------------------------

CHILD = """
import sys, hashlib
from pathlib import Path
from hki_intl.serve.store import Store

inputs, round_ = Path(sys.argv[1]), int(sys.argv[2])
store = Store.open(inputs, 2025)
print("ready", flush=True)
for n in range(1000):
    data = (f"round {round_} upload {n} ".encode() * 20_000)[: 150_000 + 997 * n]
    version = store.add_version("education", data, "x.xlsx", errors=0, warnings=0, problems_json="[]",
                                annotated=data[::-1], who="link:education")
    store.submit("education", version.number, "link:education")
    store.accept("education", version.number, "analyst-link")
"""


@pytest.mark.slow
def test_killing_uploads_and_acceptances_at_any_moment_loses_nothing(inputs):
    """A child process uploads, submits and accepts in a loop; it is killed (SIGKILL) after a
    different delay each round. After each kill: the database is intact, every version seen
    before is still there with its exact bytes, no row lacks its file, the numbers have no gap,
    and the inputs file is a whole workbook the store wrote (the old or the new)."""
    rng = random.Random(16)
    seen: dict[int, str] = {}
    caught: dict[str, int] = {"temporary file": 0, "file without its row": 0, "acceptance under way": 0}
    orphans: set[str] = set()
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.monotonic()
    rounds = 0
    # 40 rounds (about 8 s here); more, up to 40 s, until kills have landed in the middle of each kind of write
    while (rounds < 40 or not all(caught.values())) and rounds < 150 and time.monotonic() - started < 40:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(inputs), str(rounds)], stdout=subprocess.PIPE, env=environment, text=True
        )
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.02 + 0.004 * rounds))
        child.send_signal(signal.SIGKILL)
        child.wait()
        rounds += 1
        _check_nothing_lost(inputs, seen, caught, orphans)
    assert rounds >= 15 and len(seen) >= rounds // 2
    assert all(caught.values()), caught  # kills did land in the middle of each kind of write


def _check_nothing_lost(inputs: Path, seen: dict[int, str], caught: dict[str, int], orphans: set[str]) -> None:
    database = inputs / ".serve" / "serve.sqlite"
    kept = inputs / ".serve" / "files" / str(YEAR) / "education"
    with sqlite3.connect(database) as con:  # before any open's recovery: exactly what the kill left
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        recorded = con.execute("SELECT sha256, pending_sha256 FROM accepted_files").fetchall()
        rows = {row[0] for row in con.execute("SELECT sha256 FROM versions")}
    files = {p.name.split(".")[0] for p in kept.glob("*.xlsx") if not p.name.endswith(".annotated.xlsx")}
    caught["temporary file"] += any(p.name.endswith(".partial") for p in [*kept.glob(".*"), *inputs.glob("*/.*")])
    caught["file without its row"] += bool(files - rows - orphans)  # a new one: killed between the file and its row
    orphans |= files - rows
    caught["acceptance under way"] += any(pending for _, pending in recorded)
    assert rows <= files
    store = Store.open(inputs, YEAR)
    versions = store.versions("education")
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    for version in versions:
        data = store.workbook_bytes(version)  # raises if the file is missing or changed
        assert len(data) == version.size and store.annotated_bytes(version) == data[::-1]
        assert seen.setdefault(version.number, version.sha256) == version.sha256
    assert set(seen) <= {v.number for v in versions}
    target = inputs / str(YEAR) / "education.xlsx"
    if target.exists():
        assert recorded and sha(target.read_bytes()) in set(recorded[0]) - {None}
        accepted = store.accepted("education")  # after the open's recovery: the record says which version it is
        assert accepted is not None and accepted.sha256 == sha(target.read_bytes())
    if target.parent.exists():  # the open removed the dead child's temporary file: only whole workbooks remain
        assert [p.name for p in target.parent.iterdir()] in ([], ["education.xlsx"])
