"""The params folder as the pipeline sees it: the strategy model, the report settings and the
words, read from ``params/`` and validated.

Nothing of the strategy is hard-coded elsewhere: goals, focus areas, code lists,
organisations, networks, cities and indicators all come from ``params/strategy.yaml``; the
report's words from ``params/texts.yaml``; the workbook's words from ``params/workbook.yaml``
(:mod:`hki_intl.workbook.words`); per-report settings from ``params/report.yaml``.

Every file is checked against its model (:mod:`hki_intl.config.models`) and then across its
entries (unique ids, references to another list). A mistake is wrong usage, not a bug: one
line naming the file, the key path and what is expected, such as
``params/strategy.yaml: goals[1].sv: missing; every goal needs a label in fi, sv and en``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from hki_intl import EXPLORE_NOTEBOOK, NOTEBOOKS_DIR, PARAMS_DIR
from hki_intl.config.models import (
    LANGUAGES,
    LOCALES,
    NOUNS,
    Figure,
    FiguresFile,
    ReportFile,
    StrategyFile,
    Target,
    TargetsFile,
    TextsFile,
)
from hki_intl.errors import UsageError
from hki_intl.messages import Message, Words

__all__ = [
    "LANGUAGES",
    "LOCALES",
    "CodeList",
    "Figures",
    "Loc",
    "Params",
    "Settings",
    "Strategy",
    "Targets",
    "Texts",
    "check_target_years",
    "explain",
    "first",
    "key_path",
    "load_params",
    "load_settings",
    "load_strategy",
    "load_targets",
    "load_texts",
    "normalise_key",
    "params_error",
    "read_params_file",
    "shown",
    "unknown_code",
    "validated",
]

Loc = tuple[int | str, ...]


# --- reading a file ------------------------------------------------------------------------------


class _KeyTwice(yaml.MarkedYAMLError):
    """A key given twice in one mapping; ``message`` says so."""

    def __init__(self, message: Message, problem_mark: yaml.Mark):
        super().__init__(problem=str(message), problem_mark=problem_mark)
        self.message = message


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml's, if there
    """YAML as ``yaml.safe_load`` reads it (with libyaml's parser where installed: five times
    faster), except that a key given twice in one mapping is an error: PyYAML would keep the
    last silently (a copied text whose key was not renamed)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        lines: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # PyYAML refuses it itself
            if key in lines:
                raise _KeyTwice(Message("params.key_twice", key=repr(key), line=lines[key] + 1), key_node.start_mark)
            lines[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def shown(path: Path) -> str:
    """How a message names a file: relative to the working folder when it is inside it."""
    path = Path(path)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(path)


def read_params_file(path: Path) -> Any:
    """The YAML of one params file; a missing, unreadable or malformed file is one line."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)  # a safe loader: no Python objects
    except FileNotFoundError:
        raise UsageError(Message("params.missing_file", file=shown(path))) from None
    except UnicodeDecodeError as error:
        raise UsageError(Message("params.not_utf8", file=shown(path), byte=error.start)) from None
    except OSError as error:
        raise UsageError(Message("params.unreadable", file=shown(path), reason=str(error.strerror))) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.message if isinstance(error, _KeyTwice) else Message("params.not_yaml", reason=str(error.problem))
        if mark:
            raise UsageError(
                Message("params.at_line", file=shown(path), line=mark.line + 1, column=mark.column + 1, what=what)
            ) from None
        raise UsageError(Message("params.file_what", file=shown(path), what=what)) from None
    except yaml.YAMLError as error:
        what = Message("params.not_yaml", reason=" ".join(str(error).split()))
        raise UsageError(Message("params.file_what", file=shown(path), what=what)) from None


def params_error(path: Path, loc: Loc, what: Message | str, expected: Message | str | None = None) -> UsageError:
    """``<file>: <key path>: <what is wrong>; <what is expected>`` as a usage error (exit 2)."""
    said = Message("params.what_expected", what=what, expected=expected) if expected else what
    if loc:
        return UsageError(Message("params.key_what", file=shown(path), key=key_path(loc), what=said))
    return UsageError(Message("params.file_what", file=shown(path), what=said))


def key_path(loc: Loc) -> str:
    """``('goals', 1, 'sv')`` → ``goals[1].sv``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validated(path: Path, model: type[BaseModel], data: Any) -> Any:
    """``data`` as ``model``; the first mistake (in the file's order) as one line."""
    if data is None:
        raise params_error(path, (), Message("params.empty_file"))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise explain(path, model, _first_error(error.errors())) from None


def _first_error(errors: Sequence[Any]) -> Any:
    """The first error in the file's order; but a key that is unknown where another is missing is
    most likely that key mistyped, and its message names the keys allowed there."""
    first_loc = tuple(errors[0]["loc"])
    if errors[0]["type"] != "missing":
        return errors[0]
    return next((e for e in errors if e["type"] == "extra_forbidden" and tuple(e["loc"])[:-1] == first_loc[:-1]), errors[0])


# --- a validation error as one line --------------------------------------------------------------

TYPE_PROBLEMS = {  # pydantic's error type → the message (its {value} is the value found)
    "int_parsing": "params.not_whole",
    "int_type": "params.not_whole",
    "int_from_float": "params.not_whole",
    "float_parsing": "params.not_number",
    "float_type": "params.not_number",
    "bool_parsing": "params.not_bool",
    "bool_type": "params.not_bool",
    "string_type": "params.not_text",
    "list_type": "params.not_list",
    "model_type": "params.not_keys",
    "model_attributes_type": "params.not_keys",
    "dict_type": "params.not_keys",
    "date_parsing": "params.not_date",
    "date_type": "params.not_date",
    "date_from_datetime_parsing": "params.not_date",
    "date_from_datetime_inexact": "params.not_date",
}


def explain(path: Path, model: type[BaseModel], error: dict[str, Any]) -> UsageError:
    """One pydantic error as ``<file>: <key path>: <what is wrong>; <what is expected>``."""
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if (loc and loc[-1] == "[key]") or kind == "invalid_key":  # a key that YAML read as a number or true/false
        key = loc[-2] if loc[-1] == "[key]" else loc[-1]
        parent = loc[:-2] if loc[-1] == "[key]" else loc[:-1]
        where = f"{key_path(parent)}.{key}" if parent else str(key)
        return UsageError(
            Message("params.key_what", file=shown(path), key=where, what=Message("params.key_not_text", key=_show(key)))
        )
    info = _field_at(model, loc)
    expected = None
    if info is not None and info.description:  # the key of what is expected (params/messages.yaml)
        expected = Message(info.description, noun=_bare(_noun(loc)), list=str(loc[-1]) if loc else "")
    if kind in ("missing", "empty", "too_short") or (value is None and kind in TYPE_PROBLEMS):
        what = Message("params.missing") if kind == "missing" else Message("params.empty")
        return params_error(path, loc, what, expected or Message("params.needed"))
    if kind == "extra_forbidden":
        return params_error(path, loc, Message("params.unknown_key"), _keys_of(model, loc[:-1]))
    if kind == "value_error":
        raised = ctx.get("error")
        said = raised.args[0] if isinstance(raised, ValueError) and isinstance(raised.args[0], Message) else None
        return params_error(path, loc, said or str(raised or error["msg"]))
    if kind == "literal_error":
        return params_error(path, loc, Message("params.not_one_of", value=_show(value), expected=str(ctx["expected"])))
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = ctx.get("ge", ctx.get("le"))
        key = "params.below" if "ge" in ctx else "params.above"
        return params_error(path, loc, Message(key, value=_show(value), limit=f"{limit:g}"), expected)
    if kind in TYPE_PROBLEMS:
        hint = _keys_of(model, loc) if TYPE_PROBLEMS[kind] == "params.not_keys" else _quote_hint(kind, value)
        return params_error(path, loc, Message(TYPE_PROBLEMS[kind], value=_show(value)), hint)
    return params_error(path, loc, error["msg"][:1].lower() + error["msg"][1:], expected)


def _quote_hint(kind: str, value: Any) -> Message | None:
    """What to do when YAML read a text as something else (``NO`` as false, ``2025.2`` as a number)."""
    if kind != "string_type":
        return None
    if isinstance(value, bool):
        return Message("params.quote_bool")
    if isinstance(value, (int, float, dt.date)):
        return Message("params.quote")
    return None


def _show(value: Any) -> str:
    """A value as a message quotes it: as YAML would write it, at most 60 characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dt.date, int, float)):
        text = str(value)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _noun(loc: Loc) -> str:
    """What one entry of the innermost list in ``loc`` is (``goal`` in ``goals[1].sv``)."""
    lists = [part for part in loc if isinstance(part, str) and part in NOUNS]
    return NOUNS[lists[-1]] if lists else "entry"


def _unwrap(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, …]`` → ``X``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _type_at(model: type[BaseModel], loc: Loc) -> Any:
    """The annotation of what sits at ``loc`` in ``model`` (None where it cannot be told)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if current.__pydantic_root_model__:
                current = current.model_fields["root"].annotation
                current = _unwrap(current)
            else:
                fields = {(info.alias or name): info for name, info in current.model_fields.items()}
                if part not in fields:
                    return None
                current = fields[part].annotation
                continue
        origin, args = get_origin(current), get_args(current)
        if origin is list and isinstance(part, int):
            current = args[0]
        elif origin is dict and isinstance(part, str):
            current = args[1]
        else:
            return None
    return current


def _field_at(model: type[BaseModel], loc: Loc) -> Any:
    """The pydantic field at ``loc`` (its description says what is expected), or None."""
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _unwrap(_type_at(model, loc[:-1]))
    if isinstance(parent, type) and issubclass(parent, BaseModel) and not parent.__pydantic_root_model__:
        return next((info for name, info in parent.model_fields.items() if (info.alias or name) == loc[-1]), None)
    return None


def _keys_of(model: type[BaseModel], where: Loc) -> Message | None:
    """``a goal has id, fi, sv, en, notebook, figures and headlines``: the keys of what is at ``where``."""
    found = _unwrap(_type_at(model, where))
    if not (isinstance(found, type) and issubclass(found, BaseModel)) or found.__pydantic_root_model__:
        return None
    keys = [info.alias or name for name, info in found.model_fields.items()]
    listed: Message | str = Message("cli.and", first=", ".join(keys[:-1]), last=keys[-1]) if len(keys) > 1 else keys[0]
    if not where:
        return Message("params.file_has", keys=listed)
    if isinstance(where[-1], int):
        subject = _an(_noun(where))
    elif noun := getattr(found, "noun", None):
        subject = _an(noun)
    else:
        return Message("params.key_has", key=key_path(where), keys=listed)
    return Message("params.entry_has", entry=subject, keys=listed)


def first(problems: Iterator[tuple[Loc, Message]]) -> tuple[Loc, Message] | None:
    return next(problems, None)


# --- the strategy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeList:
    """One list of codes (goals, countries, …): stable ids with labels in three languages."""

    name: str
    entries: tuple[dict[str, Any], ...]

    @cached_property
    def ids(self) -> list[str]:
        return [str(e["id"]) for e in self.entries]

    def label(self, code: str, lang: str) -> str:
        entry = self.get(code)
        return str(entry[lang]) if entry else str(code)

    def labels(self, lang: str) -> dict[str, str]:
        return {str(e["id"]): str(e[lang]) for e in self.entries}

    def get(self, code: str) -> dict[str, Any] | None:
        return self._by_id.get(str(code))

    def ids_where(self, attribute: str, value: Any = True) -> list[str]:
        return [str(e["id"]) for e in self.entries if e.get(attribute) == value]

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {str(e["id"]): e for e in self.entries}

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (id or a label in any language, case-folded) → id."""
        table: dict[str, str] = {}
        for entry in self.entries:
            code = str(entry["id"])
            for spelling in [code, *(str(entry[lang]) for lang in LANGUAGES)]:
                table.setdefault(normalise_key(spelling), code)
        return table


def normalise_key(text: str) -> str:
    """How codes and headers are compared: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Strategy:
    """The strategy model of ``params/strategy.yaml`` (validated: :class:`StrategyFile`)."""

    model: StrategyFile
    _lists: dict[str, CodeList] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: dict[str, Any], path: Path = PARAMS_DIR / "strategy.yaml") -> Strategy:
        """A strategy from plain data (a changed copy of another's ``data``), checked like the file."""
        model = validated(path, StrategyFile, data)
        problem = first(strategy_problems(model))
        if problem:
            raise params_error(path, *problem)
        return cls(model)

    @cached_property
    def data(self) -> dict[str, Any]:
        """The file as plain data, each entry a dict of the keys it gives (typed by the model)."""
        return self.model.model_dump(by_alias=True, exclude_unset=True)

    def codes(self, name: str) -> CodeList:
        """One code list; built once, so its lookup tables are built once too (the intake asks
        for a list once per cell)."""
        if name not in self._lists:
            if name not in self.data:
                from hki_intl.workbook.words import workbook_list  # the workbook's words import this module

                own = workbook_list(name)  # a list of the workbook's own words (not kept here: the words may change)
                if own is not None:
                    return own
                raise UsageError(Message("params.list_missing", name=name))
            self._lists[name] = CodeList(name, tuple(self.data[name]))
        return self._lists[name]

    @property
    def goals(self) -> CodeList:
        return self.codes("goals")

    @property
    def focus_areas(self) -> CodeList:
        return self.codes("focus_areas")

    @property
    def organisations(self) -> CodeList:
        return self.codes("organisations")

    def organisations_in(self, year: int) -> list[str]:
        """Ids of the organisations that exist in ``year`` (and so are expected to report)."""
        return [str(o["id"]) for o in self.data["organisations"] if int(o.get("from") or 0) <= year <= int(o.get("to") or 9999)]

    def source(self, lang: str) -> str:
        return str(self.data["source"][lang])


