"""``pipeline.py links`` through the real command line: one line per organisation with its new
link, which then opens that organisation; a new link revokes the earlier one; ``--revoke``;
``--analyst``; only hashes stored; the audit log; wrong options refused in one line."""

from __future__ import annotations

import re
import subprocess

import pytest

from hki_intl import cli
from hki_intl.config.params import load_strategy
from hki_intl.serve.store import ANALYST_LINK_ISSUED, LINK_ISSUED, LINK_REVOKED, Store
from tests.conftest import YEAR, run_cli

LINE = re.compile(
    r"(?P<name>.+): (?P<base>\S+)/c/(?P<token>[A-Za-z0-9_-]{43})(?P<note> \(new; the earlier link no longer works\))?"
)
KEEP_SECRET = (
    "Each link is shown only now and opens its organisation's page to whoever has it: send each only to its own organisation."
)


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


def links(inputs, *options, messages="en"):
    """The real command line in a process of its own, as the analyst runs it."""
    return run_cli("links", "--year", str(YEAR), "--inputs", str(inputs), *options, messages=messages)


@pytest.fixture
def links_here(capsys):
    """The same command line in this process (``cli.main``): quicker for the tests that run it often."""

    def run(inputs, *options):
        code = cli.main(["--messages", "en", "links", "--year", str(YEAR), "--inputs", str(inputs), *options])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["links", *options], code, out, err)

    return run


def parsed(stdout: str) -> list[re.Match]:
    lines = stdout.splitlines()
    matches = [LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    return [m for m in matches if m]


def test_every_organisation_gets_a_link_that_opens_its_own_page(inputs):
    done = links(inputs)
    assert (done.returncode, done.stderr.splitlines()) == (0, [KEEP_SECRET])
    strategy = load_strategy()
    organisations = strategy.organisations_in(YEAR)
    shown = parsed(done.stdout)
    assert [m["name"] for m in shown] == [strategy.organisations.label(org, "en") for org in organisations]
    assert {m["base"] for m in shown} == {"http://127.0.0.1:8000"} and not any(m["note"] for m in shown)
    store = Store.open(inputs, YEAR)
    assert [store.organisation_for(m["token"]) for m in shown] == organisations
    assert not any(store.is_analyst_token(m["token"]) for m in shown)
    log = store.audit_log()
    assert [(e.what, e.organisation) for e in log] == [(LINK_ISSUED, org) for org in organisations]
    assert all(re.fullmatch(r"cli(:.+)?", e.who) for e in log)

    kept = b"".join(p.read_bytes() for p in (inputs / ".serve").glob("serve.sqlite*"))
    assert not [m["token"] for m in shown if m["token"].encode() in kept]  # only their hashes are stored


def test_a_new_link_revokes_the_earlier_and_revoke_stops_one(inputs, links_here):
    links = links_here
    first = {m["name"]: m["token"] for m in parsed(links(inputs).stdout)}
    again = links(inputs, "--organisation", "education", "--base-url", "https://palaute.hel.fi/kv/")
    (shown,) = parsed(again.stdout)
    assert (shown["name"], shown["base"], shown["note"]) == (
        "Education Division",
        "https://palaute.hel.fi/kv",
        " (new; the earlier link no longer works)",
    )
    store = Store.open(inputs, YEAR)
    assert store.organisation_for(first["Education Division"]) is None
    assert store.organisation_for(shown["token"]) == "education"

    revoked = links(inputs, "--revoke", "forum_virium", "--revoke", "education")
    assert (revoked.returncode, revoked.stderr) == (0, "")
    assert revoked.stdout.splitlines() == [
        "Forum Virium Helsinki: the link no longer works",
        "Education Division: the link no longer works",
    ]
    assert store.organisation_for(first["Forum Virium Helsinki"]) is None and store.organisation_for(shown["token"]) is None
    assert store.organisation_for(first["Helsinki Partners"]) == "helsinki_partners"  # the others still work
    assert links(inputs, "--revoke", "forum_virium").stdout.splitlines() == ["Forum Virium Helsinki: had no link to stop"]
    revokes = [(e.what, e.organisation) for e in store.audit_log() if e.what == LINK_REVOKED]
    assert revokes == [(LINK_REVOKED, "education"), (LINK_REVOKED, "forum_virium"), (LINK_REVOKED, "education")]


def test_the_analysts_link(inputs, links_here):
    links = links_here
    done = links(inputs, "--analyst")
    (line,) = done.stdout.splitlines()
    found = re.fullmatch(r"the analyst's page: http://127\.0\.0\.1:8000/a/(\S{43})", line)
    assert found and Store.open(inputs, YEAR).is_analyst_token(found[1])
    assert Store.open(inputs, YEAR).organisation_for(found[1]) is None
    again = links(inputs, "--analyst", "--organisation", "education")
    assert again.stdout.splitlines()[1].endswith(" (new; the earlier link no longer works)")
    assert not Store.open(inputs, YEAR).is_analyst_token(found[1])
    assert [e.what for e in Store.open(inputs, YEAR).audit_log(None) if e.organisation is None] == [
        ANALYST_LINK_ISSUED,
        "analyst_link_revoked",
        ANALYST_LINK_ISSUED,
    ]


def test_in_finnish_by_default(inputs):
    done = links(inputs, "--organisation", "education", messages=None)
    assert re.fullmatch(r"Kasvatuksen ja koulutuksen toimiala: http://127\.0\.0\.1:8000/c/\S{43}", done.stdout.strip())
    assert done.stderr.startswith("Jokainen linkki näytetään vain nyt")


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            ["--organisation", "education", "--organisation", "kasko"],
            "error: --organisation: unknown organisation 'kasko'; the organisations of 2025: cityexec_international, "
            "cityexec_communications, cityexec_economic, education, urban_environment, culture_leisure, social_health, "
            "helsinki_partners, forum_virium",
        ),
        (["--revoke", "Education"], "error: --revoke: unknown organisation 'Education'; the organisations of 2025: "),
        (
            ["--base-url", "palaute.hel.fi"],
            "error: --base-url: 'palaute.hel.fi' is not a web address; write it as http://host:port or https://host/path",
        ),
    ],
)
def test_a_wrong_option_is_one_line_and_changes_nothing(inputs, links_here, options, expected):
    done = links_here(inputs, *options)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(expected)
    assert not (inputs / ".serve").exists()


def test_an_inputs_folder_that_does_not_exist(tmp_path):
    done = links(tmp_path / "nowhere")
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [
            f"error: {tmp_path / 'nowhere'}: the inputs folder does not exist; give --inputs the folder that holds "
            "<year>/<organisation-id>.xlsx"
        ],
    )
