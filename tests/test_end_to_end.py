"""The whole pipeline through the real command line: example → run → the reports (HTML and
PDF in fi, sv and en).

Expected figures are computed here straight from the example workbooks with openpyxl and the
labels in params/strategy.yaml — not with the pipeline's intake or analysis — and compared
with what the report shows.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from hki_intl import PROJECT_ROOT
from hki_intl.report.formatting import change, fmt_eur, fmt_number, fmt_percent
from tests.conftest import run_cli
from tests.report import expected

pytestmark = pytest.mark.slow
YEAR, PREVIOUS = 2025, 2024


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """A sheet's rows as dicts keyed by the header text (the required mark stripped)."""
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)[sheet]
    values = list(ws.iter_rows(values_only=True))
    header = [str(h).removesuffix(" *") if h else "" for h in values[0]]
    return [dict(zip(header, r, strict=False)) for r in values[1:] if any(v not in (None, "") for v in r)]


def workbook_rows(inputs: Path, year: int, sheet: str) -> list[dict[str, object]]:
    out = []
    for path in sorted((inputs / str(year)).glob("*.xlsx")):
        for row in rows(path, sheet):
            out.append({**row, "_org": path.stem})
    return out


def card(report: str, metric: str) -> tuple[str, str]:
    """(value, change text) of a headline card; the first card of that metric in the report."""
    match = re.search(
        rf'data-metric="{metric}"><span class="value"[^>]*>([^<]*)</span><span class="label">[^<]*</span>'
        rf'(?:<span class="delta">([^<]*)</span>)?',
        report,
    )
    assert match, f"no card for {metric}"
    return html.unescape(match[1]), html.unescape(match[2] or "")


def expect_card(report: str, metric: str, now: float, before: float, money: bool = False) -> None:
    show = (lambda v: fmt_eur(v, "fi")) if money else (lambda v: fmt_number(v, "fi"))
    value, delta = card(report, metric)
    assert value == show(now)
    assert delta == f"{fmt_percent(change(now, before), 'fi', signed=True)} vuodesta {PREVIOUS}"


def test_headline_figures_match_the_workbooks(example):
    root, report = example
    inputs = root / "inputs"
    acts = {y: workbook_rows(inputs, y, "Toiminnot") for y in (YEAR, PREVIOUS)}
    competence = {y: sum(1 for r in acts[y] if r["Päätavoite"] == "Osaamisen ja ymmärryksen kasvattaminen") for y in acts}
    expect_card(report, "competence_activities", competence[YEAR], competence[PREVIOUS])
    funding = {y: sum(float(r["Ulkoinen rahoitus (EUR)"] or 0) for r in acts[y]) for y in acts}
    expect_card(report, "external_funding_eur", funding[YEAR], funding[PREVIOUS], money=True)
    media = {y: len(workbook_rows(inputs, y, "Näkyvyys")) for y in (YEAR, PREVIOUS)}
    expect_card(report, "media_items", media[YEAR], media[PREVIOUS])
    visits = {
        y: sum(1 for r in workbook_rows(inputs, y, "Vierailut") if r["Suunta"] == "Saapuva vierailu Helsinkiin")
        for y in (YEAR, PREVIOUS)
    }
    expect_card(report, "incoming_visits", visits[YEAR], visits[PREVIOUS])
    nets = {y: workbook_rows(inputs, y, "Verkostot") for y in (YEAR, PREVIOUS)}
    expect_card(report, "network_memberships", len(nets[YEAR]), len(nets[PREVIOUS]))
    influence = {
        y: sum(1 for r in nets[y] if r["Rooli"] in ("Hallituksen jäsen", "Puheenjohtaja", "Perustajajäsen")) for y in nets
    }
    expect_card(report, "influence_roles", influence[YEAR], influence[PREVIOUS])


