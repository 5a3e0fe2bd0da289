"""The highlights sheet (Nostot) and its photos: read, checked at their cells, cleaned of their
metadata, and shown in the report in the language they were written in.

Columns of Nostot: A title, B text, C goal, D focus area, E link, F photo file, G alternative
text, H credit, I–J Swedish title and text, K–L English title and text.
"""

from __future__ import annotations

import base64
import io
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from openpyxl.drawing.image import Image as SheetImage
from PIL import Image

from hki_intl.config.params import load_settings, load_strategy
from hki_intl.intake import load_submissions, read_submission
from hki_intl.intake.photos import MAX_PHOTO_MB, PHOTO_BOX, PHOTO_BUDGET_KB, clean_photo
from hki_intl.intake.tables import consolidate, write_photos, write_tables
from hki_intl.report import chapters, highlights
from hki_intl.workbook.excel import save_workbook
from hki_intl.workbook.template import build_workbook, template_path
from tests.conftest import activity

YEAR = 2025
STRATEGY = load_strategy()
SETTINGS = load_settings().with_overrides(year=YEAR)
GPS = {1: "N", 2: (60.0, 10.0, 12.5), 3: "E", 4: (24.0, 56.0, 30.0)}


def highlight(**overrides):
    values = {
        "title": "Opettajat oppivat Singaporesta",
        "text": "Kolmekymmentä opettajaa tutustui Singaporen kouluihin.",
        "goal": "competence",
        "focus_area": "education",
    }
    return values | overrides