def strategy_problems(model: StrategyFile) -> Iterator[tuple[Loc, Message]]:
    """What the shape cannot say: ids unique, labels telling entries apart, references to other
    lists and to the notebooks, years in order, the words yes and no."""
    for name in StrategyFile.LISTS:
        yield from _unique_spellings(name, getattr(model, name))
    yield from _goal_problems(model)
    goals = [goal.id for goal in model.goals]
    countries = [country.id for country in model.countries]
    for i, city in enumerate(model.cities):
        if city.country not in countries:
            yield ("cities", i, "country"), unknown_code(city.country, "countries", countries)
    for i, indicator in enumerate(model.indicators):
        if indicator.goal not in goals:
            yield ("indicators", i, "goal"), unknown_code(indicator.goal, "goals", goals)
    for i, organisation in enumerate(model.organisations):
        if organisation.from_ is not None and organisation.to is not None and organisation.to < organisation.from_:
            yield ("organisations", i, "to"), Message("params.to_before_from", to=organisation.to, start=organisation.from_)
    yes_no = [entry.id for entry in model.yes_no]
    if sorted(yes_no) != ["no", "yes"]:
        yield ("yes_no",), Message("params.yes_no", ids=", ".join(map(repr, yes_no)))


def _goal_problems(model: StrategyFile) -> Iterator[tuple[Loc, Message]]:
    """Each goal's notebook exists, and no headline of a goal is listed twice."""
    notebooks = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb") if p.stem != "summary" and p != EXPLORE_NOTEBOOK)
    for i, goal in enumerate(model.goals):
        if goal.notebook is not None and goal.notebook not in notebooks:
            yield (
                ("goals", i, "notebook"),
                Message(
                    "params.not_a_notebook", notebook=repr(goal.notebook), name=goal.notebook, notebooks=", ".join(notebooks)
                ),
            )
        seen: dict[str, int] = {}
        for j, headline in enumerate(goal.headlines or []):
            if headline.id in seen:
                yield (
                    ("goals", i, "headlines", j, "id"),
                    Message("params.headline_twice", id=repr(headline.id), first=seen[headline.id]),
                )
            seen.setdefault(headline.id, j)


