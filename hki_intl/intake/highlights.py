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
from hki_intl.messages import Message, Words
from hki_intl.workbook.excel import AnchoredPicture, NotAWorkbook, read_pictures
from hki_intl.workbook.layout import cell_ref
from hki_intl.workbook.layout import show as _show
from hki_intl.workbook.schema import HIGHLIGHTS, MAX_HIGHLIGHTS

if TYPE_CHECKING:
    from hki_intl.intake.read import Submission

LINK = re.compile(r"https?://[^\s<>\"'`]+\.[^\s<>\"'`]+", re.IGNORECASE)  # only web addresses: never javascript: or file:
ENGLISH_ORDINALS = {4: "fourth", 5: "fifth", 6: "sixth"}
TRANSLATIONS = ("sv", "en")  # the highlight's optional languages beside Finnish
ALONE = {  # (language, what is given) → the message for a translation's title or text given alone
    ("sv", "title"): "highlight.sv_title_alone",
    ("sv", "text"): "highlight.sv_text_alone",
    ("en", "title"): "highlight.en_title_alone",
    ("en", "text"): "highlight.en_text_alone",
}


def _ordinal(n: int) -> Words:
    """4 → ``4.``, ``4:e``, ``fourth``."""
    return Words(f"{n}.", f"{n}:e", ENGLISH_ORDINALS.get(n, f"{n}th"))


def photo_key(organisation: str, year: int, row: int) -> str:
    """Where a highlight's cleaned photo is kept beside the run's complete tables (``cache/tables/``)."""
    return f"photos/{organisation}-{year}-{row}.jpg"


class _Cells:
    """Problems at the cells of one highlights sheet."""

    def __init__(self, file: str, columns: dict[int, str], problems: list[Problem]):
        self.file, self.problems = file, problems
        self.columns = {key: column for column, key in columns.items()}

    def at(self, row: int, key: str, message: Message, severity: str = "error", fallback: int | None = None) -> None:
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
                Message("highlight.too_many", ordinal=_ordinal(n), title=_show(record["title"]), limit=MAX_HIGHLIGHTS),
            )
        _check_link(record, cells)
        _check_translations(record, cells)
    try:
        pictures = read_pictures(path, HIGHLIGHTS)
    except NotAWorkbook as exc:
        problems.append(Problem(str(path), HIGHLIGHTS, message=exc.message))
        return
    _attach_photos(path, submission, records, pictures, cells, clean)


def _check_link(record: dict[str, Any], cells: _Cells) -> None:
    link = record.get("link")
    if link and not LINK.fullmatch(link):
        cells.at(
            record["source_row"],
            "link",
            Message("highlight.bad_link", link=_show(link)),
        )


def _check_translations(record: dict[str, Any], cells: _Cells) -> None:
    """A translation is shown only when its title and text are both given: the one given alone is named."""
    for lang in TRANSLATIONS:
        title, text = record.get(f"title_{lang}"), record.get(f"text_{lang}")
        if bool(title) == bool(text):
            continue
        given, missing = ("title", "text") if title else ("text", "title")
        column = cells.columns.get(f"{missing}_{lang}")
        where = Message("highlight.in_cell", cell=cell_ref(record["source_row"], column)) if column else ""
        message = Message(ALONE[(lang, given)], value=_show(title or text), where=where)
        cells.at(record["source_row"], f"{given}_{lang}", message, WARNING)


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
                    Message("highlight.stray_picture", cell=cell_ref(picture.row, picture.column)),
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
                Message("highlight.no_alt"),
            )
        for key, what in (("photo_alt", Message("highlight.alt_text")), ("photo_credit", Message("highlight.credit"))):
            if record.get(key) and not has_photo:
                cells.at(row, key, Message("highlight.no_photo", what=what, value=_show(record[key])), WARNING)


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
            Message("highlight.pictures", row=row, count=len(pasted)),
            fallback=anchor,
        )
        return None
    if pasted and named:
        cells.at(
            row,
            "photo",
            Message("highlight.picture_and_file", name=_show(named)),
            fallback=anchor,
        )
        return None
    try:
        if pasted:
            return clean(pasted[0].data)
        if named:
            return clean(read_photo_file(photo_file(path.parent, str(named))))
    except PhotoRefused as exc:
        what = Message("highlight.pasted_on", row=row) if pasted else Message("highlight.photo_file", name=_show(named))
        cells.at(row, "photo", Message("highlight.photo_refused", what=what, reason=exc.message), fallback=anchor)
    return None
