"""The rules of the highlights sheet (*Nostot*) beyond one cell: at most three a year, a link
that is a web address, translations given whole, and each highlight's photo — pasted on its row
or a file beside the workbook — found, checked and cleaned (:mod:`hki_intl.intake.photos`),
with its alternative text. Every problem is named at its cell."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hki_intl.errors import WARNING, Problem
from hki_intl.intake.photos import Photo, PhotoRefused, clean_photo, photo_file, read_photo_file
from hki_intl.workbook.excel import AnchoredPicture, NotAWorkbook, read_pictures
from hki_intl.workbook.layout import cell_ref
from hki_intl.workbook.layout import show as _show
from hki_intl.workbook.schema import HIGHLIGHTS, MAX_HIGHLIGHTS

if TYPE_CHECKING:
    from hki_intl.intake.read import Submission

LINK = re.compile(r"https?://[^\s<>\"'`]+\.[^\s<>\"'`]+", re.IGNORECASE)  # only web addresses: never javascript: or file:
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}
ORDINALS = {4: "fourth", 5: "fifth", 6: "sixth"}


def photo_key(organisation: str, year: int, row: int) -> str:
    """Where a highlight's cleaned photo is kept beside the run's complete tables (``cache/tables/``)."""
    return f"photos/{organisation}-{year}-{row}.jpg"


class _Cells:
    """Problems at the cells of one highlights sheet."""

    def __init__(self, file: str, columns: dict[int, str], problems: list[Problem]):
        self.file, self.problems = file, problems
        self.columns = {key: column for column, key in columns.items()}

    def at(self, row: int, key: str, message: str, severity: str = "error", fallback: int | None = None) -> None:
        column = self.columns.get(key) or fallback or min(self.columns.values(), default=1)
        self.problems.append(Problem(self.file, HIGHLIGHTS, row, column, cell_ref(row, column), message, severity))


def check_highlights(
    path: Path, submission: Submission, problems: list[Problem], clean: Callable[[bytes], Photo] = clean_photo
) -> None:
    """Check the highlights read from ``path`` and attach their photos to ``submission``, each
    cleaned by ``clean`` (:func:`~hki_intl.intake.photos.clean_photo`, or a cache of its results)."""
    layout = submission.layout.get(HIGHLIGHTS)
    if layout is None:
        return
    records = submission.tables.get("highlights", [])
    cells = _Cells(str(path), layout.columns, problems)
    for n, record in enumerate(records, start=1):
        if n > MAX_HIGHLIGHTS:
            cells.at(
                record["source_row"],
                "title",
                (
                    f"a {ORDINALS.get(n, f'{n}th')} highlight ({_show(record['title'])}); at most {MAX_HIGHLIGHTS} a year: keep "
                    f"the {MAX_HIGHLIGHTS} most important and delete the other rows"
                ),
            )
        _check_link(record, cells)
        _check_translations(record, cells)
    try:
        pictures = read_pictures(path, HIGHLIGHTS)
    except NotAWorkbook as exc:
        problems.append(Problem(str(path), HIGHLIGHTS, message=str(exc)))
        return
    _attach_photos(path, submission, records, pictures, cells, clean)


def _check_link(record: dict[str, Any], cells: _Cells) -> None:
    link = record.get("link")
    if link and not LINK.fullmatch(link):
        cells.at(
            record["source_row"],
            "link",
            f"the link is not a web address ({_show(link)}); write the whole address, starting with https://",
        )


def _check_translations(record: dict[str, Any], cells: _Cells) -> None:
    """A translation is shown only when its title and text are both given: the one given alone is named."""
    for lang, language in LANGUAGE_NAMES.items():
        title, text = record.get(f"title_{lang}"), record.get(f"text_{lang}")
        if bool(title) == bool(text):
            continue
        given, missing = ("title", "text") if title else ("text", "title")
        column = cells.columns.get(f"{missing}_{lang}")
        where = f" in {cell_ref(record['source_row'], column)}" if column else ""
        cells.at(
            record["source_row"],
            f"{given}_{lang}",
            (
                f"the {language} {given} is not shown without its {missing}: the {language} report shows the Finnish "
                f"highlight ({_show(title or text)}); add the {language} {missing}{where}, or clear this cell"
            ),
            WARNING,
        )


def _attach_photos(
    path: Path,
    submission: Submission,
    records: list[dict[str, Any]],
    pictures: list[AnchoredPicture],
    cells: _Cells,
    clean: Callable[[bytes], Photo],
) -> None:
    """Each highlight's photo (pasted on its row, or its named file), cleaned; pictures off the
    highlights' rows are named."""
    on_row: dict[int, list[AnchoredPicture]] = defaultdict(list)
    rows = {record["source_row"] for record in records}
    for picture in pictures:
        if picture.row in rows:
            on_row[picture.row].append(picture)
        else:
            cells.problems.append(
                Problem(
                    cells.file,
                    HIGHLIGHTS,
                    picture.row,
                    picture.column,
                    cell_ref(picture.row, picture.column),
                    (
                        f"a picture is pasted where there is no highlight, so it is not read (a picture at "
                        f"{cell_ref(picture.row, picture.column)}); move it onto the row of its highlight, or delete it"
                    ),
                    WARNING,
                )
            )
    for record in records:
        row = record["source_row"]
        photo = _photo_of(path, submission, record, on_row.get(row, []), cells, clean)
        record["photo_image"] = None
        if photo is not None:
            key = photo_key(submission.organisation, submission.year, row)
            submission.photos[key] = photo
            record["photo_image"] = key
        has_photo = photo is not None or bool(on_row.get(row)) or bool(record.get("photo"))
        if has_photo and not record.get("photo_alt"):
            cells.at(
                row,
                "photo_alt",
                (
                    "the photo has no alternative text (empty); write one sentence on what the photo shows, for readers "
                    "who cannot see it"
                ),
            )
        for key, what in (("photo_alt", "alternative text"), ("photo_credit", "photo credit")):
            if record.get(key) and not has_photo:
                cells.at(
                    row,
                    key,
                    (
                        f"the {what} is not shown, as the highlight has no photo ({_show(record[key])}); paste the photo "
                        f"on this row or name its file, or clear the cell"
                    ),
                    WARNING,
                )


def _photo_of(
    path: Path,
    submission: Submission,
    record: dict[str, Any],
    pasted: list[AnchoredPicture],
    cells: _Cells,
    clean: Callable[[bytes], Photo],
) -> Photo | None:
    """The cleaned photo of one highlight, or None (no photo, or a problem named at its cell)."""
    row, named = record["source_row"], record.get("photo")
    anchor = pasted[0].column if pasted else None
    if named:
        submission.photo_files.add(str(named).strip().casefold())
    if len(pasted) > 1:
        cells.at(
            row,
            "photo",
            f"more than one picture is pasted on row {row} ({len(pasted)} pictures); keep one photo per highlight",
            fallback=anchor,
        )
        return None
    if pasted and named:
        cells.at(
            row,
            "photo",
            (
                f"the highlight has a pasted picture and a photo file ({_show(named)}); keep one: delete the picture or "
                f"clear the file name"
            ),
            fallback=anchor,
        )
        return None
    try:
        if pasted:
            return clean(pasted[0].data)
        if named:
            return clean(read_photo_file(photo_file(path.parent, str(named))))
    except PhotoRefused as exc:
        what = f"the picture pasted on row {row}" if pasted else f"the photo file {_show(named)}"
        cells.at(row, "photo", f"{what}: {exc}", fallback=anchor)
    return None