def _unique_spellings(name: str, entries: list) -> Iterator[tuple[Loc, Message]]:
    """Ids unique in their list, and no id or label of one entry an id or label of another: the
    intake reads a typed code by any of them and could not tell the two apart."""
    owner: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(entries):
        key = normalise_key(entry.id)
        if key in owner and owner[key][1] == "id":
            yield (name, i, "id"), Message("params.id_twice", id=repr(entry.id), other=f"{name}[{owner[key][0]}]")
            continue
        for part in ("id", *LANGUAGES):
            key = normalise_key(getattr(entry, part))
            if key in owner and owner[key][0] != i:
                j, other = owner[key]
                what = Message("params.the_id") if other == "id" else Message("params.the_label", lang=other)
                yield (
                    (name, i, part),
                    Message("params.spelling_twice", value=repr(getattr(entry, part)), what=what, other=f"{name}[{j}]"),
                )
            owner.setdefault(key, (i, part))


def unknown_code(value: str, name: str, ids: list[str]) -> Message:
    """``'recognision' is not a goal; use one of competence, recognition, influence``."""
    if len(ids) <= 8:
        return Message("params.unknown_code", value=repr(value), noun=_an(NOUNS[name]), ids=", ".join(ids))
    return Message("params.unknown_code_of", value=repr(value), noun=_an(NOUNS[name]), name=name, ids=", ".join(ids[:5]) + " …")


