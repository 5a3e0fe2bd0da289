"""Personal data typed into free-text fields does not reach the report: e-mail addresses and
phone numbers are masked in every language; the analysts' CSVs keep the texts as typed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from hki_intl.intake import load_submissions
from hki_intl.intake.tables import consolidate, read_tables, write_tables
from hki_intl.report import chapters, examples, registers
from hki_intl.report.blocks import Report, mask_personal_data
from tests.conftest import activity

YEAR = 2025
MASKS = {
    "fi": ("[sähköpostiosoite poistettu]", "[puhelinnumero poistettu]"),
    "sv": ("[e-postadress borttagen]", "[telefonnummer borttaget]"),
    "en": ("[e-mail address removed]", "[phone number removed]"),
}


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Soita +358 40 123 4567 tai matti.meikalainen@hel.fi", "Soita P tai E"),
        ("(09) 310 1234, 040-123 4567 ja 0401234567", "P, P ja P"),
        ("+358 (0)9 310 1234; 00358 9 310 1234", "P; P"),
        ("liisa.o'virtanen+eu@edu.hel.fi.", "E."),
        ("ÅSA.ÖBERG@stad.helsingfors.fi", "E"),
        # figures that are not phone numbers stay
        (
            "Horizon 2021-2027: 4 924 251 yöpymistä, 00100 Helsinki, 1.2.2025, dnro 0123/2025, +12,5 %",
            "Horizon 2021-2027: 4 924 251 yöpymistä, 00100 Helsinki, 1.2.2025, dnro 0123/2025, +12,5 %",
        ),
        ("IBAN FI21 1234 5600 0007 85, @helsinki, x@y", "IBAN FI21 1234 5600 0007 85, @helsinki, x@y"),
    ],
)
def test_emails_and_phone_numbers_are_found_and_figures_are_not(text, masked):
    assert mask_personal_data(text, "E", "P") == masked


@pytest.mark.parametrize("lang", MASKS)
def test_user_text_masks_in_the_report_language(lang):
    email, phone = MASKS[lang]
    report = Report(lang)
    assert report.user_text("Yhteys: matti@hel.fi, p. 09 310 1234") == f"Yhteys: {email}, p. {phone}"
    assert [report.user_text(v) for v in (None, pd.NA, float("nan"), 2026)] == ["–", "–", "–", "2026"]


PURPOSE = "Neuvottelut, yhteyshenkilö matti.meikalainen@hel.fi / +358 40 123 4567"
OWNER = "Ilmastoyksikkö (liisa.virtanen@hel.fi)"
TITLE = "Kysy lisää: 09 310 1234"
PERSONAL = ("matti.meikalainen@hel.fi", "+358 40 123 4567", "liisa.virtanen@hel.fi", "09 310 1234", "pekka@hel.fi")
# typed into the texts the goal chapters quote as examples: an outcome, a justification, a headline, a joint activity
EXAMPLE_PERSONAL = ("anna.aalto@hel.fi", "+358 50 555 0101", "050 555 0202", "ville@edu.hel.fi")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, strategy):
    from hki_intl.config.params import load_settings
    from hki_intl.workbook.excel import save_workbook
    from hki_intl.workbook.template import build_workbook, template_path

    root = tmp_path_factory.mktemp("privacy")
    records = {
        "Toiminnot": [
            activity(),
            activity(title=TITLE, focus_area="outside"),
            activity(title="Kierrätyspilotti", budget_eur=90000.0, outcome=f"Tulokset: {EXAMPLE_PERSONAL[0]}"),
        ],
        "Verkostot": [
            {
                "network": "c40",
                "role": "board",
                "owner_unit": OWNER,
                "goal": "influence",
                "justification": "Ilmasto",
                "annual_fee_eur": 1000,
                "review_year": 2026,
            },
            {
                "network": "eurocities",
                "role": "chair",
                "owner_unit": "Kansainväliset asiat",
                "goal": "influence",
                "justification": f"Puheenjohtajuus, p. {EXAMPLE_PERSONAL[1]}",
                "annual_fee_eur": 0,
                "review_year": 2027,
            },
        ],
        "Näkyvyys": [
            {
                "date": dt.date(2025, 6, 1),
                "outlet": "The Guardian",
                "country": "GB",
                "focus_area": "design",
                "tone": "positive",
                "reach": 1200000,
                "headline": f"Call {EXAMPLE_PERSONAL[2]} for Helsinki",
            }
        ],
        "Kumppanuudet": [
            {
                "partner_city": "Tallinna",
                "country": "EE",
                "agreement_type": "programme",
                "signed_year": 2015,
                "strategic_goal": "competence",
                "joint_activity": f"Opettajavaihto, {EXAMPLE_PERSONAL[3]}",
            }
        ],
        "Vierailut": [
            {
                "direction": "outgoing",
                "date": dt.date(2025, 5, 2),
                "city": "Tallinna",
                "country": "EE",
                "level": "mayor",
                "focus_area": "mobility",
                "participants": 3,
                "purpose": PURPOSE,
            }
        ],
    }
    save_workbook(build_workbook(strategy, "education", YEAR, "fi", records), template_path(root / "inputs", YEAR, "education"))
    broken = build_workbook(strategy, "culture_leisure", YEAR, "fi", {"Toiminnot": [activity()]})
    broken["Toiminnot"]["F2"] = "pekka@hel.fi"  # an unknown country: the problem message quotes it
    save_workbook(broken, template_path(root / "inputs", YEAR, "culture_leisure"))
    result = load_submissions(root / "inputs", [YEAR], strategy, load_settings().with_overrides(year=YEAR))
    assert [p.cell for p in result.problems] == ["F2"]
    write_tables(consolidate(result), root / "data")
    return root / "data"


def test_the_analysts_csvs_keep_the_texts_as_typed(data_dir):
    text = "".join(
        (data_dir / f"{name}.csv").read_text(encoding="utf-8") for name in ("activities", "networks", "visits", "problems")
    )
    for personal in PERSONAL:
        assert personal in text
    text += "".join((data_dir / f"{name}.csv").read_text(encoding="utf-8") for name in ("media", "partnerships"))
    for personal in EXAMPLE_PERSONAL:
        assert personal in text


@pytest.mark.parametrize("lang", MASKS)
@pytest.mark.parametrize("masked_tables", [True, False], ids=["as notebooks read", "unmasked tables"])
def test_no_email_or_phone_number_reaches_the_examples(data_dir, lang, masked_tables):
    """The examples quote the workbooks' words and mask them themselves (Context.text), also
    when they are given tables that were not masked."""
    ctx = chapters.open_context(YEAR, data_dir, lang)
    if not masked_tables:
        ctx = chapters.Context(YEAR, lang, read_tables(data_dir), Report(lang))
        assert EXAMPLE_PERSONAL[0] in ctx.tables["activities"]["outcome"].tolist()[-1]
    page = "".join(examples.goal_examples(ctx, goal) for goal in ("competence", "recognition", "influence"))
    for personal in EXAMPLE_PERSONAL:
        assert personal not in page, personal
    email, phone = MASKS[lang]
    assert f"Tulokset: {email}" in page
    assert f"Puheenjohtajuus, p. {phone}" in page
    assert f"Call {phone} for Helsinki" in page
    assert f"Opettajavaihto, {email}" in page


@pytest.mark.parametrize("lang", MASKS)
def test_no_email_or_phone_number_reaches_the_report(data_dir, lang):
    ctx = chapters.open_context(YEAR, data_dir, lang)
    page = "".join(
        [
            registers.high_level_visits_table(ctx),
            registers.membership_table(ctx),
            chapters.findings_block(ctx),
            chapters.organisation_parts(ctx),
            chapters.data_quality(ctx),
        ]
    )
    for personal in PERSONAL:
        assert personal not in page, personal
    email, phone = MASKS[lang]
    assert page.count(email) >= 3 and page.count(phone) >= 2
    assert "Neuvottelut, yhteyshenkilö" in page  # the rest of the text stays


@pytest.mark.parametrize("lang", MASKS)
def test_every_language_of_a_chapter_is_masked(data_dir, lang):
    chapter = chapters.Chapter(YEAR, data_dir, "fi,sv,en")
    ctx = next(c for c in chapter.contexts if c.lang == lang)
    assert ctx.tables["visits"]["purpose"].iloc[0] == PURPOSE.replace("matti.meikalainen@hel.fi", MASKS[lang][0]).replace(
        "+358 40 123 4567", MASKS[lang][1]
    )


def test_masking_leaves_the_tables_read_as_they_were(data_dir):
    """The tables read are shared by every language of a notebook and by the notebooks a worker
    runs (chapters.tables_of): masking one language makes new frames and changes none of them."""
    tables = read_tables(data_dir)
    before = {name: frame.copy() for name, frame in tables.items()}
    masked = [chapters.mask_tables(tables, Report(lang)) for lang in MASKS]
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, before[name])
    assert masked[0]["visits"]["purpose"].iloc[0] != tables["visits"]["purpose"].iloc[0]  # it did mask
    again = chapters.tables_of(data_dir)
    assert chapters.tables_of(data_dir)["visits"] is again["visits"]  # read once for the same files


def test_a_worker_masks_once_per_language_until_the_files_change(data_dir):
    """The worker that runs the last goal notebook and the summary masks each language once
    (chapters.masked_tables_of); a table written again is read and masked again."""
    first = chapters.Chapter(YEAR, data_dir, "fi,sv,en")
    second = chapters.Chapter(YEAR, data_dir, "fi,sv")
    assert second.contexts[0].tables["visits"] is first.contexts[0].tables["visits"]
    assert second.contexts[1].tables["visits"] is first.contexts[1].tables["visits"]
    assert first.contexts[0].tables["visits"] is not first.contexts[1].tables["visits"]  # each language its own
    assert first.contexts[2].tables["visits"]["purpose"].iloc[0] == PURPOSE.replace(
        "matti.meikalainen@hel.fi", MASKS["en"][0]
    ).replace("+358 40 123 4567", MASKS["en"][1])
    visits = data_dir / "visits.csv"
    written = visits.read_bytes()
    try:
        visits.write_bytes(written + b"\n")  # the same rows, new bytes
        again = chapters.Chapter(YEAR, data_dir, "fi")
    finally:
        visits.write_bytes(written)
    assert again.contexts[0].tables["visits"] is not first.contexts[0].tables["visits"]
    assert again.contexts[0].tables["visits"]["purpose"].iloc[0] == first.contexts[0].tables["visits"]["purpose"].iloc[0]


@pytest.mark.parametrize(
    ("lang", "said", "not_said"),
    [
        ("fi", "erota arvot puolipisteellä", "okänt värde"),
        ("sv", "skilj värdena åt", "separate values"),
        ("en", "separate values with", "erota arvot"),
    ],
)
def test_the_data_quality_part_quotes_the_problems_in_the_reports_language(data_dir, lang, said, not_said):
    """The rejected workbook's problem reads in the report's language, whatever language the
    analyst's messages were in when the tables were written (the tests write them in English)."""
    ctx = chapters.open_context(YEAR, data_dir, lang)
    page = chapters.data_quality(ctx)
    assert "F2" in page and said in page and not_said not in page
    problems = pd.read_csv(data_dir / "problems.csv", dtype=str, keep_default_na=False)
    assert problems.loc[0, "message"] == problems.loc[0, "message_en"]  # the analyst's column: English in the tests
