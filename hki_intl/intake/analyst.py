"""The analyst's words: a foreword, a commentary per goal and an outlook, in Markdown.

One file per report language beside the year's workbooks, ``<inputs>/<year>/analyst-<lang>.md``.
Each part starts with a level-2 heading naming it by its fixed id: ``## foreword``, one
``## <goal id>`` per goal of ``params/strategy.yaml`` (``## competence`` …) and ``## outlook``.
What comes before the first such heading is the analyst's own notes (the template's
instructions) and is not shown; a part left empty is left out of the report. Headings inside a
part start with ``###``.

Every file is optional: a missing one leaves its language's report without those parts (the
data-quality part says so). A file that cannot be used is one line naming the file and the
line: an unknown part, a part twice, a level-1 heading, text that is not UTF-8 (an error), or a
file without text, such as an untouched template (a warning, as an untouched workbook is).
The texts are read here, checked, and handed to the notebooks as parameters, so they are part
of the stage keys: a changed commentary re-runs its goal's notebook and the assembly only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from hki_intl.config.params import LANGUAGES, Strategy, Texts
from hki_intl.errors import WARNING, Problem
from hki_intl.messages import Message

FOREWORD, OUTLOOK = "foreword", "outlook"
NAME = re.compile(r"analyst-(.*)\.md", re.IGNORECASE)  # an analyst's file in a year's folder
MAX_BYTES = 200_000  # a foreword, a commentary per goal and an outlook are a few pages at most
SECTION = re.compile(r" {0,3}##(?!#)[ \t]*(.*?)[ \t#]*")  # ## foreword
TITLE = re.compile(r" {0,3}#(?!#)")  # a level-1 heading: not a part's heading
FENCE = re.compile(r" {0,3}(```|~~~)")

GIVEN, MISSING, REJECTED = "given", "missing", "rejected"


def is_analyst_file(path: Path) -> bool:
    """Whether a file of a year's folder is an analyst's file (not a workbook)."""
    return NAME.fullmatch(path.name) is not None


def analyst_path(inputs_dir: Path, year: int, lang: str) -> Path:
    return Path(inputs_dir) / str(year) / f"analyst-{lang}.md"


def sections(strategy: Strategy) -> list[str]:
    """The parts a file may hold, in the report's order: the foreword, each goal, the outlook."""
    return [FOREWORD, *strategy.goals.ids, OUTLOOK]


@dataclass(frozen=True)
class AnalystWords:
    """The analyst's parts of one year by language (``texts[lang][part]``: Markdown, never
    empty), each language's file status (given, missing, rejected) and the problems found."""

    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=lambda: dict.fromkeys(LANGUAGES, MISSING))
    problems: list[Problem] = field(default_factory=list)  # errors and warnings

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def part(self, section: str) -> dict[str, str | None]:
        """One part in every language (None where it is not given): a notebook's parameter."""
        return {lang: self.texts.get(lang, {}).get(section) for lang in LANGUAGES}

    def given(self) -> dict[str, list[str] | str]:
        """Per language, the parts given, or why the language's file was not used (missing,
        rejected): what the data-quality part says."""
        return {lang: sorted(self.texts.get(lang, {})) if self.status[lang] == GIVEN else self.status[lang] for lang in LANGUAGES}

    def without_rejected(self) -> AnalystWords:
        """The words with every file that had a problem left out (``--allow-partial``)."""
        bad = {lang for lang in LANGUAGES if any(Path(p.file).name == f"analyst-{lang}.md" for p in self.errors)}
        return AnalystWords(
            {lang: parts for lang, parts in self.texts.items() if lang not in bad},
            {lang: REJECTED if lang in bad else status for lang, status in self.status.items()},
            self.problems,
        )


