"""Messages in the analyst's language: the catalogue (params/messages.yaml) against the code, both
ways, and a representative set of messages in fi, sv and en — through the real command line
where a user meets them. The rest of the suite asserts English (tests/conftest.py)."""

from __future__ import annotations

import ast
import json
import shutil

import pytest

from hki_intl import PARAMS_DIR, PROJECT_ROOT
from hki_intl.config.models import placeholders
from hki_intl.errors import UsageError, collapse, count_line
from hki_intl.intake import stored
from hki_intl.intake.read import read_submission
from hki_intl.messages import Message, catalogue, use_language
from tests.conftest import RECORDS, YEAR, run_cli

PACKAGE = PROJECT_ROOT / "hki_intl"
MAKERS = {"Message", "text"}  # the functions whose first argument is a catalogue key


def _calls() -> list[tuple[str, str, ast.Call]]:
    """Every ``Message("key", …)`` and ``text("key", …)`` in the package: (file, key, call)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # text(…) and Message(…) by name (a method called text, as the open data's words have, is another thing)
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in MAKERS if isinstance(node.func, ast.Name) else name == "Message":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((path.name, first.value, node))
    return found


def _constants() -> set[str]:
    """Every string constant in the package (a key may be chosen from a table of keys)."""
    return {
        node.value
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_key_the_code_uses_is_in_the_catalogue_with_the_values_it_fills_in():
    words = catalogue()
    unknown = sorted({f"{file}: {key}" for file, key, _ in _calls() if key not in words})
    assert not unknown, unknown
    mismatched = []
    for file, key, call in _calls():
        if any(k.arg is None for k in call.keywords):  # **values: checked when rendered
            continue
        given = {k.arg for k in call.keywords}
        if given != placeholders(words[key]["en"]):
            mismatched.append(f"{file}: {key} fills {sorted(given)}, the catalogue has {sorted(placeholders(words[key]['en']))}")
    assert not mismatched, mismatched


def test_every_key_of_the_catalogue_is_used_by_the_code():
    used = _constants()
    assert sorted(key for key in catalogue() if key not in used) == []


def test_the_catalogue_is_checked_like_the_other_params_files(tmp_path):
    text = (PARAMS_DIR / "messages.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "messages.yaml"
    broken.write_text(text.replace('  sv: "{count} problem hittades; rätta dem och kör igen."\n', ""), encoding="utf-8")
    with pytest.raises(UsageError, match=r"messages\.yaml: count\.problems\.sv: missing; every text needs its words in fi, sv"):
        catalogue.__wrapped__(tmp_path)
    broken.write_text(text.replace("{count} ongelmaa löytyi", "{määrä} ongelmaa löytyi"), encoding="utf-8")
    with pytest.raises(UsageError, match=r"count\.problems: the languages fill in different placeholders"):
        catalogue.__wrapped__(tmp_path)


@pytest.fixture
def language():
    """Render in a language for one test, then back to the tests' English."""
    yield use_language
    use_language("en")


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "fi",
            "tyyppi: tuntematon arvo ('Seminaari'); valitse arvo pudotusvalikosta, esim. 'Hanke', 'EU-hanke', 'Verkostotyö' …",
        ),
        (
            "sv",
            "typ: okänt värde ('Seminaari'); välj ett värde i rullgardinslistan, t.ex. 'Projekt', 'EU-projekt', "
            "'Nätverksarbete' …",
        ),
        ("en", "unknown type ('Seminaari'); choose a value from the dropdown, e.g. 'Project', 'EU project', 'Network work' …"),
    ],
)
def test_a_cell_problem_is_made_once_and_shown_in_any_language(write_workbook, strategy, settings, language, lang, expected):
    path = write_workbook(RECORDS, edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminaari"))
    _, problems = read_submission(path, YEAR, strategy, settings)
    assert [p.text(lang) for p in problems] == [expected]
    language(lang)
    assert [str(p) for p in problems] == [f"{path}: Toiminnot!B2: {expected}"]
    kept = stored.decode(json.loads(json.dumps(stored.encode(None, problems, str))), path, str)[1]  # as the cache keeps it
    assert kept == problems and [p.text(lang) for p in kept] == [expected]


def test_count_line_in_three_languages(language):
    from hki_intl.errors import WARNING, Problem

    problems = [Problem("a.xlsx", message=Message("photo.unnamed")), Problem("b.xlsx", severity=WARNING)]
    lines = {}
    for lang in ("fi", "sv", "en"):
        language(lang)
        lines[lang] = [count_line(problems[:1]), count_line(problems), count_line(problems * 2)]
    assert lines == {
        "fi": [
            "1 ongelma löytyi; korjaa se ja aja uudelleen.",
            "1 virhe ja 1 varoitus löytyi; korjaa virheet ja aja uudelleen.",
            "2 virhettä ja 2 varoitusta löytyi; korjaa virheet ja aja uudelleen.",
        ],
        "sv": [
            "1 problem hittades; rätta det och kör igen.",
            "1 fel och 1 varning hittades; rätta felen och kör igen.",
            "2 fel och 2 varningar hittades; rätta felen och kör igen.",
        ],
        "en": [
            "1 problem found; fix them and run again.",
            "1 error and 1 warning found; fix the errors and run again.",
            "2 errors and 2 warnings found; fix the errors and run again.",
        ],
    }


def test_collapse_groups_problems_by_their_message_key_in_any_language(language):
    from hki_intl.errors import Problem

    problems = [
        Problem("a.xlsx", "Toiminnot", row, 12, f"L{row}", Message("cell.error_value", column="budjetti", code=f"#N/A{row}"))
        for row in range(2, 9)
    ]
    language("sv")
    (line,) = [str(p) for p in collapse(problems)]
    assert line == (
        "a.xlsx: Toiminnot!L2:L8: 7 likadana celler, den första L2: budjetti: ett felvärde (#N/A2); rätta formeln som "
        "ger det, eller skriv värdet"
    )


HOSTILE = {
    "fi": "tiedosto ei ole Excel-työkirja (tekstiä, joka alkaa 'not a workbook'); tallenna se Excelissä muodossa "
    "'Excel-työkirja (*.xlsx)'",
    "sv": "filen är inte en Excel-arbetsbok (text som börjar med 'not a workbook'); spara den i Excel som "
    "'Excel-arbetsbok (*.xlsx)'",
    "en": "the file is not an Excel workbook (text starting 'not a workbook'); save it in Excel as 'Excel Workbook (*.xlsx)'",
}
ONE_PROBLEM = {
    "fi": "1 ongelma löytyi; korjaa se ja aja uudelleen.",
    "sv": "1 problem hittades; rätta det och kör igen.",
    "en": "1 problem found; fix them and run again.",
}


@pytest.fixture(scope="module")
def hostile_inputs(tmp_path_factory):
    inputs = tmp_path_factory.mktemp("hostile")
    (inputs / str(YEAR)).mkdir()
    (inputs / str(YEAR) / "education.xlsx").write_text("not a workbook\n")
    return inputs


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_validate_speaks_the_language_asked_for(hostile_inputs, lang):
    path = hostile_inputs / str(YEAR) / "education.xlsx"
    for done in (
        run_cli("--messages", lang, "validate", "--year", str(YEAR), "--inputs", str(hostile_inputs), messages=None),
        run_cli("validate", "--year", str(YEAR), "--inputs", str(hostile_inputs), "--lang", lang, messages=None),
    ):
        assert done.returncode == 1
        assert done.stderr.splitlines() == [f"{path}: {HOSTILE[lang]}", ONE_PROBLEM[lang]]


def test_finnish_by_default_and_report_yaml_chooses_another(hostile_inputs, tmp_path):
    path = hostile_inputs / str(YEAR) / "education.xlsx"
    default = run_cli("validate", "--year", str(YEAR), "--inputs", str(hostile_inputs), messages=None)
    assert default.stderr.splitlines() == [f"{path}: {HOSTILE['fi']}", ONE_PROBLEM["fi"]]

    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    report = params / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("messages: fi ", "messages: sv "), encoding="utf-8")
    args = ("--params", str(params), "validate", "--year", str(YEAR), "--inputs", str(hostile_inputs))
    assert run_cli(*args, messages=None).stderr.splitlines() == [f"{path}: {HOSTILE['sv']}", ONE_PROBLEM["sv"]]
    assert run_cli(*args, messages="en").stderr.splitlines() == [f"{path}: {HOSTILE['en']}", ONE_PROBLEM["en"]]  # the option wins


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "fi",
            "virhe: params/report.yaml: compare_years: -1 on pienempi kuin 0; kuinka moneen aiempaan vuoteen raportti vertaa",
        ),
        ("sv", "fel: params/report.yaml: compare_years: -1 är mindre än 0; hur många tidigare år rapporten jämför med"),
        ("en", "error: params/report.yaml: compare_years: -1 is below 0; how many earlier years the report compares with"),
    ],
)
def test_a_params_error_in_three_languages(tmp_path, lang, expected):
    """Both halves of the line: what is wrong, and what the key expects (its description's key)."""
    shutil.copytree(PARAMS_DIR, tmp_path / "params")
    report = tmp_path / "params" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("compare_years: 2 ", "compare_years: -1 "), encoding="utf-8")
    done = run_cli("--params", "params", "validate", "--year", str(YEAR), "--inputs", "inputs", cwd=tmp_path, messages=lang)
    assert (done.returncode, done.stderr.splitlines()) == (2, [expected])


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("fi", "virhe: params/strategy.yaml: goals[0].sv: puuttuu; jokainen tavoite tarvitsee nimen kielillä fi, sv ja en"),
        ("sv", "fel: params/strategy.yaml: goals[0].sv: saknas; varje mål behöver en etikett på fi, sv och en"),
        ("en", "error: params/strategy.yaml: goals[0].sv: missing; every goal needs a label in fi, sv and en"),
    ],
)
def test_a_missing_params_key_names_what_it_expects_in_three_languages(tmp_path, lang, expected):
    shutil.copytree(PARAMS_DIR, tmp_path / "params")
    strategy = tmp_path / "params" / "strategy.yaml"
    text = strategy.read_text(encoding="utf-8")
    first_sv = text.index("sv:", text.index("goals:"))
    strategy.write_text(text[:first_sv] + "# " + text[first_sv:], encoding="utf-8")
    done = run_cli("--params", "params", "validate", "--year", str(YEAR), "--inputs", "inputs", cwd=tmp_path, messages=lang)
    assert (done.returncode, done.stderr.splitlines()) == (2, [expected])


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("fi", "virhe: --years: kirjoita vuodet muodossa 2023-2025 tai 2023,2025, ei '2025-20x'"),
        ("sv", "fel: --years: skriv åren som 2023-2025 eller 2023,2025, inte '2025-20x'"),
        ("en", "error: argument --years: write years as 2023-2025 or 2023,2025, not '2025-20x'"),
    ],
)
def test_a_usage_error_of_the_options_in_three_languages(tmp_path, lang, expected):
    done = run_cli("example", "--out", str(tmp_path), "--years", "2025-20x", messages=lang)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"pipeline.py example: {expected}"


