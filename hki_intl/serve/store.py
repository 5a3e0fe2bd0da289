"""The submission page's storage: the links, every uploaded version, what was submitted and
accepted, and the audit log — beside the inputs, outside the year folders, so the intake never
reads it.

``DIR/.serve/serve.sqlite`` (SQLite in WAL mode, ``synchronous=FULL``, every change one
transaction, the schema's version in ``PRAGMA user_version``) and
``DIR/.serve/files/<year>/<org>/<sha256>.xlsx``: each upload's exact bytes, named by their
content (never by the name the browser sent), with ``<sha256>.annotated.xlsx`` for an annotated
copy (named by its own content, so no file is ever changed once written).

Nothing is lost when the process is killed at any moment (``kill -9``, a power cut):

- a file is written to a hidden temporary file beside it, fsynced, renamed and its folder
  fsynced, and only then is the row that names it committed: a crash leaves at most a kept file
  no row names (harmless: the same bytes uploaded again reuse it; never removed, as it may be an
  upload under way in another process) and a temporary file (removed by the next
  :meth:`Store.open` once its process is dead), never a row without its file, never a changed
  earlier file;
- ``accept`` first records in the database which bytes it is about to put in
  ``DIR/<year>/<org>.xlsx``, then writes them there the same way, then records that it did. The
  file there is always the old or the new complete workbook, and the store knows both as its
  own: the next ``accept`` may replace it, and :meth:`Store.open` finishes the record of an
  acceptance whose file was already in place when its process died.

Secrets: a link's token is printed once; only its sha256 is stored, and a token is compared in
constant time with every active link's hash (no lookup that stops at the first difference).

Concurrency: one SQLite connection per call (the web calls from several threads), ``BEGIN
IMMEDIATE`` for every write, and a version's number allocated inside its insert's transaction
(numbers 1, 2, 3… per organisation and year, never twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from hki_intl.engine.fingerprint import sha256_file
from hki_intl.engine.swap import process_runs
from hki_intl.errors import PipelineError, UsageError
from hki_intl.messages import Message

SCHEMA_VERSION: Final = 1
SERVE_FOLDER: Final = ".serve"  # in DIR, beside the year folders
DATABASE: Final = "serve.sqlite"
FILES: Final = "files"
ANNOTATED: Final = ".annotated.xlsx"
PARTIAL: Final = ".partial"  # a temporary file being written (hidden, so the intake never reads one)
BUSY_SECONDS: Final = 60.0  # how long a write waits for another (30 uploads at once queue briefly)
FILE_NAME_LIMIT: Final = 255  # characters of the name a browser sent that are kept (shown, never used as a path)
# An organisation's id becomes a folder and a file name: letters, digits, _ and - only.
ORGANISATION_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_LEFTOVER: Final = re.compile(rf"\..+\.(\d+)-[^.]+{re.escape(PARTIAL)}")  # .<name>.<pid>-<random>.partial

# What the audit log records (its ``what``), and the words that say it.
LINK_ISSUED: Final = "link_issued"
LINK_REVOKED: Final = "link_revoked"
ANALYST_LINK_ISSUED: Final = "analyst_link_issued"
ANALYST_LINK_REVOKED: Final = "analyst_link_revoked"
UPLOADED: Final = "uploaded"
SUBMITTED: Final = "submitted"
ACCEPTED: Final = "accepted"
DRAFT_STARTED: Final = "draft_started"
AUDIT_WORDS: Final = {
    LINK_ISSUED: "store.audit.link_issued",
    LINK_REVOKED: "store.audit.link_revoked",
    ANALYST_LINK_ISSUED: "store.audit.analyst_link_issued",
    ANALYST_LINK_REVOKED: "store.audit.analyst_link_revoked",
    UPLOADED: "store.audit.uploaded",
    SUBMITTED: "store.audit.submitted",
    ACCEPTED: "store.audit.accepted",
    DRAFT_STARTED: "store.audit.draft_started",
}

_SCHEMA: Final = """
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    organisation TEXT,                   -- NULL: the analyst's link
    token_sha256 TEXT NOT NULL UNIQUE,   -- the token itself is never stored
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX links_active ON links (year, revoked_at);
CREATE TABLE versions (
    year INTEGER NOT NULL,
    organisation TEXT NOT NULL,
    number INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    problems_json TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    annotated_sha256 TEXT,
    submitted_at TEXT,
    submitted_by TEXT,
    accepted_at TEXT,
    accepted_by TEXT,
    PRIMARY KEY (year, organisation, number)
);
CREATE TABLE accepted_files (            -- what accept put in DIR/<year>/<org>.xlsx
    year INTEGER NOT NULL,
    organisation TEXT NOT NULL,
    sha256 TEXT,                         -- the bytes it wrote last (NULL: none yet)
    number INTEGER,                      -- of the version they are
    pending_sha256 TEXT,                 -- an acceptance under way: the bytes it is writing
    pending_number INTEGER,
    pending_by TEXT,
    pending_pid INTEGER,
    PRIMARY KEY (year, organisation)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    year INTEGER NOT NULL,
    who TEXT NOT NULL,
    what TEXT NOT NULL,
    organisation TEXT,
    version INTEGER,
    sha256 TEXT
);
CREATE INDEX audit_year ON audit (year, organisation);
"""

_VERSION_COLUMNS: Final = (
    "organisation, year, number, sha256, size, uploaded_at, file_name, errors, warnings, problems_json, "
    "submitted_at, accepted_at, rows_json, annotated_sha256"
)


@dataclass(frozen=True)
class Version:
    """One uploaded workbook of an organisation for a year; its bytes are kept as they came."""

    organisation: str
    year: int
    number: int  # 1, 2, 3… per organisation and year
    sha256: str
    size: int
    uploaded_at: str  # ISO 8601 UTC
    file_name: str  # the name the contributor's browser sent: shown, never used as a path
    errors: int
    warnings: int
    problems_json: str  # checking.problems_to_json(...)
    submitted_at: str | None
    accepted_at: str | None  # when it was (last) put in the inputs folder
    rows_json: str = "{}"  # records per sheet, as the check counted them (for the changes between versions)
    annotated_sha256: str | None = None  # of its annotated copy, if the check made one


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when: a link issued or revoked, a version uploaded, submitted or accepted."""

    at: str  # ISO 8601 UTC
    who: str  # "link:<org>", "analyst-link", "user:<name>", "cli:<login>"
    what: str  # one of AUDIT_WORDS' keys
    organisation: str | None  # None: the analyst's link
    version: int | None
    sha256: str | None

    def message(self) -> Message:
        """What happened, in words (the analyst's page shows it in its language)."""
        return Message(AUDIT_WORDS[self.what], version=self.version, sha256=(self.sha256 or "")[:12])