def photo_bytes(size=(1600, 1000), fmt="JPEG", gps=True) -> bytes:
    image = Image.new("RGB", size, "#0072c6")
    exif = Image.Exif()
    exif[0x010F] = "Kamera"
    exif[0x013B] = "Matti Meikäläinen"
    if gps:
        exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A valid PNG header declaring a huge image, in a few bytes (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = data[12:29]  # chunk type + 13 bytes of data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def write(tmp_path, rows, files=None, edit=None, organisation="education"):
    wb = build_workbook(STRATEGY, organisation, YEAR, "fi", {"Toiminnot": [activity()], "Nostot": rows})
    if edit:
        edit(wb)
    path = template_path(tmp_path / "inputs", YEAR, organisation)
    save_workbook(wb, path)
    for name, data in (files or {}).items():
        (path.parent / name).write_bytes(data)
    return path


def problems_of(path):
    submission, found = read_submission(path, YEAR, STRATEGY, SETTINGS)
    return submission, [str(p).split(": ", 1)[1] for p in sorted(found)]


def paste(row: int, data: bytes, cell: str | None = None):
    def edit(wb):
        picture = SheetImage(io.BytesIO(data))
        picture.width, picture.height = 120, 80
        wb["Nostot"].add_image(picture, cell or f"F{row}")

    return edit


# --- the sheet through the template and the intake ---------------------------------------------


def test_a_highlight_reaches_the_table_with_every_language(tmp_path):
    row = highlight(title_sv="Lärare lärde sig", text_sv="Trettio lärare.", link="https://www.hel.fi/x")
    submission, problems = problems_of(write(tmp_path, [row]))
    assert problems == []
    (record,) = submission.tables["highlights"]
    assert {k: record[k] for k in row} == row
    assert record["photo_image"] is None


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_template_has_the_sheet_with_its_limits_in_every_language(tmp_path, lang):
    import openpyxl

    wb = build_workbook(STRATEGY, "education", YEAR, lang)
    ws = wb["Nostot"]
    headers = [c.value for c in ws[1]]
    assert len(headers) == 12 and headers[0].endswith(" *")
    prompts = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert prompts["B2"].formula1 == "600" and "600" in prompts["B2"].prompt
    path = tmp_path / "t.xlsx"
    save_workbook(wb, path)
    assert "Nostot" in openpyxl.load_workbook(path).sheetnames


def test_an_old_template_without_the_sheet_stays_valid_and_a_new_one_must_have_it(tmp_path):
    def old(wb):
        del wb["Nostot"]
        wb["Perustiedot"]["C4"] = wb["Perustiedot"]["B4"] = "2025.2"

    submission, problems = problems_of(write(tmp_path, [], edit=old))
    assert problems == [] and submission.tables.get("highlights") is None
    _submission, problems = problems_of(write(tmp_path, [], edit=lambda wb: wb.__delitem__("Nostot")))
    assert problems == [
        "Nostot: the sheet 'Nostot' is missing or was renamed (no other sheets in the workbook); rename the sheet back to "
        "'Nostot' or copy your rows into a fresh template"
    ]


def test_a_fourth_highlight_is_refused_at_its_row(tmp_path):
    rows = [highlight(title=f"Nosto {n}") for n in range(1, 5)]
    _submission, problems = problems_of(write(tmp_path, rows))
    assert problems == [
        "Nostot!A5: a fourth highlight ('Nosto 4'); at most 3 a year: keep the 3 most important and delete the other rows"
    ]


def test_a_text_over_its_limit_and_a_link_that_is_no_web_address_are_refused(tmp_path):
    rows = [highlight(text="x" * 601, link="javascript:alert(1)")]
    _submission, problems = problems_of(write(tmp_path, rows))
    assert problems[0].startswith("Nostot!B2: text is longer than 600 characters (601 characters:")
    assert problems[1] == (
        "Nostot!E2: the link is not a web address ('javascript:alert(1)'); write the whole address, starting with https://"
    )


# --- photos ------------------------------------------------------------------------------------


def test_a_photo_file_with_gps_comes_out_without_any_metadata(tmp_path):
    rows = [highlight(photo="kuva.jpg", photo_alt="Opettajia luokassa.", photo_credit="Kaupunki")]
    submission, problems = problems_of(write(tmp_path, rows, {"kuva.jpg": photo_bytes()}))
    assert problems == []
    (photo,) = submission.photos.values()
    image = Image.open(io.BytesIO(photo.jpeg))
    assert image.format == "JPEG" and image.size == (960, 600) and max(image.size) <= max(PHOTO_BOX)
    assert dict(image.getexif()) == {} and "exif" not in image.info and "icc_profile" not in image.info
    assert b"Meik" not in photo.jpeg and b"Kamera" not in photo.jpeg
    assert len(photo.jpeg) <= PHOTO_BUDGET_KB * 1024


def test_a_pasted_photo_is_read_from_its_row(tmp_path):
    rows = [highlight(photo_alt="Sininen kuva."), highlight(title="Toinen")]
    edit = paste(2, photo_bytes((800, 600), "PNG", gps=False))
    submission, problems = problems_of(write(tmp_path, rows, edit=edit))
    assert problems == []
    assert [r["photo_image"] for r in submission.tables["highlights"]] == ["photos/education-2025-2.jpg", None]


def test_a_picture_off_the_highlights_rows_is_named(tmp_path):
    edit = paste(9, photo_bytes((200, 100), "PNG", gps=False), cell="H9")
    _submission, problems = problems_of(write(tmp_path, [highlight()], edit=edit))
    assert problems == [
        "Nostot!H9: warning: a picture is pasted where there is no highlight, so it is not read (a picture at H9); move "
        "it onto the row of its highlight, or delete it"
    ]


def test_a_photo_without_alternative_text_is_a_problem_at_its_cell(tmp_path):
    _submission, problems = problems_of(write(tmp_path, [highlight(photo="kuva.jpg")], {"kuva.jpg": photo_bytes()}))
    assert problems == [
        "Nostot!G2: the photo has no alternative text (empty); write one sentence on what the photo shows, for readers "
        "who cannot see it"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a photo at all", "is not a photo that can be read (not a JPEG or PNG image)"),
        (bomb_png(), "declares far too many pixels (more than 40 megapixels: it may be a 'decompression bomb')"),
        (bomb_png(9000, 9000), "has too many pixels (9000 × 9000; at most 40 megapixels)"),
        (photo_bytes(fmt="GIF", gps=False), "is not a photo that can be read (not a JPEG or PNG image)"),
        (photo_bytes()[:2000], "is damaged and cannot be read"),
    ],
    ids=["fake", "decompression bomb", "too many pixels", "gif", "truncated"],
)
def test_a_fake_or_oversized_photo_is_refused_at_its_cell(tmp_path, data, message):
    rows = [highlight(photo="kuva.jpg", photo_alt="Kuva.")]
    _submission, problems = problems_of(write(tmp_path, rows, {"kuva.jpg": data}))
    assert len(problems) == 1 and problems[0].startswith("Nostot!F2: the photo file 'kuva.jpg': the ")
    assert message in problems[0]