def test_key_messages_carry_the_numbers(example):
    root, report = example
    acts = workbook_rows(root / "inputs", YEAR, "Toiminnot")
    before = workbook_rows(root / "inputs", PREVIOUS, "Toiminnot")
    goal = "Osaamisen ja ymmärryksen kasvattaminen"
    now, then = (sum(1 for r in a if r["Päätavoite"] == goal) for a in (acts, before))
    sentence = (
        f"Osaamista kasvattavat toiminnot: {fmt_number(now, 'fi')} vuonna {YEAR}, "
        f"{fmt_percent(change(now, then), 'fi', signed=True)} vuodesta {PREVIOUS} ({fmt_number(then, 'fi')})."
    )
    assert f"<li>{html.escape(sentence)}</li>" in report


def test_the_organisation_table_adds_up(example):
    root, report = example
    acts = [
        r
        for r in workbook_rows(root / "inputs", YEAR, "Toiminnot")
        if r["Päätavoite"] == "Osaamisen ja ymmärryksen kasvattaminen"
    ]
    per_org = Counter(r["_org"] for r in acts)
    table = re.search(r"<table><caption><strong>Toiminnot organisaatioittain, 2025: Osaamisen.*?</table>", report, re.S)[0]
    body = re.search(r"<tbody>.*?</tbody>", table, re.S)[0]
    first_rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num"[^>]*>([^<]*)</td>', body)
    assert len(first_rows) == len(per_org)
    assert sorted(html.unescape(n) for _, n in first_rows) == sorted(fmt_number(v, "fi") for v in per_org.values())
    total = re.search(r'<tfoot><tr><th scope="row">Yhteensä</th><td class="num"[^>]*>([^<]*)</td>', table)[1]
    assert html.unescape(total) == fmt_number(len(acts), "fi")


def test_findings_name_the_organisation_and_item(example):
    root, report = example
    nets = workbook_rows(root / "inputs", YEAR, "Verkostot")
    ownerless = [r for r in nets if not r["Vastuuyksikkö"]]
    assert ownerless, "the example data must contain a membership without an owner"
    strategy = expected.params("strategy")
    rules = {str(rule["id"]): rule for rule in strategy["findings"]}
    findings = expected.section(report, "finding-membership-without-owner")
    assert findings.startswith(f'id="finding-membership-without-owner">{html.escape(rules["membership_without_owner"]["fi"])}')
    organisations = {str(o["id"]): str(o["fi"]) for o in strategy["organisations"]}
    for row in ownerless:
        assert f"<li>{html.escape(organisations[row['_org']])}: {html.escape(row['Verkosto'])}</li>" in findings
    twins = [
        r
        for r in workbook_rows(root / "inputs", YEAR, "Kumppanuudet")
        if r["Sopimustyyppi"] == "Ystävyyskaupunkisopimus" and not r["Strateginen tavoite"]
    ]
    assert twins
    findings = expected.section(report, "finding-twin-city-without-goal")
    for row in twins:
        assert f": {html.escape(row['Kumppanikaupunki'])}</li>" in findings


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_findings_are_grouped_by_rule_with_the_decision_and_the_counts(example, lang):
    """Each rule with findings, in params' order: its label, the question leadership decides (both
    from params/strategy.yaml in the report's language), how many findings in how many
    organisations, and one line per organisation; all counted here from the workbooks."""
    root, _ = example
    page = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    strategy, texts = expected.params("strategy"), expected.params("texts")
    found = expected.findings(root / "inputs", YEAR, strategy)
    assert set(found) == {
        "membership_without_owner",
        "membership_without_goal",
        "twin_city_without_goal",
        "activity_outside_focus_areas",
    }  # the example plants each; everyone sends data
    assert sum(len(items) for per_org in found.values() for items in per_org.values()) == 35
    anchors = re.findall(r'<h3 id="finding-([a-z-]+)">', page)
    assert anchors == [str(r["id"]).replace("_", "-") for r in strategy["findings"] if r["id"] in found]
    organisations = {str(o["id"]): str(o[lang]) for o in strategy["organisations"]}
    networks = {str(n["fi"]): str(n[lang]) for n in strategy["networks"]}
    words = {
        "membership_without_owner": lambda item: networks[item],
        "membership_without_goal": lambda item: networks[item],
        "twin_city_without_goal": lambda item: next(
            (str(c[lang]) for c in strategy["cities"] if c["id"] == expected.city_id(strategy, item)), item
        ),
        "activity_outside_focus_areas": lambda item: expected.quoted(item, lang),  # a title, in quotes
    }
    for rule in strategy["findings"]:
        if rule["id"] not in found:
            continue
        part = expected.section(page, f"finding-{rule['id'].replace('_', '-')}")
        per_org = found[rule["id"]]
        assert f"<strong>{html.escape(texts['findings.decide'][lang])}</strong> {html.escape(rule['decision'][lang])}" in part
        counts = texts["findings.counts"][lang].format(
            count=fmt_number(sum(len(i) for i in per_org.values()), lang), organisations=len(per_org)
        )
        assert html.escape(counts) in part
        lines = []
        for org, items in sorted(per_org.items(), key=lambda pair: -len(pair[1])):
            shown = [words[rule["id"]](item) for item in items]
            if len(items) == 1:
                lines.append(f"{organisations[org]}: {shown[0]}")
            else:
                key = "findings.line_all" if len(items) <= 3 else "findings.line_more"
                lines.append(
                    expected.fill(texts[key][lang], organisation=organisations[org], count=len(items), items=", ".join(shown[:3]))
                )
        assert expected.items(part) == lines  # one line per organisation, the one with most findings first
    # the executive summary asks for the same decisions, with the same counts, each linked to its rule
    summary = page[page.index('id="summary-decisions"') :]
    summary = html.unescape(summary[: summary.index("</ul>")])
    for rule in (r for r in strategy["findings"] if r["id"] in found):
        per_org = found[rule["id"]]
        counts = expected.fill(
            texts["summary.decision_counts"][lang], count=sum(len(i) for i in per_org.values()), organisations=len(per_org)
        )
        anchor = f"finding-{rule['id'].replace('_', '-')}"
        assert f'<li><a href="#{anchor}">{rule["decision"][lang]}</a> {counts}</li>' in summary


