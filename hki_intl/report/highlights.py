"""The organisations' highlights of the year (the sheet *Nostot*) in the report: short stories
with their photos in each goal chapter, one featured per goal in the executive summary, and each
organisation's own in its part.

A highlight is shown in the report's language when its contributor wrote it in that language
(title and text both), otherwise in Finnish, with ``lang="fi"`` on the story (WCAG 2.1
"language of parts"); the method part says so once. Its photo — re-encoded without metadata by
the intake (:mod:`hki_intl.intake.photos`) — is embedded as a ``data:`` URI, so the report stays
one file that works offline.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from hki_intl.report.analysis import in_year
from hki_intl.report.blocks import _render
from hki_intl.workbook.schema import HIGHLIGHT_TEXTS

if TYPE_CHECKING:
    from hki_intl.report.chapters import Context

SOURCE_LANGUAGE = "fi"  # contributors write in Finnish; a translation is optional


def of_year(ctx: Context) -> pd.DataFrame:
    """The highlights of the report year, in the order of the strategy's organisations and their rows."""
    frame = in_year(ctx.tables.get("highlights", pd.DataFrame()), ctx.year) if "highlights" in ctx.tables else pd.DataFrame()
    if frame.empty:
        return frame
    order = {org: i for i, org in enumerate(ctx.strategy.organisations.ids)}
    return frame.assign(_order=frame["organisation"].map(order)).sort_values(["_order", "source_row"]).drop(columns="_order")


def anchor(row: Any) -> str:
    return f"highlight-{row['organisation']}-{int(row['source_row'])}"


def wording(ctx: Context, row: Any) -> tuple[str, str, str]:
    """(title, text, language): the report language's when both are given, else the Finnish."""
    title_key, text_key = HIGHLIGHT_TEXTS.get(ctx.lang, HIGHLIGHT_TEXTS[SOURCE_LANGUAGE])
    if _given(row.get(title_key)) and _given(row.get(text_key)):
        return str(row[title_key]), str(row[text_key]), ctx.lang
    fi_title, fi_text = HIGHLIGHT_TEXTS[SOURCE_LANGUAGE]
    return str(row[fi_title]), str(row[fi_text]), SOURCE_LANGUAGE


def _given(value: object) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and pd.isna(value)) and bool(str(value))


def photo_uri(ctx: Context, row: Any) -> str | None:
    """The highlight's cleaned photo as a ``data:`` URI (None without one, or outside a run's data)."""
    key = row.get("photo_image")
    if not _given(key) or ctx.data_dir is None:
        return None
    path = Path(ctx.data_dir) / str(key)
    if path.parent.name != "photos" or not path.is_file():
        return None
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def story(ctx: Context, row: Any, level: int = 3) -> str:
    """One highlight as a short story: its photo, title, organisation, text and link."""
    title, text, lang = wording(ctx, row)
    src = photo_uri(ctx, row)
    photo = None
    if src is not None:
        credit = ctx.text(row["photo_credit"]) if _given(row.get("photo_credit")) else ""
        photo = dict(
            src=src,
            alt=ctx.text(row["photo_alt"]),
            width=int(row["photo_width"]),
            height=int(row["photo_height"]),
            credit=ctx.t("highlights.photo_credit", credit=credit) if credit else "",
        )
    values = dict(
        anchor=anchor(row),
        lang=lang if lang != ctx.lang else None,
        report_lang=ctx.lang,
        title=ctx.text(title),
        text=ctx.text(text),
        organisation=ctx.label("organisations", row["organisation"]),
        link=str(row["link"]) if _given(row.get("link")) else None,
        link_text=ctx.t("highlights.more"),
        photo=photo,
    )
    return _render("highlight", story=values, level=level)


def goal_highlights(ctx: Context, goal: str) -> str:
    """A goal chapter's highlights: every organisation's highlight of the year for the goal."""
    rep, t = ctx.report, ctx.t
    frame = of_year(ctx)
    mine = frame[frame["goal"] == goal] if len(frame) else frame
    parts = [rep.heading(t("highlights.heading"), 2, anchor=f"{goal}-highlights")]
    if not len(mine):
        return "".join(parts) + rep.paragraph(t("highlights.none", year=ctx.year))
    parts.append(rep.paragraph(t("highlights.intro", year=ctx.year, count=rep.count(len(mine)))))
    parts += [story(ctx, row) for _, row in mine.iterrows()]
    return '<div class="highlights">' + "".join(parts) + "</div>"


def featured(ctx: Context) -> dict[str, Any]:
    """The summary's highlight of each goal, by a stated rule (``highlights.featured_rule``): one
    with a photo first, then that of the organisation with the most activities for the goal in
    the year, then the strategy's order of organisations and the workbook's order of rows."""
    frame = of_year(ctx)
    if frame.empty:
        return {}
    activities = in_year(ctx.tables["activities"], ctx.year)
    counts = activities.groupby(["goal", "organisation"]).size().to_dict()
    chosen = {}
    for goal in ctx.strategy.goals.ids:
        mine = frame[frame["goal"] == goal]
        if len(mine):
            ranked = mine.assign(
                _photo=[0 if _given(p) else 1 for p in mine["photo_image"]],
                _activities=[-counts.get((goal, org), 0) for org in mine["organisation"]],
                _order=range(len(mine)),
            ).sort_values(["_photo", "_activities", "_order"])
            chosen[goal] = ranked.iloc[0]
    return chosen


def featured_line(ctx: Context, row: Any) -> Markup:
    """The summary's line of a featured highlight: its title, linked to its story, and its organisation."""
    title, _text, lang = wording(ctx, row)
    attribute = f' lang="{lang}"' if lang != ctx.lang else ""
    from hki_intl.report.blocks import escape

    organisation = escape(ctx.label("organisations", row["organisation"]))
    return Markup(f'<a href="#{anchor(row)}"{attribute}>{escape(ctx.text(title))}</a> ({organisation})')


def organisation_list(ctx: Context, organisation: str) -> str:
    """An organisation's own highlights in its part: their titles, linked to their stories."""
    frame = of_year(ctx)
    mine = frame[frame["organisation"] == organisation] if len(frame) else frame
    if not len(mine):
        return ""
    from hki_intl.report.blocks import escape

    items = []
    for _, row in mine.iterrows():
        title, _text, lang = wording(ctx, row)
        attribute = f' lang="{lang}"' if lang != ctx.lang else ""
        goal = escape(ctx.strategy.goals.label(row["goal"], ctx.lang))
        items.append(f'<li><a href="#{anchor(row)}"{attribute}>{escape(ctx.text(title))}</a> ({goal})</li>')
    return f'<p>{escape(ctx.t("highlights.organisation"))}</p><ul class="highlight-list">{"".join(items)}</ul>'


def featured_block(ctx: Context) -> str:
    """The executive summary's featured highlights, one per goal by the stated rule, each linked
    to its story; after the summary's page (in print the summary keeps to one page)."""
    chosen = featured(ctx)
    if not chosen:
        return ""
    rep, t = ctx.report, ctx.t
    items = [
        Markup(f"<strong>{_escape(ctx.strategy.goals.label(goal, ctx.lang))}</strong>: ") + featured_line(ctx, row)
        for goal, row in chosen.items()
    ]
    return (
        '<div class="featured">'
        + rep.heading(t("highlights.featured_heading", year=ctx.year), 2, anchor="summary-highlights")
        + rep.paragraph(t("highlights.featured_rule"))
        + rep.bullets(items)
        + "</div>"
    )


def _escape(text: str) -> Markup:
    from hki_intl.report.blocks import escape

    return escape(text)