def test_a_truncated_photo_is_refused_also_after_weasyprint_was_imported(tmp_path):
    import weasyprint  # noqa: F401  (it sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process)
    from PIL import ImageFile

    rows = [highlight(photo="kuva.jpg", photo_alt="Kuva.")]
    _submission, problems = problems_of(write(tmp_path, rows, {"kuva.jpg": photo_bytes()[:2000]}))
    assert len(problems) == 1 and "is damaged and cannot be read" in problems[0]
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # put back as it was


def test_a_pasted_decompression_bomb_is_refused_at_its_row(tmp_path):
    edit = paste(2, bomb_png(9000, 9000))
    _submission, problems = problems_of(write(tmp_path, [highlight(photo_alt="Kuva.")], edit=edit))
    assert len(problems) == 1 and problems[0].startswith("Nostot!F2: the picture pasted on row 2: the photo has too many pixels")


def test_the_feedback_copy_of_a_workbook_with_a_pasted_bomb_is_written_without_its_pictures(tmp_path):
    import zipfile

    from hki_intl.workbook.feedback import annotated_workbook

    path = write(tmp_path, [highlight(photo_alt="K.")], edit=paste(2, bomb_png(1, 1)))
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[next(name for name in parts if name.startswith("xl/media/"))] = bomb_png()  # 10 000 megapixels
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    _submission, problems = problems_of(path)
    assert len(problems) == 1 and "declares far too many pixels" in problems[0]
    _submission, found = read_submission(path, YEAR, STRATEGY, SETTINGS)
    copy = annotated_workbook(path, found)
    assert copy["Nostot"]._images == [] and copy["Nostot"]["F2"].comment is not None


def test_a_photo_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = os.urandom(1024) * (MAX_PHOTO_MB * 1024 + 1)
    _submission, problems = problems_of(write(tmp_path, [highlight(photo="iso.jpg", photo_alt="K.")], {"iso.jpg": big}))
    assert problems == [
        "Nostot!F2: the photo file 'iso.jpg': the photo is too large (20 MB; at most 20 MB); save it smaller, e.g. 2000 "
        "pixels wide"
    ]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\secret.jpg", "sub/kuva.jpg", "C:\\kuva.jpg", ".."])
def test_a_photo_name_never_leaves_the_workbooks_folder(tmp_path, name):
    _submission, problems = problems_of(write(tmp_path, [highlight(photo=name, photo_alt="K.")]))
    assert len(problems) == 1 and problems[0].startswith("Nostot!F2: the photo file ")
    assert "must be a bare file name in the workbook's own folder" in problems[0]


def test_a_photo_file_that_is_a_link_is_refused(tmp_path):
    target = tmp_path / "secret.jpg"
    target.write_bytes(photo_bytes())
    path = write(tmp_path, [highlight(photo="kuva.jpg", photo_alt="K.")])
    (path.parent / "kuva.jpg").symlink_to(target)
    _submission, problems = problems_of(path)
    assert problems == [
        "Nostot!F2: the photo file 'kuva.jpg': the photo file is a link or not a regular file ('kuva.jpg'); send the photo itself"
    ]


def test_a_missing_photo_file_and_an_unnamed_one_are_named(tmp_path):
    path = write(tmp_path, [highlight(photo="puuttuu.jpg", photo_alt="K.")], {"muu.png": photo_bytes(fmt="PNG")})
    result = load_submissions(tmp_path / "inputs", [YEAR], STRATEGY, SETTINGS)
    lines = [str(p).replace(str(path.parent) + "/", "") for p in result.all_problems]
    assert lines == [
        "education.xlsx: Nostot!F2: the photo file 'puuttuu.jpg': the photo file 'puuttuu.jpg' is not beside the workbook "
        "(photo files there: muu.png); send the photo with the workbook, or correct the name",
        "muu.png: warning: a photo file that no workbook names, so it is not read; write its name in the column "
        "'Kuvatiedosto' of its highlight's row on the sheet Nostot, or remove the file",
    ]