def test_goal_chapters_show_examples_chosen_by_their_rule(example):
    root, report = example
    strategy = expected.params("strategy")
    inputs = root / "inputs"
    for goal in ("competence", "recognition", "influence"):
        chapter = report[report.index(f'<h1 id="{goal}">') :]
        chapter = chapter[: chapter.index("<h1 ", 10)]
        outcomes = expected.outcomes(inputs, YEAR, goal, strategy)
        assert expected.strong_items(expected.section(chapter, f"{goal}-examples-outcomes")) == [r["Nimi"] for r in outcomes]
        joint = expected.section(chapter, f"{goal}-examples-joint")
        assert len(expected.items(joint)) == len(expected.joint_activities(inputs, YEAR, goal, strategy)) >= 1
    headlines = expected.section(report, "recognition-examples-headlines")
    assert expected.strong_items(headlines) == [f"”{r['Otsikko']}”" for r in expected.headlines(inputs, YEAR)]
    seats = expected.items(expected.section(report, "influence-examples-seats"))
    assert [s.split(": ", 1)[1] for s in seats] == [r["Perustelu"] for r in expected.seats(inputs, YEAR, strategy)]


def test_the_registers_are_an_appendix_with_a_summary_in_the_chapter(example):
    root, report = example
    inputs = root / "inputs"
    chapters = re.findall(r'<h1 id="([^"]+)">', report)
    assert chapters[-6:] == ["influence", "outlook", "organisations", "registers", "data-quality", "method"]
    influence = report[report.index('<h1 id="influence">') : report.index('<h1 id="outlook">')]
    appendix = report[report.index('<h1 id="registers">') : report.index('<h1 id="data-quality">')]
    nets = workbook_rows(inputs, YEAR, "Verkostot")
    parts = workbook_rows(inputs, YEAR, "Kumppanuudet")
    visits = [
        r
        for r in workbook_rows(inputs, YEAR, "Vierailut")
        if r["Suunta"] == "Lähtevä vierailu ulkomaille" and r["Taso"] in ("Pormestari", "Apulaispormestari")
    ]
    for anchor, caption, rows in (
        ("appendix-memberships", "Verkostojäsenyydet, 2025", nets),
        ("appendix-partnerships", "Ystävyyskaupunki- ja muut sopimukset, 2025", parts),
        ("appendix-visits", "Pormestaritason vierailut ulkomaille, 2025", visits),
    ):
        assert f"<table><caption><strong>{caption}</strong>" not in influence  # no register in the chapter
        assert f'href="#{anchor}"' in influence  # but its summary links to it
        table = appendix[appendix.index(f'id="{anchor}"') :]
        table = table[table.index("<tbody>") : table.index("</tbody>")]
        assert table.count("<tr>") == len(rows) > 0
    summary = expected.items(expected.section(influence, "registers-summary"))
    assert summary[0].startswith(f"Verkostojäsenyyksiä: {len(nets)} (verkostoja {len({r['Verkosto'] for r in nets})}, ")
    assert summary[1].startswith(f"Kaupunkikumppanuussopimuksia: {len(parts)} ")
    assert summary[2].startswith(f"Pormestaritason vierailuja ulkomaille: {len(visits)} ")
    assert all("Koko luettelo liitteessä: " in line for line in summary)


