"""Every error the pipeline raises for people derives from :class:`PipelineError`.

Only the CLI prints them; each carries what a user needs to act: the file, the sheet, the
cell and how to fix the problem.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


class PipelineError(Exception):
    """Base class of every error meant for a user rather than a developer."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one workbook, as a single line a contributor can act on.

    ``sheet`` and ``cell`` are empty for workbook-level problems (a file that is not a
    workbook, a missing sheet). ``row`` is the 1-based worksheet row, kept for sorting and
    for the feedback workbook.
    """

    file: str
    sheet: str = ""
    row: int = 0
    column: int = 0
    cell: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        line = f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"
        return one_line(line)


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes: a file or sheet name from a hostile
    workbook (or its sender) cannot split a problem over several lines."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: repr(m[0])[1:-1], text)


class InputErrors(PipelineError):
    """The inputs have problems that make them unusable; ``problems`` lists every one."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(PipelineError):
    """The command was called wrongly (a missing folder, a bad option value)."""

    exit_code = 2


def cannot_write(path: Path, error: OSError, option: str) -> UsageError:
    """A place the OS will not let us write (no permission, read-only, full, a path through a
    file) is the user's to fix, not a bug: one line naming it, the OS's reason and the option."""
    reason = error.strerror or os.strerror(error.errno or 0)
    return UsageError(f"{path}: cannot write there ({reason}); choose another folder for {option}")


class NotebookFailed(PipelineError):
    """A report notebook raised; its executed copy was kept for the analyst to open."""

    exit_code = 3

    def __init__(self, notebook: str, executed_copy: Path, reason: str):
        self.notebook = notebook
        self.executed_copy = executed_copy
        self.reason = reason
        super().__init__(
            f"notebook {notebook} failed: {reason}; the executed copy with the error is "
            f"saved at {executed_copy}"
        )
