"""The goals' own code: one module per goal computes its headline figures, its key messages,
the tables it hands on, and the blocks of its chapter.

Which goals there are, their notebooks, their headline figures and the words of their key
messages are data (``params/strategy.yaml`` and ``params/texts.yaml``). A goal's module is
named by its ``figures`` entry, by default its id; a goal without a module of its own (a new
goal of a new strategy period) is served by :mod:`~hki_intl.report.goals.generic`, so it needs
no code: its notebook defaults to the generic ``goal`` notebook too.

A goal module provides ``MEASURES`` (headline figure id → :class:`Measure`), ``key_messages``
and ``key_tables``, and the blocks its notebook shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from hki_intl.config.params import Strategy
from hki_intl.errors import UsageError
from hki_intl.report.analysis import Headline, Tables, previous_year

if TYPE_CHECKING:
    from hki_intl.report.chapters import Context
    from hki_intl.report.examples import Examples

GENERIC = "generic"
GENERIC_NOTEBOOK = "goal"  # notebooks/goal.ipynb: a goal's chapter from the generic blocks


@dataclass(frozen=True)
class Measure:
    """One headline figure a goal module can compute: its unit and how, for one year."""

    unit: str  # count | eur
    compute: Callable[[Tables, int, Strategy, str], Any]  # (tables, year, strategy, goal id) → the figure


def goal_entry(strategy: Strategy, goal: str) -> dict:
    """The goal's entry in params/strategy.yaml."""
    for entry in strategy.data["goals"]:
        if str(entry["id"]) == goal:
            return entry
    raise UsageError(
        f"params/strategy.yaml: goals: no goal '{goal}'; the goals are {', '.join(str(g['id']) for g in strategy.data['goals'])}"
    )


def notebook_of(entry: dict) -> str:
    """The notebook that makes a goal's chapter (``notebooks/<name>.ipynb``)."""
    return str(entry.get("notebook") or GENERIC_NOTEBOOK)


def module_for(strategy: Strategy, goal: str) -> ModuleType:
    """The module that computes ``goal``'s figures: named by its ``figures`` entry or its id, or
    the generic one when the goal has no module of its own."""
    entry = goal_entry(strategy, goal)
    name = str(entry.get("figures") or goal)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as missing:
        if entry.get("figures") and missing.name == f"{__name__}.{name}":
            raise UsageError(
                f"params/strategy.yaml: goals: {goal}: figures: there is no module '{name}' "
                f"(hki_intl/report/goals/{name}.py); leave it out to use the generic figures"
            ) from None
        if missing.name != f"{__name__}.{name}":
            raise
        return importlib.import_module(f"{__name__}.{GENERIC}")


def headline_specs(strategy: Strategy, goal: str) -> list[tuple[str, Measure]]:
    """(headline id, measure) in the order params/strategy.yaml lists the goal's headlines; a
    goal that lists none shows its module's default ones."""
    module = module_for(strategy, goal)
    listed = goal_entry(strategy, goal).get("headlines") or [{"id": key} for key in module.DEFAULT_HEADLINES]
    specs = []
    for item in listed:
        item = item if isinstance(item, dict) else {"id": item}
        measure = str(item.get("measure") or item["id"])
        if measure not in module.MEASURES:
            raise UsageError(
                f"params/strategy.yaml: goals: {goal}: headlines: {item['id']}: the goal's figures "
                f"({module.__name__.rpartition('.')[2]}) have no measure '{measure}'; choose one of "
                f"{', '.join(module.MEASURES)}"
            )
        unit = item.get("unit")
        if unit and unit != module.MEASURES[measure].unit:
            raise UsageError(
                f"params/strategy.yaml: goals: {goal}: headlines: {item['id']}: the unit is "
                f"{module.MEASURES[measure].unit}, not {unit} (the measure '{measure}' says); leave the "
                f"unit out or correct it"
            )
        specs.append((str(item["id"]), module.MEASURES[measure]))
    return specs


def headlines(ctx: Context, goal: str) -> list[Headline]:
    """The goal's headline figures this year and the year before (if there is data for it)."""
    return compute_headlines(ctx.tables, ctx.year, ctx.strategy, goal)


def compute_headlines(tables: Tables, year: int, strategy: Strategy, goal: str) -> list[Headline]:
    """:func:`headlines` from the tables alone (pure: for tests and for anyone with the CSVs)."""
    before = previous_year(tables, year)
    figures = []
    for key, measure in headline_specs(strategy, goal):
        value = float(measure.compute(tables, year, strategy, goal))
        previous = float(measure.compute(tables, before, strategy, goal)) if before is not None else None
        figures.append(Headline(key, goal, measure.unit, value, previous))
    return figures


def activities_figure(strategy: Strategy, goal: str) -> str:
    """The catalogue figure of the goal's activities (its module's, or the generic one's)."""
    return str(module_for(strategy, goal).ACTIVITIES_FIGURE)


def key_messages(ctx: Context, goal: str, figures: list[Headline]) -> list[str]:
    """The sentences that open the goal's chapter, with the numbers."""
    return module_for(ctx.strategy, goal).key_messages(ctx, goal, {h.id: h for h in figures})


def examples(ctx: Context, goal: str) -> list[Examples]:
    """The goal's examples, each chosen by a stated rule: its module's ``examples``, or the ones
    every goal shows (the generic module's) when its module has none."""
    module = module_for(ctx.strategy, goal)
    if not hasattr(module, "examples"):
        module = importlib.import_module(f"{__name__}.{GENERIC}")
    return module.examples(ctx, goal)


def key_tables(ctx: Context, goal: str) -> dict[str, pd.DataFrame]:
    """The tables the goal's notebook glues beside its headline figures, for the summary and
    for anyone reading the executed notebooks."""
    return module_for(ctx.strategy, goal).key_tables(ctx, goal)


__all__ = [
    "GENERIC_NOTEBOOK",
    "Measure",
    "activities_figure",
    "compute_headlines",
    "examples",
    "goal_entry",
    "headline_specs",
    "headlines",
    "key_messages",
    "key_tables",
    "module_for",
    "notebook_of",
]