def test_clean_photo_applies_the_orientation_before_dropping_it():
    image = Image.new("RGB", (400, 200), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    photo = clean_photo(out.getvalue())
    assert (photo.width, photo.height) == (200, 400)


# --- in the report -------------------------------------------------------------------------------


@pytest.fixture
def report_data(tmp_path):
    rows = [
        highlight(photo="kuva.jpg", photo_alt="Opettajia luokassa.", photo_credit="Kaupunki"),
        highlight(title="Nosto ruotsiksi", title_sv="Höjdpunkt på svenska", text_sv="Text på svenska.", goal="competence"),
    ]
    write(tmp_path, rows, {"kuva.jpg": photo_bytes()})
    result = load_submissions(tmp_path / "inputs", [YEAR], STRATEGY, SETTINGS)
    assert result.ok, result.problems
    data = tmp_path / "data"
    write_tables(consolidate(result), data)
    write_photos(result, data)
    return data


def _embedded_images(html_text: str) -> list[Image.Image]:
    found = re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html_text)
    return [Image.open(io.BytesIO(base64.b64decode(b))) for b in found]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_photo_embedded_in_the_report_has_no_metadata(report_data, lang):
    html_text = highlights.goal_highlights(chapters.open_context(YEAR, report_data, lang), "competence")
    (image,) = _embedded_images(html_text)
    assert image.format == "JPEG" and dict(image.getexif()) == {} and "exif" not in image.info
    assert 'alt="Opettajia luokassa."' in html_text


def test_each_language_shows_its_own_text_or_the_finnish_marked_with_lang(report_data):
    fi = highlights.goal_highlights(chapters.open_context(YEAR, report_data, "fi"), "competence")
    sv = highlights.goal_highlights(chapters.open_context(YEAR, report_data, "sv"), "competence")
    en = highlights.goal_highlights(chapters.open_context(YEAR, report_data, "en"), "competence")
    assert 'lang="fi"' not in re.sub(r'<p class="[^"]*" lang="fi">', "", fi)
    assert re.search(r'<article class="highlight" id="highlight-education-2" lang="fi">.*?Opettajat oppivat', sv)
    assert re.search(r'<article class="highlight" id="highlight-education-3">.*?Höjdpunkt på svenska', sv)
    assert 'id="highlight-education-3" lang="fi">' in en and "Nosto ruotsiksi" in en


def test_the_summary_features_one_highlight_per_goal_by_its_rule(report_data):
    ctx = chapters.open_context(YEAR, report_data, "en")
    chosen = highlights.featured(ctx)
    assert list(chosen) == ["competence"]  # the one with a photo comes first
    assert chosen["competence"]["photo_image"] == "photos/education-2025-2.jpg"
    block = highlights.featured_block(ctx)
    assert 'href="#highlight-education-2" lang="fi"' in block and block.count("<li>") == 1


def test_an_organisations_part_lists_its_highlights(report_data):
    part = highlights.organisation_list(chapters.open_context(YEAR, report_data, "sv"), "education")
    assert part.count("<li>") == 2 and "Höjdpunkt på svenska" in part


def test_an_example_workbooks_photos_are_checked_like_any(tmp_path):
    from hki_intl.example import build_example

    build_example(STRATEGY, [YEAR], tmp_path / "ex")
    folder = tmp_path / "ex" / str(YEAR)
    files = sorted(p.name for p in folder.glob("*.jpg"))
    assert files and all(Image.open(folder / f).getexif().get_ifd(0x8825) for f in files)  # the GPS is there to strip
    result = load_submissions(tmp_path / "ex", [YEAR], STRATEGY, SETTINGS)
    assert result.all_problems == []
    photos = [p for s in result.submissions for p in s.photos.values()]
    assert len(photos) >= 9
    assert all(dict(Image.open(io.BytesIO(p.jpeg)).getexif()) == {} for p in photos)
    assert sum(len(s.tables["highlights"]) for s in result.submissions) == 21
    assert Path(folder).is_dir()
