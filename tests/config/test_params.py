"""The strategy model and texts are complete in all three languages."""

import re

import pytest
import yaml

from hki_intl import PARAMS_DIR, PROJECT_ROOT
from hki_intl.config.params import LANGUAGES, load_texts
from hki_intl.workbook.schema import SHEETS

LISTS = [
    "goals",
    "focus_areas",
    "activity_types",
    "activity_statuses",
    "funding_sources",
    "network_roles",
    "visit_directions",
    "visit_levels",
    "media_tones",
    "agreement_types",
    "organisations",
    "networks",
    "cities",
    "countries",
    "indicators",
    "yes_no",
]


@pytest.mark.parametrize("name", LISTS)
def test_every_code_has_a_unique_id_and_three_labels(strategy, name):
    entries = strategy.data[name]
    ids = [str(e["id"]) for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        for lang in LANGUAGES:
            assert str(entry[lang]).strip(), f"{name}/{entry['id']} has no {lang} label"


def test_the_strategy_has_three_goals_and_eight_focus_areas(strategy):
    assert strategy.goals.ids == ["competence", "recognition", "influence"]
    inside = [f for f in strategy.data["focus_areas"] if f["group"] != "outside"]
    assert len(inside) == 8


def test_every_goal_has_its_notebook(strategy):
    for goal in strategy.data["goals"]:
        assert (PROJECT_ROOT / "notebooks" / f"{goal['notebook']}.ipynb").is_file()


def test_every_code_list_a_column_names_exists(strategy):
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.codes:
                assert strategy.codes(column.codes).ids


def test_texts_have_every_language():
    table = yaml.safe_load((PARAMS_DIR / "texts.yaml").read_text(encoding="utf-8"))
    for key, entry in table.items():
        assert set(entry) == set(LANGUAGES), key
        placeholders = {lang: set(re.findall(r"{(\w+)(?::[^{}]*)?}", entry[lang])) for lang in LANGUAGES}
        assert placeholders["fi"] == placeholders["sv"] == placeholders["en"], key


def test_every_text_the_code_asks_for_exists():
    """Keys used literally in the package must be in texts.yaml (dynamic ones are checked in the e2e test)."""
    table = yaml.safe_load((PARAMS_DIR / "texts.yaml").read_text(encoding="utf-8"))
    used = set()
    for path in (PROJECT_ROOT / "hki_intl").rglob("*.py"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert used, "no literal text keys found: the pattern is out of date"
    assert used <= set(table), sorted(used - set(table))


def test_organisations_follow_their_years(strategy):
    assert "helsinki_partners" not in strategy.organisations_in(2020)
    assert "helsinki_partners" in strategy.organisations_in(2025)


def test_unknown_language_is_a_usage_error():
    from hki_intl.errors import UsageError

    with pytest.raises(UsageError, match="unknown language 'de'"):
        load_texts("de")