def test_the_lines_of_a_command_in_finnish(tmp_path):
    done = run_cli("templates", "--year", str(YEAR), "--out", str(tmp_path), messages=None)
    folder = tmp_path / str(YEAR)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"kirjoitettiin 9 pohjaa kansioon {folder}",
        f"kirjoitettiin analyytikon täytettävät tekstit: analyst-fi.md, analyst-sv.md, analyst-en.md kansioon {folder}",
    ]
    again = run_cli("validate", "--year", str(YEAR), "--inputs", str(tmp_path), messages=None)
    assert again.stdout.splitlines() == [f"vuoden {YEAR} työkirjoja on 9, ja ne ovat kunnossa."]
    assert (
        again.stderr.splitlines()[-1] == "12 varoitusta; tarkista ne (ne eivät jätä työkirjoja raportin ulkopuolelle)."
    )  # 9 untouched templates, 3 analyst texts


def test_the_analysts_problems_csv_is_in_the_analysts_language(strategy, settings, write_workbook, language):
    from hki_intl.intake.read import load_submissions
    from hki_intl.intake.tables import problems_frame

    path = write_workbook(RECORDS, edit=lambda wb: wb["Toiminnot"].__setitem__("B2", "Seminaari"))
    result = load_submissions(path.parent.parent, [YEAR], strategy, settings)
    language("sv")
    assert problems_frame(result.problems)["message"].tolist()[0].startswith("typ: okänt värde ('Seminaari')")
