"""The analyst's Markdown files: their layout, the problems named by file and line, the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from hki_intl.config.params import load_texts
from hki_intl.intake.analyst import (
    MISSING,
    REJECTED,
    analyst_path,
    parse_analyst_text,
    read_analyst_words,
    template_text,
)
from hki_intl.intake.read import workbook_paths

PARTS = ["foreword", "competence", "recognition", "influence", "outlook"]
FILE = Path("inputs/2025/analyst-fi.md")


def test_parts_are_split_by_their_level_2_headings():
    text = "notes, not shown\n\n## foreword\nHello.\n\n### A subheading\nMore.\n## Competence ##\n\n**Bold.**\n## outlook\n\n"
    parts, problems = parse_analyst_text(text, FILE, PARTS)
    assert problems == []
    assert parts == {"foreword": "Hello.\n\n### A subheading\nMore.", "competence": "**Bold.**"}  # empty outlook: left out


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "## foreword\nx\n## forword\ny",
            "inputs/2025/analyst-fi.md: line 3: unknown part ('forword'); the parts are foreword, "
            "competence, recognition, influence, outlook",
        ),
        (
            "## foreword\nx\n\n## foreword\ny",
            "inputs/2025/analyst-fi.md: line 4: the part 'foreword' again (first on line 1); write each part once",
        ),
        (
            "",
            "inputs/2025/analyst-fi.md: line 1: warning: no part has text; write under a part's heading (## foreword, "
            "## competence, ## recognition, ## influence, ## outlook) or delete the file",
        ),
        (
            "# Esipuhe\nx",
            "inputs/2025/analyst-fi.md: line 1: a level-1 heading ('# Esipuhe'); start a part with '## <part>' "
            "(the parts are foreword, competence, recognition, influence, outlook), a heading inside it with '###'",
        ),
    ],
    ids=["unknown", "twice", "empty", "level-1"],
)
def test_a_wrong_file_is_one_line_naming_the_file_and_line(text, line):
    _, problems = parse_analyst_text(text, FILE, PARTS)
    assert [str(p) for p in problems] == [line]


def test_a_heading_in_a_code_block_is_text():
    parts, problems = parse_analyst_text("## outlook\n```\n## not a part\n```\n", FILE, PARTS)
    assert problems == [] and "## not a part" in parts["outlook"]


def test_files_of_a_year_not_utf8_or_another_language(tmp_path, strategy):
    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "analyst-fi.md").write_bytes("## foreword\nHyvä".encode("latin-1"))
    (folder / "analyst-de.md").write_text("## foreword\nx", encoding="utf-8")
    (folder / "analyst-en.md").write_text("\ufeff## foreword\nGood year.", encoding="utf-8")  # a BOM is fine
    words = read_analyst_words(tmp_path, 2025, strategy)
    assert [str(p) for p in words.problems] == [
        f"{folder / 'analyst-de.md'}: not a report language ('de'); name the file analyst-fi.md, analyst-sv.md, analyst-en.md",
        f"{folder / 'analyst-fi.md'}: line 2: not UTF-8 text; save the file as UTF-8 (in Notepad: Save as, Encoding UTF-8)",
    ]
    assert words.texts["en"] == {"foreword": "Good year."}
    assert words.status["sv"] == MISSING
    kept = words.without_rejected()
    assert kept.given() == {"fi": REJECTED, "sv": MISSING, "en": ["foreword"]}
    assert kept.part("foreword") == {"fi": None, "sv": None, "en": "Good year."}


def test_the_analysts_files_are_not_read_as_workbooks(tmp_path):
    folder = tmp_path / "2025"
    folder.mkdir()
    for name in ("analyst-fi.md", "education.xlsx"):
        (folder / name).write_bytes(b"x")
    assert [p.name for p in workbook_paths(tmp_path, 2025)] == ["education.xlsx"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_template_explains_the_layout_and_is_refused_until_written(strategy, lang, tmp_path):
    text = template_text(strategy, 2025, load_texts(lang))
    assert all(f"\n## {part}\n" in text for part in PARTS)
    assert f"analyst-{lang}.md" in text and "2026" in text  # the outlook's year
    path = analyst_path(tmp_path, 2025, lang)
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    words = read_analyst_words(tmp_path, 2025, strategy)
    assert [p.text().split(";")[0] for p in words.problems] == ["no part has text"]
    filled = text.replace("## outlook\n", "## outlook\nNext year.\n")
    path.write_text(filled, encoding="utf-8")
    assert read_analyst_words(tmp_path, 2025, strategy).texts[lang] == {"outlook": "Next year."}
