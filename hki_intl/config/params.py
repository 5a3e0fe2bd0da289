"""The strategy model and the report settings, read from ``params/``.

Nothing of the strategy is hard-coded elsewhere: goals, focus areas, code lists,
organisations, networks, cities and indicators all come from ``params/strategy.yaml``; the
report's words come from ``params/texts.yaml``; per-report settings from
``params/report.yaml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from hki_intl import PARAMS_DIR
from hki_intl.errors import UsageError

LANGUAGES = ("fi", "sv", "en")


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise UsageError(f"{path}: the params file is missing") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML ({exc})") from None


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
    """The strategy model of ``params/strategy.yaml``."""

    data: dict[str, Any]
    _lists: dict[str, CodeList] = field(default_factory=dict, compare=False, repr=False)

    def codes(self, name: str) -> CodeList:
        """One code list; built once, so its lookup tables are built once too (the intake asks
        for a list once per cell)."""
        if name not in self._lists:
            try:
                self._lists[name] = CodeList(name, tuple(self.data[name]))
            except KeyError:
                raise UsageError(f"params/strategy.yaml: the list '{name}' is missing") from None
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
        return [
            str(o["id"])
            for o in self.data["organisations"]
            if int(o.get("from", 0)) <= year <= int(o.get("to", 9999))
        ]

    def source(self, lang: str) -> str:
        return str(self.data["source"][lang])


@dataclass(frozen=True)
class Texts:
    """The report's words in one language, from ``params/texts.yaml``."""

    lang: str
    table: dict[str, dict[str, str]]

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self.table[key][self.lang]
        except KeyError:
            raise UsageError(f"params/texts.yaml: no text '{key}' in language '{self.lang}'") from None
        return template.format(**values) if values else template


@dataclass(frozen=True)
class Settings:
    """Per-report settings (``params/report.yaml``), after command-line overrides."""

    year: int
    language: str = "fi"
    compare_years: int = 2
    report_date: dt.date | None = None
    template_version: str = "2025.1"
    accepted_template_versions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def years(self) -> list[int]:
        """The report year and the earlier years it compares with, oldest first."""
        return list(range(self.year - self.compare_years, self.year + 1))

    @property
    def date(self) -> dt.date:
        return self.report_date or dt.date(self.year, 12, 31)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def load_strategy(params_dir: Path = PARAMS_DIR) -> Strategy:
    return Strategy(_read_yaml(Path(params_dir) / "strategy.yaml"))


def load_texts(lang: str, params_dir: Path = PARAMS_DIR) -> Texts:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language '{lang}'; use one of {', '.join(LANGUAGES)}")
    return Texts(lang, _read_yaml(Path(params_dir) / "texts.yaml"))


def load_settings(params_dir: Path = PARAMS_DIR) -> Settings:
    raw = _read_yaml(Path(params_dir) / "report.yaml") or {}
    date = raw.get("report_date")
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    version = str(raw.get("template_version", "2025.1"))
    return Settings(
        year=int(raw.get("year", dt.date.today().year)),
        language=str(raw.get("language", "fi")),
        compare_years=int(raw.get("compare_years", 2)),
        report_date=date,
        template_version=version,
        accepted_template_versions=tuple(str(v) for v in raw.get("accepted_template_versions", [version])),
    )
