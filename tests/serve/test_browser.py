"""The submission page in headless Chromium, as its people use it: a contributor uploads a broken
workbook, sees its problems, uploads the fixed one and submits it; the analyst accepts it and
builds a draft report. Every page on the way passes axe-core in fi, sv and en, and nothing leaves
127.0.0.1 (tests/browser/check_serve.mjs walks it; this test prepares the real server and judges)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import openpyxl
import pytest

from hki_intl.config.params import load_strategy
from tests.conftest import YEAR, run_cli
from tests.serve.running import Server, edited, example_inputs, example_workbook, free_port, make_links, sha256

pytestmark = pytest.mark.slow
BROWSER_DIR = Path(__file__).parent.parent / "browser"
LANGS = ("fi", "sv", "en")
ORGANISATION = "culture_leisure"
BROKEN_CELL = ("Toiminnot", "K2")  # the first activity's budget, typed as words
PAGES = (
    "home",
    "contributor",
    "version with errors",
    "version without errors",
    "version submitted",
    "contributor with versions",
    "analyst",
    "analyst organisation",
    "analyst organisation accepted",
    "draft",
    "draft finished",
)


def browser_available() -> bool:
    return (
        shutil.which("node") is not None
        and Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists()
        and (BROWSER_DIR / "node_modules" / "playwright-core").is_dir()
    )


def problem_as_validate_says(broken: Path, lang: str) -> str:
    """What ``validate`` prints about the broken cell in ``lang``, without the file and the cell:
    the page must say the same."""
    sheet, cell = BROKEN_CELL
    done = run_cli("validate", "--year", str(YEAR), "--inputs", str(broken.parent.parent), messages=lang)
    lines = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if f": {sheet}!{cell}: " in line]
    assert len(lines) == 1, done.stderr
    return lines[0].split(f": {sheet}!{cell}: ", 1)[1]


def seen(visits: list[dict], name: str, lang: str) -> str:
    """The text of a page the browser visited, in a language."""
    (page,) = [visit["text"] for visit in visits if visit["name"] == name and visit["lang"] == lang]
    return str(page)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_a_contributor_and_the_analyst_in_chromium(tmp_path):
    if not browser_available():
        if os.environ.get("CI"):
            pytest.fail("CI must provide node, /usr/bin/chromium and tests/browser/node_modules (see .ci/run)")
        pytest.skip("needs node, chromium and `npm ci` in tests/browser (make browser-deps)")
    inputs = example_inputs(tmp_path, years=f"{YEAR - 1}-{YEAR}", held_back=[ORGANISATION])
    fixed_bytes = example_workbook(inputs, ORGANISATION)
    broken_bytes = edited(fixed_bytes, {BROKEN_CELL: "noin kymppitonni"})
    uploads = tmp_path / "uploads" / str(YEAR)  # also a folder validate can read, photos beside
    uploads.mkdir(parents=True)
    for photo in (inputs / str(YEAR)).glob(f"{ORGANISATION}-*.jpg"):
        shutil.copy2(photo, uploads / photo.name)
    broken, fixed = uploads / f"{ORGANISATION}.xlsx", tmp_path / f"{ORGANISATION}-korjattu.xlsx"
    broken.write_bytes(broken_bytes)
    fixed.write_bytes(fixed_bytes)
    expected = {lang: problem_as_validate_says(broken, lang) for lang in LANGS}

    port = free_port()
    links = make_links(inputs, f"http://127.0.0.1:{port}")
    with Server(inputs, port, tmp_path / "serve.log") as server:
        command = ["node", str(BROWSER_DIR / "check_serve.mjs"), server.base, links.contributors[ORGANISATION]]
        command += [links.analyst, str(broken), str(fixed), ORGANISATION]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        log = server.output()
        annotated = httpx.get(f"{links.contributors[ORGANISATION]}/v/1/annotated", timeout=30)
    result = json.loads(done.stdout) if done.stdout.strip() else {"error": done.stderr}
    assert result["error"] is None, f"{result['error']}\nat {result.get('errorAt')}\nsteps: {result.get('steps')}\n{log}"
    assert done.returncode == 0, done.stderr

    visits = result["visits"]
    assert {(v["name"], v["lang"]) for v in visits} >= {(name, lang) for name in PAGES for lang in LANGS}
    assert [v for v in visits if v["violations"]] == []  # axe: WCAG 2.1 A and AA, every page, every language
    assert result["requests"] == []  # nothing left 127.0.0.1
    assert result["consoleErrors"] == [] and result["pageErrors"] == [] and result["dialogs"] == []
    for visit in visits:
        assert visit["status"] == 200, visit["path"]
        if visit["lang"]:
            assert visit["htmlLang"] == visit["lang"], visit["path"]
            assert len(visit["h1"]) == 1 and visit["main"] == 1, visit["path"]
            assert visit["linksWithoutLang"] == [], (visit["name"], visit["lang"])

    steps = {step["name"]: step for step in result["steps"]}
    assert steps["uploaded broken"]["submitForms"] == 0  # a version with errors cannot be submitted
    assert steps["uploaded fixed"]["submitForms"] == 1
    for download in ("template", "annotated"):
        assert steps[download] == {**steps[download], "status": 200, "zip": True}, download
    sheet, cell = BROKEN_CELL
    name = load_strategy().organisations.label
    for lang in LANGS:
        page = seen(visits, "version with errors", lang)
        assert sheet in page and cell in page, page
        assert normalised(expected[lang]) in normalised(page), (lang, expected[lang], page)
        assert normalised(expected[lang]) not in normalised(seen(visits, "version without errors", lang))
        # The analyst sees the organisation's submitted version 2, and its problem resolved since version 1.
        (row,) = [line for line in seen(visits, "analyst", lang).splitlines() if line.startswith(name(ORGANISATION, lang))]
        assert len(re.findall(r"\b2 · \d{4}-\d\d-\d\d ", row)) == 2, row  # latest version and submitted version: 2
        assert normalised(expected[lang]) in normalised(seen(visits, "analyst organisation", lang))
    marked = openpyxl.load_workbook(io.BytesIO(annotated.content))[sheet][cell]
    assert annotated.status_code == 200 and marked.comment is not None, "the annotated copy marks the cell"

    # The file the pipeline reads is exactly the fixed workbook's bytes, and the draft was built from it.
    assert sha256((inputs / str(YEAR) / f"{ORGANISATION}.xlsx").read_bytes()) == sha256(fixed_bytes)
    progress = steps["draft finished"]["progress"]
    assert progress["state"] == "done" and progress["done"] == progress["total"] > 0, progress
    (report,) = [v for v in visits if v["name"] == "draft report"]
    assert report["status"] == 200 and report["htmlLang"] in LANGS
    charts = steps["draft report charts"]  # the report's own script runs under its page's policy
    assert charts == {**charts, "interactive": charts["total"]} and charts["total"] > 0, charts
    without_script = steps["draft without script"]  # the progress page's refresh link leads to the draft too
    assert without_script["reports"] >= 1, without_script
    drafts = inputs / ".serve" / "drafts" / str(YEAR)
    assert any(drafts.glob("international-activities-*.html")), sorted(p.name for p in drafts.iterdir())
