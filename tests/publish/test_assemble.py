"""The body made part by part: the run turns each goal chapter into HTML while the later
notebooks run, and the summary's parts after it. The parts one after another must be exactly
the body nbconvert makes of the whole merged notebook in one pass (it turns each cell into
HTML on its own), and the report files the run wrote must be exactly the pages made that way."""

from __future__ import annotations

from pathlib import Path

import pytest

from hki_intl.config.params import load_texts
from hki_intl.engine.notebook_stages import goal_notebooks
from hki_intl.publish.assemble import chapters_body, merge_notebooks, merged_body, notebook_body, page

YEAR = 2025


def executed(example, strategy) -> tuple[Path, list[Path]]:
    root, _ = example
    folder = root / "report" / "notebooks"
    return folder / "summary.ipynb", [folder / f"{goal}.ipynb" for goal, _ in goal_notebooks(strategy)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_parts_make_the_same_body_as_the_whole(example, strategy, lang):
    summary, chapters = executed(example, strategy)
    whole = notebook_body(merge_notebooks(summary, chapters, lang))
    by_goal = "".join(chapters_body([chapter], lang) for chapter in chapters)
    assert merged_body(summary, chapters, lang) == whole
    assert merged_body(summary, chapters, lang, chapters_html=by_goal) == whole
    assert by_goal == chapters_body(chapters, lang) and by_goal in whole


@pytest.mark.slow
def test_the_chapters_given_are_the_ones_used(example, strategy):
    summary, chapters = executed(example, strategy)
    body = merged_body(summary, chapters, "fi", chapters_html='<p id="given">given</p>')
    assert '<p id="given">given</p>' in body
    assert chapters_body(chapters, "fi") not in body


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_runs_page_is_the_page_of_the_whole_merged_notebook(example, strategy, lang):
    """The run made the chapters' part while the summary ran; its page is the one a single
    nbconvert pass over the merged notebook gives."""
    root, _ = example
    summary, chapters = executed(example, strategy)
    texts = load_texts(lang)
    expected = page(
        notebook_body(merge_notebooks(summary, chapters, lang)), lang, texts("report.title", year=YEAR), texts("report.contents")
    )
    written = root / "report" / f"international-activities-{YEAR}-{lang}.html"
    assert written.read_text(encoding="utf-8") == expected