class StoreRefusal(PipelineError):
    """What was asked cannot be done as things stand (a version with errors submitted, a file
    the store did not write in the way of an acceptance); the message says what and how to fix.
    Nothing was changed."""

    exit_code = 1


class StoreDamaged(PipelineError):
    """A kept file is missing or its bytes are no longer the ones uploaded (the disk, or someone
    by hand): it is never served as if it were."""

    exit_code = 1


class Store:
    """The submission page's storage for one inputs folder and one year."""

    def __init__(self, inputs_dir: Path, year: int) -> None:
        self.inputs_dir = Path(inputs_dir)
        self.year = int(year)
        self.folder = self.inputs_dir / SERVE_FOLDER
        self.database = self.folder / DATABASE

    @classmethod
    def open(cls, inputs_dir: Path, year: int) -> Store:
        """The store of ``inputs_dir`` for ``year``: created on first use; checked (a database of
        another program or of a newer version is refused); what a killed process left is tidied."""
        inputs = Path(inputs_dir)
        if not inputs.is_dir():
            raise UsageError(Message("run.no_inputs_folder", folder=str(inputs)))
        store = cls(inputs, year)
        _make_folders(store.folder, private=True)
        store._prepare_schema()
        store._recover()
        return store

    # --- links --------------------------------------------------------------------------------

    def issue_link(self, organisation: str, who: str) -> str:
        """A new secret link's token for ``organisation`` (shown once, stored as its sha256);
        the organisation's earlier link stops working."""
        _check_organisation(organisation)
        return self._issue(organisation, who, LINK_ISSUED, LINK_REVOKED)

    def revoke_link(self, organisation: str, who: str) -> bool:
        """Stop the organisation's link; False when it had none."""
        with self._writing() as con:
            return self._revoke(con, organisation, who, LINK_REVOKED) > 0

    def has_link(self, organisation: str | None) -> bool:
        """Whether the organisation (None: the analyst) has a link that works."""
        with self._reading() as con:
            return con.execute(*_active_links(self.year, organisation)).fetchone() is not None

    def organisation_for(self, token: str) -> str | None:
        """The organisation whose active link ``token`` is; None for an unknown or revoked one."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT organisation, token_sha256 FROM links WHERE year = ? AND revoked_at IS NULL AND organisation IS NOT NULL",
                (self.year,),
            ).fetchall()
        return _matching(token, rows)

    def issue_analyst_link(self, who: str) -> str:
        """A new secret link's token for the analyst's pages; the earlier analyst link stops working."""
        return self._issue(None, who, ANALYST_LINK_ISSUED, ANALYST_LINK_REVOKED)

    def revoke_analyst_link(self, who: str) -> bool:
        """Stop the analyst's link; False when there was none."""
        with self._writing() as con:
            return self._revoke(con, None, who, ANALYST_LINK_REVOKED) > 0

    def is_analyst_token(self, token: str) -> bool:
        """Whether ``token`` is the analyst's active link."""
        with self._reading() as con:
            rows = con.execute(
                "SELECT 'analyst', token_sha256 FROM links WHERE year = ? AND revoked_at IS NULL AND organisation IS NULL",
                (self.year,),
            ).fetchall()
        return _matching(token, rows) is not None

    def _issue(self, organisation: str | None, who: str, issued: str, revoked: str) -> str:
        token = secrets.token_urlsafe(32)
        digest = _digest(token)
        with self._writing() as con:
            self._revoke(con, organisation, who, revoked)
            con.execute(
                "INSERT INTO links (year, organisation, token_sha256, issued_at, issued_by) VALUES (?, ?, ?, ?, ?)",
                (self.year, organisation, digest, _now(), _who(who)),
            )
            self._audit(con, who, issued, organisation)
        return token

    def _revoke(self, con: sqlite3.Connection, organisation: str | None, who: str, what: str) -> int:
        ids = [row[0] for row in con.execute(*_active_links(self.year, organisation, "id")).fetchall()]
        for link in ids:
            con.execute("UPDATE links SET revoked_at = ?, revoked_by = ? WHERE id = ?", (_now(), _who(who), link))
            self._audit(con, who, what, organisation)
        return len(ids)

    # --- versions -----------------------------------------------------------------------------

    def add_version(
        self,
        organisation: str,
        data: bytes,
        file_name: str,
        *,
        errors: int,
        warnings: int,
        problems_json: str,
        annotated: bytes | None,
        who: str,
        rows_json: str = "{}",
    ) -> Version:
        """Keep ``data`` as the organisation's next version (its file first, then its row)."""
        _check_organisation(organisation)
        folder = self._files_folder(organisation)
        sha256 = hashlib.sha256(data).hexdigest()
        _keep(folder / f"{sha256}.xlsx", data, sha256)
        annotated_sha256 = None
        if annotated is not None:
            annotated_sha256 = hashlib.sha256(annotated).hexdigest()
            _keep(folder / f"{annotated_sha256}{ANNOTATED}", annotated, annotated_sha256)
        uploaded_at = _now()
        with self._writing() as con:
            (number,) = con.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE year = ? AND organisation = ?", (self.year, organisation)
            ).fetchone()
            con.execute(
                "INSERT INTO versions (year, organisation, number, sha256, size, file_name, uploaded_at, uploaded_by, errors,"
                " warnings, problems_json, rows_json, annotated_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.year,
                    organisation,
                    number,
                    sha256,
                    len(data),
                    file_name[:FILE_NAME_LIMIT],
                    uploaded_at,
                    _who(who),
                    int(errors),
                    int(warnings),
                    problems_json,
                    rows_json,
                    annotated_sha256,
                ),
            )
            self._audit(con, who, UPLOADED, organisation, number, sha256)
        found = self.version(organisation, number)
        assert found is not None  # just committed
        return found

    def versions(self, organisation: str) -> list[Version]:
        """The organisation's versions of the year, oldest first."""
        with self._reading() as con:
            rows = con.execute(
                f"SELECT {_VERSION_COLUMNS} FROM versions WHERE year = ? AND organisation = ? ORDER BY number",
                (self.year, organisation),
            ).fetchall()
        return [Version(*row) for row in rows]

    def version(self, organisation: str, number: int) -> Version | None:
        """One version, or None when the organisation has no such version."""
        with self._reading() as con:
            row = _version_row(con, self.year, organisation, number)
        return Version(*row) if row else None

    def workbook_bytes(self, version: Version) -> bytes:
        """The version's bytes exactly as uploaded (their sha256 checked)."""
        return self._read_kept(self._files_folder(version.organisation) / f"{version.sha256}.xlsx", version.sha256)

    def annotated_bytes(self, version: Version) -> bytes | None:
        """The version's annotated copy, None when the check made none."""
        if version.annotated_sha256 is None:
            return None
        path = self._files_folder(version.organisation) / f"{version.annotated_sha256}{ANNOTATED}"
        return self._read_kept(path, version.annotated_sha256)

    def submit(self, organisation: str, number: int, who: str) -> Version:
        """Mark a version submitted for the analyst; a version with errors is refused."""
        with self._writing() as con:
            version = self._existing(con, organisation, number)
            if version.errors:
                raise StoreRefusal(Message("store.submit_has_errors", number=number, errors=version.errors))
            if version.submitted_at is None:
                con.execute(
                    "UPDATE versions SET submitted_at = ?, submitted_by = ? WHERE year = ? AND organisation = ? AND number = ?",
                    (_now(), _who(who), self.year, organisation, number),
                )
                self._audit(con, who, SUBMITTED, organisation, number, version.sha256)
        found = self.version(organisation, number)
        assert found is not None
        return found

    # --- accepting into the inputs folder -------------------------------------------------------

    def accept(self, organisation: str, number: int, who: str) -> Path:
        """Put a submitted version's exact bytes in ``DIR/<year>/<org>.xlsx``, where the
        pipeline reads them. Refused, before anything is written, for a version not submitted,
        and when a file is there that the store did not put there (or someone changed since)."""
        target = self.inputs_path(organisation)
        with _accepting(self.database):
            with self._reading() as con:
                version = self._existing(con, organisation, number)
            if version.submitted_at is None or version.errors:
                raise StoreRefusal(Message("store.accept_not_submitted", number=number))
            data = self.workbook_bytes(version)  # a damaged kept file stops here, before anything is written
            with self._writing() as con:
                if not _may_replace(target, self._recorded(con, organisation)):
                    raise StoreRefusal(Message("store.accept_foreign_file", path=str(target)))
                con.execute(
                    "INSERT INTO accepted_files (year, organisation, pending_sha256, pending_number, pending_by, pending_pid)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (year, organisation) DO UPDATE SET pending_sha256 ="
                    " excluded.pending_sha256, pending_number = excluded.pending_number, pending_by = excluded.pending_by,"
                    " pending_pid = excluded.pending_pid",
                    (self.year, organisation, version.sha256, number, _who(who), os.getpid()),
                )
            write_durably(target, data, _mode_in_inputs(target))
            with self._writing() as con:
                self._record_accepted(con, organisation, number, version.sha256, who)
        return target

    def inputs_path(self, organisation: str) -> Path:
        """Where the pipeline reads the organisation's workbook: ``DIR/<year>/<org>.xlsx``."""
        _check_organisation(organisation)
        return self.inputs_dir / str(self.year) / f"{organisation}.xlsx"

    def accepted(self, organisation: str) -> Version | None:
        """The version the store last put in the inputs folder, if that file still holds its bytes."""
        with self._reading() as con:
            recorded = self._recorded(con, organisation)
            row = _version_row(con, self.year, organisation, recorded[1]) if recorded and recorded[1] else None
        target = self.inputs_path(organisation)
        if row is None or not target.is_file() or target.is_symlink() or sha256_file(target) != row[3]:
            return None
        return Version(*row)

    def _record_accepted(self, con: sqlite3.Connection, organisation: str, number: int, sha256: str, who: str) -> None:
        con.execute(
            "UPDATE accepted_files SET sha256 = ?, number = ?, pending_sha256 = NULL, pending_number = NULL,"
            " pending_by = NULL, pending_pid = NULL WHERE year = ? AND organisation = ?",
            (sha256, number, self.year, organisation),
        )
        con.execute(
            "UPDATE versions SET accepted_at = ?, accepted_by = ? WHERE year = ? AND organisation = ? AND number = ?",
            (_now(), who, self.year, organisation, number),
        )
        self._audit(con, who, ACCEPTED, organisation, number, sha256)

    def _recorded(self, con: sqlite3.Connection, organisation: str) -> tuple[str | None, int | None, str | None] | None:
        """What the store wrote in the organisation's inputs file: (sha256, number, pending sha256)."""
        return con.execute(
            "SELECT sha256, number, pending_sha256 FROM accepted_files WHERE year = ? AND organisation = ?",
            (self.year, organisation),
        ).fetchone()

    # --- the audit log --------------------------------------------------------------------------

    def audit_log(self, organisation: str | None = None) -> list[AuditEntry]:
        """Every issue, revoke, upload, submit and accept of the year (or of one organisation), oldest first."""
        query = "SELECT at, who, what, organisation, version, sha256 FROM audit WHERE year = ?"
        values: tuple = (self.year,)
        if organisation is not None:
            query, values = query + " AND organisation = ?", (self.year, organisation)
        with self._reading() as con:
            return [AuditEntry(*row) for row in con.execute(query + " ORDER BY id", values).fetchall()]

    def record_draft_started(self, who: str) -> None:
        """A draft report's build was started (by the analyst's page): into the audit log."""
        with self._writing() as con:
            self._audit(con, who, DRAFT_STARTED, None)

    def _audit(
        self,
        con: sqlite3.Connection,
        who: str,
        what: str,
        organisation: str | None,
        version: int | None = None,
        sha256: str | None = None,
    ) -> None:
        con.execute(
            "INSERT INTO audit (at, year, who, what, organisation, version, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_now(), self.year, _who(who), what, organisation, version, sha256),
        )

    # --- the database and the files ---------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.database, timeout=BUSY_SECONDS, isolation_level=None)
            con.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as error:
            raise UsageError(Message("store.unreadable", path=str(self.database), reason=str(error))) from None
        return con

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the database's write lock from its start (``BEGIN
        IMMEDIATE``: what it reads cannot change before it writes); rolled back on any error."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def _prepare_schema(self) -> None:
        """Create the tables on first use; refuse a database that is not the store's, or is newer."""
        try:
            with self._reading() as con:
                (found,) = con.execute("PRAGMA user_version").fetchone()
                if found != SCHEMA_VERSION:  # a new database (or not ours): WAL is a property of the file, set once
                    con.execute("PRAGMA journal_mode = WAL")
            if found == SCHEMA_VERSION:  # the usual case: no write lock taken to open the store
                return
            with self._writing() as con:  # another process may be creating it at the same moment
                (found,) = con.execute("PRAGMA user_version").fetchone()
                if found == 0 and con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:
                    # one by one: executescript would commit the transaction first
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            con.execute(statement)
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif found > SCHEMA_VERSION:
                    raise UsageError(Message("store.newer", path=str(self.database), found=found, known=SCHEMA_VERSION))
                elif found != SCHEMA_VERSION:
                    raise UsageError(Message("store.not_ours", path=str(self.database)))
        except sqlite3.DatabaseError as error:
            raise UsageError(Message("store.unreadable", path=str(self.database), reason=str(error))) from None

    def _recover(self) -> None:
        """Tidy what a killed process left: its temporary files, and the record of an acceptance
        whose file was already in place (or not yet) when it died."""
        year_folder = self.inputs_dir / str(self.year)
        for folder in [year_folder, *sorted((self.folder / FILES / str(self.year)).glob("*"))]:
            _remove_leftovers(folder)
        query = (
            "SELECT organisation, pending_sha256, pending_number, pending_by, pending_pid FROM accepted_files"
            " WHERE year = ? AND pending_sha256 IS NOT NULL"
        )
        with self._reading() as con:
            if not any(not _alive(row[4]) for row in con.execute(query, (self.year,)).fetchall()):
                return  # the usual case: nothing to finish, no write lock taken
        with self._writing() as con:
            for organisation, sha256, number, who, pid in con.execute(query, (self.year,)).fetchall():
                if _alive(pid):  # an acceptance still under way in another thread or process
                    continue
                target = self.inputs_path(organisation)
                if target.is_file() and not target.is_symlink() and sha256_file(target) == sha256:
                    self._record_accepted(con, organisation, number, sha256, who)
                else:
                    con.execute(
                        "UPDATE accepted_files SET pending_sha256 = NULL, pending_number = NULL, pending_by = NULL,"
                        " pending_pid = NULL WHERE year = ? AND organisation = ?",
                        (self.year, organisation),
                    )

    def _existing(self, con: sqlite3.Connection, organisation: str, number: int) -> Version:
        row = _version_row(con, self.year, organisation, number)
        if row is None:
            raise StoreRefusal(Message("store.no_version", number=number))
        return Version(*row)

    def _files_folder(self, organisation: str) -> Path:
        _check_organisation(organisation)
        return self.folder / FILES / str(self.year) / organisation

    def _read_kept(self, path: Path, sha256: str) -> bytes:
        try:
            data = path.read_bytes()
        except OSError:
            raise StoreDamaged(Message("store.file_missing", path=str(path))) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreDamaged(Message("store.file_changed", path=str(path)))
        return data


