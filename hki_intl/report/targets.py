"""Targets (``params/targets.yaml``, optional) and how each is judged: reached, on track,
behind, or cannot be judged.

The rule (also in the report's method part and the README), for the report year R:

- **A value by a year** (reach T by the year Y, from the baseline year B — its own
  ``baseline_year``, else the first year of the report's data): the target's direction is
  *down* when T is below B's value, else *up*; "meets" is ≥ T going up, ≤ T going down.
  When Y ≤ R the target is judged at Y: *reached* if Y's value meets T, else *behind*. Before
  Y: *reached* if R's value meets T; else *on track* if R's value is at least (going down: at
  most) the straight line from B's value to T at R — the pace that reaches T by Y — else
  *behind*.
- **A direction** (keep going up, or down): *on track* if R's value moved that way from the
  year before with data, else *behind* (no change is behind).
- *Cannot be judged* when a year the rule needs has no data (no accepted workbook), or when
  R is not after B (no pace yet) and T is not met.

:func:`judge_value` and :func:`judge_direction` are the rule, pure; :func:`assess` applies it to
the tables with each goal's own figures (:mod:`hki_intl.report.goals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hki_intl.config.models import Target
from hki_intl.config.params import Strategy, Targets, params_error
from hki_intl.messages import Message
from hki_intl.report import goals
from hki_intl.report.analysis import Tables, previous_year, years_with_data

Verdict = Literal["reached", "on_track", "behind", "unknown"]
VERDICTS: tuple[Verdict, ...] = ("reached", "on_track", "behind", "unknown")


def judge_value(
    target: float,
    target_year: int,
    year: int,
    values: dict[int, float],
    baseline_year: int,
) -> Verdict:
    """A value target's verdict in ``year`` from the figure's ``values`` by year (a year with no
    data is absent): see the module's rule."""
    start = values.get(baseline_year)
    if start is None:
        return "unknown"
    down = target < start

    def meets(value: float) -> bool:
        return value <= target if down else value >= target

    if target_year <= year:
        judged = values.get(target_year)
        return "unknown" if judged is None else ("reached" if meets(judged) else "behind")
    now = values.get(year)
    if now is None:
        return "unknown"
    if meets(now):
        return "reached"
    if year <= baseline_year:
        return "unknown"
    path = start + (target - start) * (year - baseline_year) / (target_year - baseline_year)
    return "on_track" if (now <= path if down else now >= path) else "behind"


def judge_direction(direction: str, now: float | None, before: float | None) -> Verdict:
    """A direction target's verdict: on track if ``now`` moved ``direction`` (up or down) from
    ``before`` (the year before with data), behind otherwise; unknown without both."""
    if now is None or before is None:
        return "unknown"
    moved = now > before if direction == "up" else now < before
    return "on_track" if moved else "behind"


@dataclass(frozen=True)
class Assessment:
    """One target judged in the report year: the figure's value (None without data) and the verdict."""

    target: Target
    goal: str
    unit: str  # count | eur
    year: int  # the report year
    value: float | None
    verdict: Verdict

    @property
    def figure(self) -> str:
        return self.target.figure


def measures_of(strategy: Strategy, goal: str) -> dict[str, goals.Measure]:
    """Every figure a goal's module computes: its headlines (by their ids) and its measures."""
    return {**goals.module_for(strategy, goal).MEASURES, **dict(goals.headline_specs(strategy, goal))}


def check_targets(strategy: Strategy, targets: Targets, params_dir: Path) -> None:
    """Every target's figure is one its goal's figures compute: one line otherwise (exit 2)."""
    for i, (target, goal) in enumerate(targets):
        known = measures_of(strategy, goal)
        if target.figure not in known:
            raise params_error(
                Path(params_dir) / "targets.yaml",
                ("targets", i, "figure"),
                Message("params.target_not_computed", goal=goal, figure=repr(target.figure)),
                Message("params.target_not_computed.fix", figures=", ".join(known)),
            )


def assess(tables: Tables, year: int, strategy: Strategy, targets: Targets) -> list[Assessment]:
    """Every target judged in ``year`` from the tables, in the file's order."""
    with_data = [y for y in years_with_data(tables) if y <= year]
    found = []
    for target, goal in targets:
        measure = measures_of(strategy, goal)[target.figure]
        values = {y: float(measure.compute(tables, y, strategy, goal)) for y in with_data}
        if target.direction is not None:
            before = previous_year(tables, year)
            verdict = judge_direction(target.direction, values.get(year), None if before is None else values.get(before))
        else:
            assert target.value is not None and target.year is not None  # the model requires both without a direction
            baseline = target.baseline_year if target.baseline_year is not None else (with_data[0] if with_data else year)
            verdict = judge_value(target.value, target.year, year, values, baseline)
        found.append(Assessment(target, goal, measure.unit, year, values.get(year), verdict))
    return found


__all__ = ["VERDICTS", "Assessment", "Verdict", "assess", "check_targets", "judge_direction", "judge_value", "measures_of"]
