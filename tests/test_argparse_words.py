"""The command line's own words — its help, its usage errors, argparse's titles — in the
analyst's language, through the real command line (Finnish by default)."""

from __future__ import annotations

import argparse
import gettext
import inspect
import re

import pytest

from hki_intl import PROJECT_ROOT, cli
from hki_intl.argparse_words import ARGPARSE_WORDS, argparse_speaks
from hki_intl.messages import LANGUAGES, use_language
from tests.conftest import run_cli

USAGE_ERROR = {  # `run --year 2025` without --inputs
    "fi": (
        "käyttö: pipeline.py run [-h] --year VUOSI --inputs KANSIO [--out KANSIO]",
        "pipeline.py run: virhe: pakolliset valitsimet puuttuvat: --inputs",
    ),
    "sv": (
        "användning: pipeline.py run [-h] --year ÅR --inputs MAPP [--out MAPP]",
        "pipeline.py run: fel: obligatoriska argument saknas: --inputs",
    ),
    "en": (
        "usage: pipeline.py run [-h] --year YEAR --inputs DIR [--out DIR]",
        "pipeline.py run: error: the following arguments are required: --inputs",
    ),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_usage_error_in_three_languages(lang):
    done = run_cli("run", "--year", "2025", messages=None if lang == "fi" else lang)  # Finnish by default
    usage, error = USAGE_ERROR[lang]
    lines = done.stderr.splitlines()
    assert (done.returncode, lines[0], lines[-1]) == (2, usage, error)
    assert done.stdout == ""


HELP = {
    "fi": [
        "käyttö: pipeline.py [-h] [--params KANSIO] [--debug] [--messages {fi,sv,en}]",
        "Helsingin kaupungin kansainvälisen toiminnan vuosiraportti.",
        "valitsimet:",
        "  -h, --help            näytä tämä ohje ja lopeta",
        "komennot:",
        "    run                 tarkista, yhdistä, aja muistikirjat ja kokoa raportti",
    ],
    "sv": [
        "användning: pipeline.py [-h] [--params MAPP] [--debug] [--messages {fi,sv,en}]",
        "Helsingfors stads årliga rapport om den internationella verksamheten.",
        "alternativ:",
        "  -h, --help            visa den här hjälpen och avsluta",
        "kommandon:",
    ],
    "en": [
        "usage: pipeline.py [-h] [--params DIR] [--debug] [--messages {fi,sv,en}]",
        "Helsinki's annual international-activity report.",
        "options:",
        "  -h, --help            show this help message and exit",
        "commands:",
        "    run                 validate, consolidate, run the notebooks and build the report",
    ],
}
RUN_HELP = {
    "fi": ["  --year VUOSI          raporttivuosi", "  --quiet               tulosta vain tulos"],
    "sv": ["  --year ÅR             rapportåret", "  --quiet               skriv bara ut resultatet"],
    "en": ["  --year YEAR           the report year", "  --quiet               print only the result"],
}
ENGLISH_WORDS = ("usage:", "options:", "show this help", "positional arguments", "the report year", "COMMAND")


def _flat(text: str) -> str:
    """The words, as argparse wraps them for a terminal of any width."""
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_help_in_three_languages(lang):
    chosen = None if lang == "fi" else lang
    main, run = run_cli("--help", messages=chosen), run_cli("run", "--help", messages=chosen)
    assert (main.returncode, run.returncode, main.stderr, run.stderr) == (0, 0, "", "")
    assert [line for line in HELP[lang] if _flat(line) not in _flat(main.stdout)] == []
    assert [line for line in RUN_HELP[lang] if _flat(line) not in _flat(run.stdout)] == []
    if lang != "en":
        assert [word for word in ENGLISH_WORDS if word in main.stdout + run.stdout] == []


def test_a_wrong_language_is_said_in_the_default_language_with_the_real_usage():
    """``--messages de`` cannot choose the language, so Finnish (params/report.yaml's) says it is
    wrong — with the command line's usage, not that of the first look at the options."""
    done = run_cli("--messages", "de", "run", messages=None)
    lines = done.stderr.splitlines()
    assert (done.returncode, lines[0]) == (2, "käyttö: pipeline.py [-h] [--params KANSIO] [--debug] [--messages {fi,sv,en}]")
    assert lines[-1] == "pipeline.py: virhe: --messages: tuntematon valinta 'de' (valitse jokin näistä: 'fi', 'sv', 'en')"
    done = run_cli("status", "--year", "2025", "--inputs", "x", "--lang", "de", messages="sv")
    assert done.stderr.splitlines()[-1] == "pipeline.py status: fel: --lang: okänt val 'de' (välj bland 'fi', 'sv', 'en')"


@pytest.mark.parametrize(
    "args, fi, en",
    [
        (["--jobs", "x"], "run: virhe: --jobs: ei ole kokonaisluku: 'x'", "run: error: argument --jobs: not a whole number: 'x'"),
        (
            ["--f"],
            "run: virhe: --f on epäselvä: se voi olla --format, --force; kirjoita valitsin kokonaan",
            "run: error: ambiguous option: --f could match --format, --force",
        ),
        (
            ["--quiet=1"],
            "run: virhe: --quiet: ei ota arvoa, mutta sai arvon '1'",
            "run: error: argument --quiet: ignored explicit argument '1'",
        ),
        (["--out"], "run: virhe: --out: arvo puuttuu", "run: error: argument --out: expected one argument"),
        (["extra"], ": virhe: tuntemattomat valitsimet: extra", ": error: unrecognized arguments: extra"),  # the whole line's
    ],
)
def test_argparses_errors_in_finnish_and_english(args, fi, en):
    base = ["run", "--year", "2025", "--inputs", "x", *args]
    finnish, english = run_cli(*base, messages=None), run_cli(*base)
    assert (finnish.returncode, english.returncode) == (2, 2)
    assert finnish.stderr.splitlines()[-1] == f"pipeline.py{' ' if fi[0] != ':' else ''}{fi}"
    assert english.stderr.splitlines()[-1] == f"pipeline.py{' ' if en[0] != ':' else ''}{en}"


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **commands.choices}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_option_of_every_command_has_its_help_in_every_language(lang):
    use_language(lang)
    try:
        with argparse_speaks():
            parsers = _parsers()
            screens = {name: parser.format_help() for name, parser in parsers.items()}  # a stray % would fail here
    finally:
        use_language("en")
    actions = [(name, a) for name, p in parsers.items() for a in p._actions]
    commands = [("", c) for _, a in actions if isinstance(a, argparse._SubParsersAction) for c in a._choices_actions]
    explained = [(name, a) for name, a in actions + commands if not isinstance(a, argparse._SubParsersAction)]
    unexplained = [f"{name} {a.dest}" for name, a in explained if not a.help]
    assert len(commands) == len(parsers) - 1
    assert unexplained == []
    assert all(screens.values())