# --- writing files so that a crash loses nothing ---------------------------------------------------


def write_durably(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that, whenever the process dies, ``path`` holds its old bytes
    or all of the new ones: a hidden temporary file beside it (named for this process, so a later
    open can tell a dead one's leftover), fsynced, renamed over ``path``, the folder fsynced.
    ``mode``: the file's permissions (default the owner's only, as a temporary file's)."""
    folder = path.parent
    _make_folders(folder)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=PARTIAL, dir=folder)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _keep(path: Path, data: bytes, sha256: str) -> None:
    """Keep ``data`` at its content-named ``path``, unless exactly these bytes are there already."""
    if path.is_file() and not path.is_symlink() and sha256_file(path) == sha256:
        return
    write_durably(path, data)


def _make_folders(folder: Path, private: bool = False) -> None:
    """Create ``folder`` and the missing ones above it, each made durable in its parent."""
    missing = []
    for each in [folder, *folder.parents]:
        if each.is_dir():
            break
        missing.append(each)
    for each in reversed(missing):
        try:
            each.mkdir(mode=0o700 if private else 0o777)
        except FileExistsError:  # another thread made it first
            pass
        _fsync_folder(each.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(folder: Path) -> None:
    """Remove the temporary files of processes that died while writing into ``folder``."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        match = _LEFTOVER.fullmatch(path.name)
        if match and not _alive(int(match[1])) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)


def _may_replace(target: Path, recorded: tuple[str | None, int | None, str | None] | None) -> bool:
    """Whether replacing ``target`` loses nothing: there is none, or it holds bytes the store put
    there (its last acceptance's, or an acceptance's that died after writing them)."""
    if not os.path.lexists(target):
        return True
    if recorded is None or target.is_symlink() or not target.is_file():
        return False
    return sha256_file(target) in {recorded[0], recorded[2]} - {None}


def _mode_in_inputs(target: Path) -> int:
    """The permissions of a workbook put in the inputs folder: those of the file it replaces, or
    a new file's under the process's umask (the analyst may run the pipeline as another user)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _alive(pid: int | None) -> bool:
    """Whether process ``pid`` still runs (this process counts: another of its threads is writing)."""
    if pid is None:
        return False
    return pid == os.getpid() or process_runs(pid)


_ACCEPT_LOCKS: dict[Path, threading.Lock] = {}
_ACCEPT_LOCKS_LOCK = threading.Lock()


@contextmanager
def _accepting(database: Path) -> Iterator[None]:
    """One acceptance at a time per store in this process (its three steps are not one transaction)."""
    with _ACCEPT_LOCKS_LOCK:
        lock = _ACCEPT_LOCKS.setdefault(database.resolve(), threading.Lock())
    with lock:
        yield


# --- small pieces ------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8", "surrogatepass")).hexdigest()


def _matching(token: str, rows: list[tuple[str, str]]) -> str | None:
    """The name of the row whose hash is the token's. Every row is compared, in constant time
    each, so the time taken says nothing about how close a guess was."""
    if not isinstance(token, str):
        return None
    digest = _digest(token)
    found = None
    for name, stored in rows:
        if hmac.compare_digest(stored, digest):
            found = name
    return found


def _active_links(year: int, organisation: str | None, column: str = "1") -> tuple[str, tuple]:
    if organisation is None:
        return f"SELECT {column} FROM links WHERE year = ? AND revoked_at IS NULL AND organisation IS NULL", (year,)
    return f"SELECT {column} FROM links WHERE year = ? AND revoked_at IS NULL AND organisation = ?", (year, organisation)


def _version_row(con: sqlite3.Connection, year: int, organisation: str, number: int) -> tuple | None:
    return con.execute(
        f"SELECT {_VERSION_COLUMNS} FROM versions WHERE year = ? AND organisation = ? AND number = ?",
        (year, organisation, number),
    ).fetchone()


def _check_organisation(organisation: str) -> None:
    """An organisation's id becomes a folder and a file name: only a plain id may."""
    if not isinstance(organisation, str) or not ORGANISATION_ID.fullmatch(organisation):
        raise ValueError(f"not an organisation id: {organisation!r}")


def _who(who: str) -> str:
    if not isinstance(who, str) or not who.strip():
        raise ValueError("every change names who made it")
    return who


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
