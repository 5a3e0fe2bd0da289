"""Every error the pipeline raises for people derives from :class:`PipelineError`.

Only the CLI prints them; each carries what a user needs to act: the file, the sheet, the
cell and how to fix the problem.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from hki_intl.messages import Message, render, text

ERROR, WARNING = "error", "warning"


class PipelineError(Exception):
    """Base class of every error meant for a user rather than a developer. Its message is a
    :class:`~hki_intl.messages.Message`, shown in the language in use when printed."""

    exit_code = 1

    def __init__(self, message: Message | str = ""):
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return render(self.message)


@functools.total_ordering
@dataclass(frozen=True, eq=True)
class Problem:
    """One thing wrong in one workbook, as a single line a contributor can act on.

    ``sheet`` and ``cell`` are empty for workbook-level problems (a file that is not a
    workbook, a missing sheet). ``cell`` is one cell (``E14``) or a range (``P1:P40``) when the
    problem is about a region: a column, a sheet or the values above a header. ``row`` and
    ``column`` are the 1-based position of the (first) cell, kept for sorting and for the
    feedback workbook.

    An ``error`` leaves the workbook out of the report; a ``warning`` names something that is
    not read (a column of the contributor's own notes, an untouched template) but keeps the
    workbook in.

    ``message`` is a :class:`~hki_intl.messages.Message` (its key and values), rendered in a
    language on demand: :meth:`text`; ``str(problem)`` is the whole line in the language in use.
    """

    file: str
    sheet: str = ""
    row: int = 0
    column: int = 0
    cell: str = ""
    message: Message | str = ""
    severity: str = ERROR

    def text(self, lang: str | None = None) -> str:
        """What is wrong, in ``lang`` (default: the language in use)."""
        return render(self.message, lang)

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        message = text("problem.warning", message=self.message) if self.severity == WARNING else self.text()
        line = f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}"
        return one_line(line)

    def _order(self) -> tuple:
        message = self.message.sort_key() if isinstance(self.message, Message) else ("", self.message)
        return (self.file, self.sheet, self.row, self.column, self.cell, message, self.severity)

    def __lt__(self, other: Problem) -> bool:
        return self._order() < other._order()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


COLLAPSE_AT = 5  # this many problems of one kind in one column are printed as one line with their range


def collapse(problems: list[Problem], at: int = COLLAPSE_AT) -> list[Problem]:
    """The problems as a person reads them: ``at`` or more problems of the same kind in one column
    of one sheet (a formula copied down a thousand rows) become one problem with their range,
    ``Toiminnot!L2:L1000: 999 cells alike, the first L2: …``. Problems are "of the same kind"
    when their messages have the same key and nested keys (they differ only in the values they show). The full
    list stays with the caller (the feedback workbook marks every cell)."""
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        single = problem.column and problem.cell and ":" not in problem.cell
        kind = problem.message.kind if isinstance(problem.message, Message) else problem.message
        key = (problem.file, problem.sheet, problem.column, problem.severity, kind) if single else (id(problem),)
        groups.setdefault(key, []).append(problem)
    shown = []
    for members in groups.values():
        if len(members) < at:
            shown.extend(members)
            continue
        members.sort()
        first, last = members[0], members[-1]
        letters = first.cell.rstrip("0123456789")
        shown.append(
            replace(
                first,
                cell=f"{letters}{first.row}:{letters}{last.row}",
                message=Message("problem.cells_alike", count=len(members), first=first.cell, message=first.message),
            )
        )
    return sorted(shown)


def count_line(problems: list[Problem]) -> str:
    """``3 problems found; fix them and run again.``, or with warnings
    ``2 errors and 1 warning found; fix the errors and run again.``, in the language in use."""
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if not warnings:
        return text("count.problems_one" if errors == 1 else "count.problems", count=errors)
    if not errors:
        return text("count.warnings_one" if warnings == 1 else "count.warnings", count=warnings)
    errors_word = Message("count.errors_word_one" if errors == 1 else "count.errors_word", count=errors)
    warnings_word = Message("count.warnings_word_one" if warnings == 1 else "count.warnings_word", count=warnings)
    return text("count.errors_and_warnings", errors=errors_word, warnings=warnings_word)


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes: a file or sheet name from a hostile
    workbook (or its sender) cannot split a problem over several lines."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: repr(m[0])[1:-1], text)


class InputErrors(PipelineError):
    """The inputs have problems that make them unusable; ``problems`` lists every one."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__()

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __reduce__(self):  # it crosses from the intake's process as its problems, not its text
        return type(self), (self.problems,)


class UsageError(PipelineError):
    """The command was called wrongly (a missing folder, a bad option value)."""

    exit_code = 2


def cannot_write(path: Path, error: OSError, option: str) -> UsageError:
    """A place the OS will not let us write (no permission, read-only, full, a path through a
    file) is the user's to fix, not a bug: one line naming it, the OS's reason and the option."""
    reason = error.strerror or os.strerror(error.errno or 0)
    return UsageError(Message("usage.cannot_write", path=str(path), reason=reason, option=option))


class NotebookFailed(PipelineError):
    """A report notebook raised; its executed copy was kept for the analyst to open."""

    exit_code = 3

    def __init__(self, notebook: str, executed_copy: Path, reason: str):
        self.notebook = notebook
        self.executed_copy = executed_copy
        self.reason = reason
        super().__init__(Message("run.notebook_failed", notebook=notebook, reason=reason, copy=str(executed_copy)))