def test_every_command_and_option_is_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    named = {f"`{name}`" if name else "pipeline.py --help": p for name, p in _parsers().items()}
    missing = [f"{name} {option}" for name, p in named.items() for a in p._actions for option in a.option_strings]
    missing = [m for m in missing if m.split()[-1] not in readme]
    assert [name for name in named if name not in readme] == []
    assert missing == []


FIELD = re.compile(r"%(?:\(\w+\))?[sr]")


def test_every_argparse_text_is_argparses_and_keeps_its_values_in_every_language():
    """A newer Python that rewords one of these would print it in English: this fails first. And
    every language fills in what argparse gives (the type's name, code-like, may be left out)."""
    source = inspect.getsource(argparse)
    assert [t for t in ARGPARSE_WORDS if repr(t) not in source and f'"{t}"' not in source] == []
    translations = {lang: {} for lang in LANGUAGES}
    for lang in LANGUAGES:
        use_language(lang)
        try:
            with argparse_speaks():
                translations[lang] = {t: argparse._(t) for t in ARGPARSE_WORDS}  # type: ignore[attr-defined]
        finally:
            use_language("en")
    for english, words in ((t, [translations[lang][t] for lang in LANGUAGES]) for t in ARGPARSE_WORDS):
        fields = sorted(FIELD.findall(english))
        for said in words:
            assert sorted(FIELD.findall(said)) in (fields, [f for f in fields if f != "%(type)s"]), (english, said)
            assert said[len(said.rstrip()) :] == english[len(english.rstrip()) :]  # "usage: " and the error's newline
    assert translations["en"] == {t: t for t in ARGPARSE_WORDS}  # English as argparse says it


def test_argparse_has_its_own_words_back_after_the_command_line():
    with pytest.raises(SystemExit):
        cli.main(["--messages", "fi", "--help"])
    use_language("en")
    assert (argparse._, argparse.ngettext) == (gettext.gettext, gettext.ngettext)  # type: ignore[attr-defined]
