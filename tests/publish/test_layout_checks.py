"""The layout checks can fail: each finds its fault in a small page WeasyPrint lays out with the
report's page margins, and finds nothing in the same page laid out well."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.publish import layout_checks as checks
from tests.publish.pdf_text import PdfText

PAGE = "@page {{ size: A4; margin: {m.top}pt {m.right}pt {m.bottom}pt {m.left}pt; }} body {{ margin: 0; font: 10pt sans-serif; }}"
LINES = "".join(f"<p>Rivi {i}: tekstiä, joka täyttää sivua kuten raportin kappaleet.</p>" for i in range(12))


def render(tmp_path: Path, body: str, css: str = "") -> checks.Layout:
    """``body`` as a tagged PDF on A4 with pdf.css's margins, read back for the checks."""
    from weasyprint import HTML

    style = PAGE.format(m=checks.page_margins()) + css
    path = tmp_path / "page.pdf"
    page = f'<!DOCTYPE html><html lang="fi"><head><title>T</title><style>{style}</style></head><body>{body}</body></html>'
    HTML(string=page).write_pdf(path, pdf_variant="pdf/ua-1")
    return checks.Layout(PdfText(path))


def table(rows: int, columns: int = 3, header: str = "Otsake", total: bool = False) -> str:
    head = "".join(f'<th scope="col">{header} {c}</th>' for c in range(columns))
    body = "".join(
        f'<tr><th scope="row">Rivi {r}</th>{"".join(f"<td>{r * c}</td>" for c in range(1, columns))}</tr>' for r in range(rows)
    )
    foot = f'<tfoot><tr><th scope="row">Yhteensä</th>{"<td>1</td>" * (columns - 1)}</tr></tfoot>' if total else ""
    return f"<table><caption>Taulukko</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"


def test_a_table_wider_than_the_text_block_is_found(tmp_path):
    wide = table(3, columns=8, header="Arviointivuosiarviointi")
    assert checks.beyond_text_block(render(tmp_path, wide, "th { white-space: nowrap; }"))
    assert checks.beyond_text_block(render(tmp_path, table(3, columns=4))) == []


def test_a_page_of_only_a_heading_or_a_caption_is_found(tmp_path):
    heading = render(tmp_path, f'<h2 style="break-after: page">Otsikko</h2>{LINES}')
    assert checks.lonely_pages(heading) == ["page 1 holds only Otsikko"]
    figure = '<figure style="break-before: page"><figcaption style="break-after: page">Kuvateksti</figcaption><p>x</p></figure>'
    caption = render(tmp_path, LINES + figure)
    assert checks.lonely_pages(caption) == ["page 2 holds only Kuvateksti"]
    assert checks.lonely_pages(render(tmp_path, f"<h2>Otsikko</h2>{LINES}")) == []


def test_a_heading_at_the_foot_of_a_page_is_found(tmp_path):
    tall = '<div style="height: 150mm; break-inside: avoid"><p>Kuva</p></div>'
    bottom = render(tmp_path, f'<div style="height: 225mm"></div><h2>Otsikko</h2><p>Yksi rivi.</p>{tall}')
    assert checks.stranded_headings(bottom) == ["page 1: 'Otsikko' is a heading with 1 line(s) of text under it on its page"]
    last = render(tmp_path, '<div style="height: 240mm"></div><h2 style="break-after: page">Otsikko</h2><p>x</p>')
    assert checks.stranded_headings(last)
    kept = render(tmp_path, f"<h2>Otsikko</h2>{LINES}")
    assert checks.stranded_headings(kept) == []


def test_a_caption_without_its_table_on_its_page_is_found(tmp_path):
    alone = table(60).replace("<caption>", '<caption style="break-after: page">')
    layout = render(tmp_path, f'<div style="height: 200mm"></div>{alone}', "table { break-inside: avoid; }")
    assert any("Taulukko" in fault for fault in checks.stranded_headings(layout))
    assert not any(
        "Taulukko" in f for f in checks.stranded_headings(render(tmp_path, f'<div style="height: 200mm"></div>{table(60)}'))
    )