def read_analyst_words(inputs_dir: Path, year: int, strategy: Strategy) -> AnalystWords:
    """Every analyst's file of ``year``: its parts, and every problem (one line each)."""
    folder = Path(inputs_dir) / str(year)
    texts: dict[str, dict[str, str]] = {}
    status = dict.fromkeys(LANGUAGES, MISSING)
    problems: list[Problem] = []
    files = sorted(p for p in folder.iterdir() if p.is_file() and is_analyst_file(p)) if folder.is_dir() else []
    for path in files:
        lang = NAME.fullmatch(path.name)[1]  # type: ignore[index]
        if path.name not in {f"analyst-{code}.md" for code in LANGUAGES}:
            names = ", ".join(f"analyst-{code}.md" for code in LANGUAGES)
            problems.append(Problem(str(path), message=Message("analyst.not_a_language", lang=repr(lang), names=names)))
            continue
        parts, found = read_analyst_file(path, strategy)
        problems += found
        status[lang] = GIVEN
        texts[lang] = parts
    return AnalystWords(texts, status, problems)


def read_analyst_file(path: Path, strategy: Strategy) -> tuple[dict[str, str], list[Problem]]:
    """The parts of one file (empty ones left out) and its problems."""
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        size, limit = f"{len(data):,}".replace(",", " "), f"{MAX_BYTES:,}".replace(",", " ")
        return {}, [_problem(path, 0, Message("analyst.too_large", size=size, limit=limit))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return {}, [_problem(path, line, Message("analyst.not_utf8"))]
    return parse_analyst_text(text, path, sections(strategy))


def parse_analyst_text(text: str, path: Path, allowed: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Split ``text`` into its parts by their ``## <id>`` headings; problems name ``path``."""
    parts: dict[str, list[str]] = {}
    started: dict[str, int] = {}
    problems: list[Problem] = []
    current: str | None = None
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else SECTION.fullmatch(line)
        if heading:
            current = None
            name = heading[1].strip().lower()
            if name not in allowed:
                problems.append(
                    _problem(
                        path, number, Message("analyst.unknown_part", part=repr(heading[1].strip()), parts=", ".join(allowed))
                    )
                )
            elif name in started:
                problems.append(_problem(path, number, Message("analyst.part_again", part=repr(name), first=started[name])))
            else:
                started[name], current = number, name
                parts[name] = []
        elif not fenced and TITLE.match(line):
            problems.append(
                _problem(
                    path,
                    number,
                    Message("analyst.level_1", heading=repr(line.strip()), parts=", ".join(allowed)),
                )
            )
        elif current is not None:
            parts[current].append(line)
    written = {name: "\n".join(lines).strip() for name, lines in parts.items()}
    written = {name: body for name, body in written.items() if body}
    if not written and not problems:  # an untouched template, say: as an empty workbook, a warning
        headings = ", ".join("## " + a for a in allowed)
        problems.append(replace(_problem(path, 1, Message("analyst.empty", headings=headings)), severity=WARNING))
    return written, problems


def _problem(path: Path, line: int, message: Message) -> Problem:
    """A problem at a line of an analyst's file: ``<file>: line 12: <message>``."""
    return Problem(str(path), sheet=f"line {line}" if line else "", row=line, message=message)


# --- the template -------------------------------------------------------------------------------


def template_text(strategy: Strategy, year: int, t: Texts) -> str:
    """An analyst's file for ``year`` in ``t``'s language: the instructions (notes, not shown),
    then every part's heading with nothing under it."""
    lang = t.lang
    lines = [
        t("analyst.template.title", year=year, file=f"analyst-{lang}.md"),
        "",
        t("analyst.template.how"),
        "",
        f"- foreword: {t('analyst.template.foreword')}",
        *(f"- {goal}: {t('analyst.template.goal', goal=strategy.goals.label(goal, lang))}" for goal in strategy.goals.ids),
        f"- outlook: {t('analyst.template.outlook', next_year=year + 1)}",
        "",
        t("analyst.template.rules"),
        "",
    ]
    for name in sections(strategy):
        lines += [f"## {name}", "", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
