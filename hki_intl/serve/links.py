"""``pipeline.py links``: each organisation's secret link to the submission page, and the
analyst's, printed once; an earlier link of the same organisation stops working.

The organisations are those ``params/strategy.yaml`` expects for the year (as ``status`` and
``templates`` list them). Every option is checked before anything changes: a wrong organisation
or base URL changes no link.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hki_intl.config.params import Strategy
from hki_intl.errors import UsageError
from hki_intl.messages import Message, language_in_use, text
from hki_intl.serve.store import Store

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # where `serve` listens by default


@dataclass(frozen=True)
class LinksAsked:
    """What ``links`` was asked: new links for ``organisations`` (and the analyst's), and the
    organisations whose link is to stop working."""

    inputs: Path
    year: int
    base_url: str
    organisations: tuple[str, ...]
    analyst: bool
    revoke: tuple[str, ...]


def links_asked(
    inputs: Path,
    year: int,
    strategy: Strategy,
    base_url: str | None,
    organisations: list[str] | None,
    analyst: bool,
    revoke: list[str] | None,
) -> LinksAsked:
    """The options checked: a known organisation each, a web address to start the links with.
    Without ``--organisation``, ``--analyst`` or ``--revoke``: a new link for every organisation."""
    known = strategy.organisations_in(year)
    for option, given in [*(("--organisation", o) for o in organisations or []), *(("--revoke", o) for o in revoke or [])]:
        if given not in known:
            raise UsageError(
                Message("links.unknown_organisation", option=option, value=repr(given), year=year, known=", ".join(known))
            )
    chosen = organisations or ([] if analyst or revoke else known)
    return LinksAsked(
        inputs=Path(inputs),
        year=year,
        base_url=checked_base_url(base_url or DEFAULT_BASE_URL),
        organisations=tuple(dict.fromkeys(chosen)),
        analyst=analyst,
        revoke=tuple(dict.fromkeys(revoke or [])),
    )


def checked_base_url(given: str) -> str:
    """``http(s)://host[:port][/path]`` without a trailing slash, query or fragment."""
    parts = urlsplit(given.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or " " in given.strip():
        raise UsageError(Message("links.bad_base_url", value=repr(given)))
    return given.strip().rstrip("/")


def make_links(asked: LinksAsked, strategy: Strategy, who: str | None = None) -> list[str]:
    """Revoke, then issue, the links asked; the lines to print, one per organisation (and the
    analyst), in the language in use. Each new link is shown here and never again."""
    store = Store.open(asked.inputs, asked.year)
    who = who or command_line_user()
    lang = language_in_use()
    lines = []
    for organisation in asked.revoke:
        name = strategy.organisations.label(organisation, lang)
        revoked = store.revoke_link(organisation, who)
        lines.append(text("links.revoked" if revoked else "links.nothing_to_revoke", name=name))
    for organisation in asked.organisations:
        name = strategy.organisations.label(organisation, lang)
        earlier = store.has_link(organisation)
        url = f"{asked.base_url}/c/{store.issue_link(organisation, who)}"
        lines.append(text("links.link_replaced" if earlier else "links.link", name=name, url=url))
    if asked.analyst:
        earlier = store.has_link(None)
        url = f"{asked.base_url}/a/{store.issue_analyst_link(who)}"
        lines.append(text("links.analyst_replaced" if earlier else "links.analyst", url=url))
    return lines


def command_line_user() -> str:
    """Who issues links from the command line, for the audit log: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (a container without a user entry)
        return "cli"