def _an(noun: str) -> Message:
    """The noun with its article, in the message's language: ``a goal``, ``tavoite``, ``ett mål``."""
    return Message(NOUN_KEYS.get(noun, "noun.entry"))


def _bare(noun: str) -> Words:
    """The noun without its article, in each language (``every goal needs …``, ``varje mål …``)."""
    said = [_an(noun).render(lang) for lang in LANGUAGES]
    return Words(*(re.sub(r"^(?:an?|en|ett) ", "", text) for text in said))


NOUN_KEYS = {  # what one entry of a list is (models.NOUNS), as a message
    "figure": "noun.figure",
    "goal": "noun.goal",
    "headline": "noun.headline",
    "focus area": "noun.focus_area",
    "activity type": "noun.activity_type",
    "activity status": "noun.activity_status",
    "funding source": "noun.funding_source",
    "network role": "noun.network_role",
    "visit direction": "noun.visit_direction",
    "visit level": "noun.visit_level",
    "media tone": "noun.media_tone",
    "agreement type": "noun.agreement_type",
    "yes_no entry": "noun.yes_no",
    "organisation": "noun.organisation",
    "network": "noun.network",
    "city": "noun.city",
    "country": "noun.country",
    "indicator": "noun.indicator",
    "finding rule": "noun.finding_rule",
    "rule": "noun.rule",
    "version": "noun.version",
    "target": "noun.target",
    "text": "noun.text",
    "entry": "noun.entry",
}


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The catalogue of the report's figures (``params/figures.yaml``): every number the report
    shows takes its label from here, so the same words never carry two definitions."""

    model: FiguresFile

    @cached_property
    def by_id(self) -> dict[str, Figure]:
        return {figure.id: figure for figure in self.model.figures}

    def get(self, figure: str) -> Figure:
        try:
            return self.by_id[figure]
        except KeyError:
            raise UsageError(Message("params.no_figure", figure=figure)) from None

    def label(self, figure: str, lang: str, goal: str = "") -> str:
        """The figure's label in ``lang``; a figure of the chapter's goal names the goal."""
        text = getattr(self.get(figure).label, lang)
        return text.format(goal=goal) if "{goal}" in text else text

    def definition(self, figure: str, lang: str) -> str:
        return str(getattr(self.get(figure).definition, lang))


def figures_problems(model: FiguresFile, goals: list[str]) -> Iterator[tuple[Loc, Message]]:
    """Ids unique, scopes known, and no label given to two figures: the same words must never
    carry two definitions (a figure of the chapter's goal names the goal with {goal})."""
    seen: dict[str, int] = {}
    labels: dict[tuple[str, str], int] = {}
    for i, figure in enumerate(model.figures):
        if figure.id in seen:
            yield ("figures", i, "id"), Message("params.id_twice", id=repr(figure.id), other=f"figures[{seen[figure.id]}]")
        seen.setdefault(figure.id, i)
        if figure.scope not in ("all", "goal", *goals):
            yield ("figures", i, "scope"), unknown_code(figure.scope, "goals", ["all", "goal", *goals])
        for lang in LANGUAGES:
            key = (lang, normalise_key(getattr(figure.label, lang)))
            if key in labels:
                yield (
                    ("figures", i, "label", lang),
                    Message(
                        "params.figure_label_twice", label=repr(getattr(figure.label, lang)), other=f"figures[{labels[key]}]"
                    ),
                )
            labels.setdefault(key, i)
        if figure.scope == "goal" and "{goal}" not in figure.label.fi:
            yield ("figures", i, "label"), Message("params.figure_goal_label", goal="{goal}")


# --- targets -------------------------------------------------------------------------------------

TARGETS_FILE = "targets.yaml"


@dataclass(frozen=True)
class Targets:
    """The targets of ``params/targets.yaml`` (optional: without the file there are none), each
    with the goal whose chapter shows its figure."""

    entries: tuple[Target, ...] = ()
    goals: tuple[str, ...] = ()  # the goal of each entry, in the same order

    def __iter__(self) -> Iterator[tuple[Target, str]]:
        return iter(zip(self.entries, self.goals, strict=True))

    def __len__(self) -> int:
        return len(self.entries)

    def of_goal(self, goal: str) -> list[Target]:
        return [target for target, of in self if of == goal]


def target_goal(target: Target, figure: Figure, strategy: Strategy) -> str | None:
    """The goal whose chapter shows the target: its own ``goal``, else its figure's goal (a
    figure of one goal), else the first goal that lists the figure among its headlines."""
    if target.goal is not None:
        return target.goal
    if figure.scope in strategy.goals.ids:
        return figure.scope
    listing = [goal.id for goal in strategy.model.goals if any(h.id == figure.id for h in goal.headlines or [])]
    return listing[0] if listing and figure.scope == "all" else None


def targets_problems(model: TargetsFile, figures: Figures, strategy: Strategy) -> Iterator[tuple[Loc, Message]]:
    """Each target's figure is in the catalogue, its goal known (and the figure's, if the figure
    is one goal's), and no figure of a goal has two targets."""
    goals = strategy.goals.ids
    seen: dict[tuple[str, str | None], int] = {}
    for i, target in enumerate(model.targets):
        figure = figures.by_id.get(target.figure)
        if figure is None:
            ids = list(figures.by_id)
            yield ("targets", i, "figure"), Message("params.not_a_figure", figure=repr(target.figure), ids=", ".join(ids[:5]))
            continue
        if target.goal is not None and target.goal not in goals:
            yield ("targets", i, "goal"), unknown_code(target.goal, "goals", goals)
        elif target.goal is not None and figure.scope in goals and target.goal != figure.scope:
            yield (
                ("targets", i, "goal"),
                Message("params.not_the_figures_goal", goal=repr(target.goal), figure=target.figure, scope=figure.scope),
            )
        elif target_goal(target, figure, strategy) is None:
            why = "params.target_goal_missing_chapter" if figure.scope == "goal" else "params.target_goal_missing_headline"
            yield ("targets", i, "goal"), Message(why, figure=target.figure, goals=", ".join(goals))
        key = (target.figure, target_goal(target, figure, strategy))
        if key in seen:
            yield (
                ("targets", i, "figure"),
                Message("params.target_twice", figure=repr(target.figure), other=f"targets[{seen[key]}]"),
            )
        seen.setdefault(key, i)


def check_target_years(targets: Targets, first_year: int, params_dir: Path = PARAMS_DIR) -> None:
    """A target year or baseline year before ``first_year`` (the first year the report reads)
    cannot be judged: one line, exit 2."""
    path = Path(params_dir) / TARGETS_FILE
    for i, target in enumerate(targets.entries):
        for key in ("year", "baseline_year"):
            value = getattr(target, key)
            if value is not None and value < first_year:
                raise params_error(
                    path,
                    ("targets", i, key),
                    Message("params.year_before_first", value=value, first=first_year),
                    Message("params.year_before_first.fix"),
                )


# --- texts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """The report's words in one language, from ``params/texts.yaml``."""

    lang: str
    table: dict[str, dict[str, str]]

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self.table[key][self.lang]
        except KeyError:
            raise UsageError(Message("params.no_text", key=key, lang=self.lang)) from None
        return template.format(**values) if values else template


# --- settings ------------------------------------------------------------------------------------


def _template_version() -> str:
    """The version the templates are written in: the schema's (imported here, since the schema
    imports this module)."""
    from hki_intl.workbook.schema import TEMPLATE_VERSION

    return TEMPLATE_VERSION


@dataclass(frozen=True)
class Settings:
    """Per-report settings (``params/report.yaml``), after command-line overrides."""

    year: int
    language: str = "fi"
    compare_years: int = 2
    report_date: dt.date | None = None
    accepted_template_versions: tuple[str, ...] = field(default_factory=tuple)
    messages: str = "fi"  # the language of problems, warnings and the command line's lines

    @property
    def template_version(self) -> str:
        """The version the templates are written in: the template's own (code), not a setting."""
        return _template_version()

    @property
    def years(self) -> list[int]:
        """The report year and the earlier years it compares with, oldest first."""
        return list(range(self.year - self.compare_years, self.year + 1))

    @property
    def date(self) -> dt.date:
        return self.report_date or dt.date(self.year, 12, 31)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


# --- loading -------------------------------------------------------------------------------------


def load_strategy(params_dir: Path = PARAMS_DIR) -> Strategy:
    path = Path(params_dir) / "strategy.yaml"
    model = validated(path, StrategyFile, read_params_file(path))
    problem = first(strategy_problems(model))
    if problem:
        raise params_error(path, *problem)
    return Strategy(model)


def load_texts(lang: str, params_dir: Path = PARAMS_DIR) -> Texts:
    if lang not in LANGUAGES:
        raise UsageError(Message("params.unknown_language", lang=lang, languages=", ".join(LANGUAGES)))
    path = Path(params_dir) / "texts.yaml"
    texts = validated(path, TextsFile, read_params_file(path))
    return Texts(lang, {key: words.model_dump() for key, words in texts.root.items()})


def load_settings(params_dir: Path = PARAMS_DIR) -> Settings:
    path = Path(params_dir) / "report.yaml"
    raw = read_params_file(path)
    report = validated(path, ReportFile, {} if raw is None else raw)
    version = _template_version()
    accepted = tuple(report.accepted_template_versions or [version])
    if version not in accepted:
        raise params_error(
            path,
            ("accepted_template_versions",),
            Message("params.own_version_missing", version=repr(version)),
            Message("params.own_version_missing.fix"),
        )
    return Settings(
        year=report.year if report.year is not None else dt.date.today().year,
        language=report.language,
        compare_years=report.compare_years,
        report_date=report.report_date,
        accepted_template_versions=accepted,
        messages=report.messages,
    )


def load_figures(params_dir: Path = PARAMS_DIR, strategy: Strategy | None = None) -> Figures:
    path = Path(params_dir) / "figures.yaml"
    model = validated(path, FiguresFile, read_params_file(path))
    goals = (strategy or load_strategy(params_dir)).goals.ids
    problem = first(figures_problems(model, goals))
    if problem:
        raise params_error(path, *problem)
    return Figures(model)


def load_targets(params_dir: Path = PARAMS_DIR, strategy: Strategy | None = None, figures: Figures | None = None) -> Targets:
    """The targets of ``params/targets.yaml``, checked; none when the file is not there."""
    path = Path(params_dir) / TARGETS_FILE
    if not path.exists():
        return Targets()
    model = validated(path, TargetsFile, read_params_file(path))
    strategy = strategy or load_strategy(params_dir)
    figures = figures or load_figures(params_dir, strategy)
    problem = first(targets_problems(model, figures, strategy))
    if problem:
        raise params_error(path, *problem)
    return Targets(tuple(model.targets), tuple(str(target_goal(t, figures.get(t.figure), strategy)) for t in model.targets))


def _check_targets(params_dir: Path, strategy: Strategy) -> None:
    """The targets, checked also against the figures each goal's chapter computes (the report's
    goals modules, imported here: they import this module)."""
    from hki_intl.report.targets import check_targets

    check_targets(strategy, load_targets(params_dir, strategy, load_figures(params_dir, strategy)), Path(params_dir))


class Params(NamedTuple):
    """A params folder, every file of it checked."""

    strategy: Strategy
    settings: Settings


def load_params(params_dir: Path = PARAMS_DIR) -> Params:
    """Every file of a params folder, validated before any work (a mistake is exit 2, one line);
    the folder's workbook words become the ones the workbook shows and the intake reads."""
    from hki_intl.workbook.words import use_words  # imported here: the workbook imports this module

    strategy = load_strategy(params_dir)
    settings = load_settings(params_dir)
    load_texts(LANGUAGES[0], params_dir)  # the whole file is checked, whichever language is asked for
    _check_targets(params_dir, strategy)
    use_words(params_dir, strategy)
    return Params(strategy, settings)