def test_the_report_is_for_people(example):
    root, report = example
    assert report.startswith("<!DOCTYPE html>") and '<html lang="fi">' in report
    # Scripts: only the inlined chart library, the chart specs and the number locale; nothing
    # is loaded from anywhere (no src attribute at all).
    scripts = re.findall(r"<script\b([^>]*)>", report)
    assert all("src=" not in attributes for attributes in scripts)
    assert sum(1 for a in scripts if not a.strip()) == 1  # the library, once for the whole report
    # Nothing is requested from the network: the only web addresses are links a reader may follow
    # (the analyst's words, the highlights), never a source, a stylesheet or a CSS url().
    followed = re.sub(r'<a (?:[^>]* )?href="(?:https?:|mailto:)[^"]*"', "<a", report)
    assert not re.search(r"(src|href)=\"(https?:)?//", followed) and not re.search(r"url\(\s*['\"]?(https?:)?//", report)
    assert re.findall(r'<p class="highlight-link"[^>]*><a [^>]*href="(https?://[^"]+)"', report)  # the highlights' links
    visible = re.sub(r"<script\b.*?</script>", "", report, flags=re.S)
    for stray in ("In&nbsp;[", "In [", "Traceback", "Warning", "warning", "jp-InputArea", "scrapbook"):
        assert stray not in visible, stray
    figures = re.findall(r'<figure class="chart">.*?</figure>', report, re.S)
    assert len(figures) >= 10
    for figure in figures:  # every chart is an SVG with a text alternative and a visible title
        svg = re.search(r"<svg [^>]*>", figure)[0]
        assert 'role="img"' in svg and re.search(r'aria-label="[^"]{40,}"', svg)
        assert re.search(r"<figcaption><strong>[^<]+</strong> [^<]+</figcaption>", figure)
    assert all(f'id="{goal}"' in report for goal in ("competence", "recognition", "influence"))
    out = root / "report"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["cache", "data", "manifest.json", "notebooks", "changes.json"]
        + [f"international-activities-{YEAR}-{lang}.{fmt}" for lang in ("fi", "sv", "en") for fmt in ("html", "pdf")]
        + [f"changes-{lang}.html" for lang in ("fi", "sv", "en")]
    )
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
        "competence.ipynb",
        "influence.ipynb",
        "recognition.ipynb",
        "summary.ipynb",
    ]


