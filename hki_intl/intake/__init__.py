"""From the contributors' workbooks to the consolidated tables: read every workbook
(:mod:`~hki_intl.intake.read`), parse every cell (:mod:`~hki_intl.intake.parse`), check the rows
(:mod:`~hki_intl.intake.rules`) and write one tidy table per sheet (:mod:`~hki_intl.intake.tables`).

The names below are the intake's public face; import them from here.
"""

from hki_intl.intake.parse import (
    FIRST_DATE,
    LAST_DATE,
    NUMBER_LIMIT,
    Ambiguous,
    parse_number_text,
    parse_value,
    read_number_text,
)
from hki_intl.intake.read import (
    IntakeResult,
    SheetLayout,
    Submission,
    load_submissions,
    read_submission,
    workbook_paths,
)
from hki_intl.workbook.layout import code_key
from hki_intl.workbook.schema import MAX_TEXT

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_TEXT",
    "NUMBER_LIMIT",
    "Ambiguous",
    "IntakeResult",
    "SheetLayout",
    "Submission",
    "code_key",
    "load_submissions",
    "parse_number_text",
    "parse_value",
    "read_number_text",
    "read_submission",
    "workbook_paths",
]