def test_a_total_repeated_on_every_page_is_found(tmp_path):
    repeated = render(tmp_path, table(120, total=True))  # WeasyPrint repeats a footer group
    count, _ = checks.total_rows(repeated, "Yhteensä")
    assert repeated.pdf.page_count() >= 3 and count == repeated.pdf.page_count()
    once = render(tmp_path, table(120, total=True), "tfoot { display: table-row-group; }")
    assert checks.total_rows(once, "Yhteensä") == (1, [])


def test_a_table_continued_without_its_header_is_found(tmp_path):
    headless = render(tmp_path, table(120), "thead { display: table-row-group; }")
    assert checks.continued_tables(headless) and checks.headerless_continuations(headless)
    headed = render(tmp_path, table(120))
    assert checks.continued_tables(headed) and checks.headerless_continuations(headed) == []


def test_a_page_under_a_third_full_is_found_unless_a_chapter_follows(tmp_path):
    short = '<p>Kansi</p><p style="break-before: page">Yksi rivi.</p><p style="break-before: page">Loppu</p>'
    assert checks.underfilled_pages(render(tmp_path, short)) == ["page 2 is 3% full (its last text: 'Yksi rivi.')"]
    chapter = short.replace('<p style="break-before: page">Loppu</p>', '<h1 style="break-before: page">Luku</h1><p>x</p>')
    assert checks.underfilled_pages(render(tmp_path, chapter)) == []


SVG = '<figure><figcaption>Kartta</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">{}</svg></figure>'


def test_overlapping_and_cut_chart_labels_are_found(tmp_path):
    labels = (
        '<text x="10" y="50">Tallinna</text><text x="30" y="53">Tukholma</text><text x="150" y="90">Toiminnot ja sopim…</text>'
    )
    faults = checks.overlapping_chart_text(render(tmp_path, SVG.format(labels)))
    assert faults == ["page 1: 'Toiminnot ja sopim…' is cut short", "page 1: 'Tallinna' overlaps 'Tukholma'"]
    halo = '<text x="10" y="50" fill="white" stroke="white">Tallinna</text><text x="10" y="50">Tallinna</text>'
    apart = '<text x="10" y="80">Tukholma</text><text x="150" y="90">Toiminnot ja sopimukset</text>'
    assert checks.overlapping_chart_text(render(tmp_path, SVG.format(halo + apart))) == []


def test_a_turned_axis_title_over_a_label_is_found(tmp_path):
    """An axis title turned a quarter (it reads upwards) drawn over a long axis label."""
    title = '<text transform="translate({x},60) rotate(-90)" text-anchor="middle" font-weight="bold">Painopistealue</text>'
    label = '<text x="390" y="60" text-anchor="end">Eriytymisen ehkäisy ja osallisuus</text>'
    over = render(tmp_path, SVG.format(title.format(x=250) + label))
    turned = [s for s in checks.chart_labels(s for s in over.pdf.spans if s.has("Figure")) if not s.upright]
    assert [s.text for s in turned] == ["Painopistealue"]
    assert turned[0].x1 - turned[0].x0 < turned[0].bottom - turned[0].top  # tall and narrow
    assert checks.overlapping_chart_text(over) == ["page 1: 'Painopistealue' overlaps 'Eriytymisen ehkäisy ja osallisuus'"]
    assert checks.overlapping_chart_text(render(tmp_path, SVG.format(title.format(x=14) + label))) == []


@pytest.mark.parametrize("hidden", ['opacity="0"', 'fill-opacity="0"'])
def test_text_no_reader_sees_is_not_read(tmp_path, hidden):
    layout = render(tmp_path, SVG.format(f'<text x="10" y="50">Näkyy</text><text x="12" y="50" {hidden}>Piilossa</text>'))
    assert [s.text for s in checks.chart_labels(s for s in layout.pdf.spans if s.has("Figure"))] == ["Näkyy"]