def test_validate_names_the_wrong_cell(example, tmp_path):
    root, _ = example
    inputs = tmp_path / "inputs"
    shutil.copytree(root / "inputs" / str(YEAR), inputs / str(YEAR))
    path = inputs / str(YEAR) / "education.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["Toiminnot"]["B5"] = "Seminaari"
    wb["Vierailut"]["B3"] = "ensi viikolla"
    wb.save(path)
    result = run_cli("validate", "--year", str(YEAR), "--inputs", str(inputs))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}: Toiminnot!B5: unknown type ('Seminaari'); choose a value from the dropdown, e.g. 'Project', "
        "'EU project', 'Network work' …",
        f"{path}: Vierailut!B3: date is not a valid date ('ensi viikolla'); write a date as d.m.yyyy "
        "(e.g. 14.3.2025) or yyyy-mm-dd",
        "2 problems found; fix them and run again.",
    ]
    assert "Traceback" not in result.stderr


def test_wrong_usage_exits_2(tmp_path):
    result = run_cli("run", "--inputs", str(tmp_path))
    assert result.returncode == 2
    assert "the following arguments are required: --year" in result.stderr
    result = run_cli("validate", "--year", "2025", "--inputs", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'nowhere'}: the inputs folder does not exist")


def test_output_to_a_reader_that_stopped_reading_is_no_internal_error(tmp_path):
    """``pipeline.py templates … | head -0``: the pipe is closed before the command prints."""
    command = [sys.executable, str(PROJECT_ROOT / "pipeline.py"), "templates", "--year", "2025", "--out", str(tmp_path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone long before the templates are written
    stderr = child.stderr.read().decode()
    assert (child.wait(timeout=120), stderr) == (141, "")
    assert len(list((tmp_path / "2025").glob("*.xlsx"))) == 9  # the work was done; only the printing stopped


def test_a_failing_notebook_exits_3_and_keeps_the_previous_report(example, tmp_path):
    root, _ = example
    out = tmp_path / "report"
    shutil.copytree(root / "report", out)  # the previous, good report
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    params = tmp_path / "params"
    shutil.copytree(PROJECT_ROOT / "params", params)
    texts = params / "texts.yaml"
    texts.write_text(
        texts.read_text(encoding="utf-8").replace("chart.media_tone.title:", "chart.media_tone.gone:"), encoding="utf-8"
    )
    result = run_cli("--params", str(params), "run", "--year", str(YEAR), "--inputs", str(root / "inputs"), "--out", str(out))
    assert result.returncode == 3
    copy = tmp_path / "report.failed" / "recognition.ipynb"
    assert result.stderr.strip().splitlines()[-1] == (
        "error: notebook recognition failed: UsageError: params/texts.yaml: no text 'chart.media_tone.title' in "
        f"language 'fi'; the executed copy with the error is saved at {copy}"
    )
    assert copy.is_file() and "papermill-error-cell" in copy.read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_goal_notebooks_glue_their_figures_for_the_summary(example):
    from hki_intl.report.scraps import read_scraps

    root, _ = example
    notebooks = root / "report" / "notebooks"
    inputs = root / "inputs"
    scraps = {goal: read_scraps(notebooks / f"{goal}.ipynb") for goal in ("competence", "recognition", "influence")}
    assert set(scraps["competence"]) == {"headlines", "funding_by_source", "activities_by_organisation"}
    assert set(scraps["recognition"]) == {"headlines", "media_by_country", "indicators"}
    assert set(scraps["influence"]) == {"headlines", "memberships", "priority_cities"}

    def values(goal):
        frame = scraps[goal]["headlines"]
        return {r["id"]: (r["value"], r["previous"]) for _, r in frame.iterrows()}

    acts = {y: workbook_rows(inputs, y, "Toiminnot") for y in (YEAR, PREVIOUS)}
    goal_label = "Osaamisen ja ymmärryksen kasvattaminen"
    assert values("competence")["competence_activities"] == tuple(
        sum(1 for r in acts[y] if r["Päätavoite"] == goal_label) for y in (YEAR, PREVIOUS)
    )
    assert values("recognition")["media_items"] == tuple(len(workbook_rows(inputs, y, "Näkyvyys")) for y in (YEAR, PREVIOUS))
    assert values("influence")["network_memberships"] == tuple(
        len(workbook_rows(inputs, y, "Verkostot")) for y in (YEAR, PREVIOUS)
    )
    funding = scraps["competence"]["funding_by_source"]
    for year in (YEAR, PREVIOUS):
        expected = sum(float(r["Ulkoinen rahoitus (EUR)"] or 0) for r in acts[year])
        assert funding[funding["year"] == year]["eur"].sum() == pytest.approx(expected)
    per_org = scraps["competence"]["activities_by_organisation"]
    assert per_org["activities"].sum() == values("competence")["competence_activities"][0]
    indicators = scraps["recognition"]["indicators"]
    stays = indicators[(indicators["indicator"] == "overnight_stays") & (indicators["value_year"] == 2025)]
    assert stays["value"].tolist() == [4_924_251]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_analysts_words_stand_where_a_reader_looks_for_them(example, lang):
    """The foreword before the goal chapters, each commentary after its goal's key messages and
    headline figures, the outlook after the last goal chapter and before the appendices; the
    example's Markdown rendered (bold, a list, a subheading, a link)."""
    root, _ = example
    report = (root / "report" / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    body = report[report.index('id="summary"') :]
    order = [
        "overview",
        "foreword",
        "competence",
        "competence-key-messages",
        "competence-commentary",
        "competence-examples",
        "recognition",
        "recognition-commentary",
        "influence",
        "influence-commentary",
        "outlook",
        "organisations",
        "data-quality",
    ]
    at = {anchor: body.index(f'id="{anchor}"') for anchor in order}
    assert sorted(order, key=at.get) == order
    assert '<h1 id="outlook">' in body and str(YEAR + 1) in body[at["outlook"] : at["organisations"]]
    commentary = body[at["competence-commentary"] : at["competence-examples"]]
    assert "<strong>" in commentary and "<li>" in commentary
    assert "<h3>" in body[at["influence-commentary"] :]  # the example's ### subheading, below the commentary's h2
    assert '<a href="https://www.hel.fi/' in body[at["recognition-commentary"] :]
    assert 'id="analyst-words"' not in body  # every part given: nothing for the data-quality part to say
    contents = report[report.index('<nav aria-labelledby="contents"') :]
    assert '<a href="#foreword">' in contents and '<a href="#outlook">' in contents


REPORT_BUDGET_MB = {"html": 4.0, "pdf": 3.0}  # as the README states: one offline file of sensible size


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_highlights_photos_are_embedded_without_metadata_within_the_size_budget(example, lang):
    import base64
    import io

    from PIL import Image

    root, _ = example
    folder = root / "report"
    for fmt, budget in REPORT_BUDGET_MB.items():
        size = (folder / f"international-activities-{YEAR}-{lang}.{fmt}").stat().st_size
        assert size <= budget * 1024 * 1024, f"{fmt}: {size / 1024 / 1024:.1f} MB"
    page = (folder / f"international-activities-{YEAR}-{lang}.html").read_text(encoding="utf-8")
    images = re.findall(r'<figure class="highlight-photo"><img ([^>]*)>', page)
    photos = [
        (re.search(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', a)[1], re.search(r'alt="([^"]*)"', a)[1]) for a in images
    ]
    assert len(photos) >= 9  # every organisation's photos of the year, each once
    for data, alt in photos:
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        assert alt.strip() and dict(image.getexif()) == {} and "exif" not in image.info
    assert page.count('<article class="highlight"') == 21
    assert page.count("#highlight-") >= 3 + 21  # the summary's featured ones and the organisations' lists link to them
    if lang != "fi":  # a highlight not written in the report's language is the Finnish one, marked
        assert re.search(r'<article class="highlight" id="highlight-[a-z_]+-\d+" lang="fi">', page)
