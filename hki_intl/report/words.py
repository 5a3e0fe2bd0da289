"""The analyst's words in the report: the foreword, each goal's commentary, the outlook, and
the data-quality part's note on what was not given (the files: :mod:`hki_intl.intake.analyst`).

Markdown is rendered with mistune with raw HTML off: a ``<script>`` or an ``onerror`` attribute
shows as text. Links are kept only to ``http``, ``https`` and ``mailto`` addresses (any other,
``javascript:`` say, leaves only the link's text); images are not fetched (the report is one
offline file): their alternative text stands in their place. Headings inside a part are
demoted below the part's own heading, so they fit the report's outline.
"""

from __future__ import annotations

import re
from typing import Any

import mistune

from hki_intl.intake.analyst import FOREWORD, MISSING, OUTLOOK, REJECTED, sections
from hki_intl.report.chapters import Context

ALLOWED_LINK = re.compile(r"(https?://|mailto:)[^\s]+", re.IGNORECASE)


class _SafeRenderer(mistune.HTMLRenderer):
    """mistune's HTML with raw HTML escaped, safe links only, no images, headings demoted so that
    ``###`` is one level below ``level`` (the part's heading)."""

    def __init__(self, level: int):
        super().__init__(escape=True)
        self.level = level

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        shown = min(6, self.level + max(1, level - 2))
        return f"<h{shown}>{text}</h{shown}>\n"

    def link(self, text: str, url: str, title: str | None = None) -> str:
        if not ALLOWED_LINK.fullmatch(url.strip()):
            return text
        return super().link(text, url, title)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


def render_markdown(text: str, level: int = 1) -> str:
    """The analyst's Markdown as safe HTML (a plain string, as every block is); its headings start
    one below ``level``."""
    markdown = mistune.create_markdown(renderer=_SafeRenderer(level), plugins=["strikethrough"])
    return f'<div class="analyst">{markdown(text)}</div>'


def foreword(ctx: Context, texts: dict[str, str | None]) -> str:
    """The foreword, a chapter of its own before the goal chapters (nothing when not given)."""
    text = texts.get(ctx.lang)
    if not text:
        return ""
    return ctx.report.heading(ctx.t("analyst.foreword"), 1, anchor="foreword") + render_markdown(text, 1)


def commentary(ctx: Context, goal: str, texts: dict[str, str | None]) -> str:
    """A goal's commentary, after the chapter's key messages and headline figures."""
    text = texts.get(ctx.lang)
    if not text:
        return ""
    heading = ctx.report.heading(ctx.t("analyst.commentary"), 2, anchor=f"{goal}-commentary")
    return heading + render_markdown(text, 2)


def outlook(ctx: Context, texts: dict[str, str | None]) -> str:
    """The outlook for next year, the last chapter before the appendices."""
    text = texts.get(ctx.lang)
    if not text:
        return ""
    heading = ctx.report.heading(ctx.t("analyst.outlook", next_year=ctx.year + 1), 1, anchor="outlook")
    return heading + render_markdown(text, 1)


def quality_note(ctx: Context, given: dict[str, list[str] | str]) -> str:
    """The data-quality part's sentence on the analyst's words left out of this language's
    report: the whole file (not given, or left out for its problems) or the parts not written."""
    rep, t = ctx.report, ctx.t
    parts = given.get(ctx.lang, MISSING)
    if isinstance(parts, str):
        key = "analyst.quality_rejected" if parts == REJECTED else "analyst.quality_missing"
        return rep.heading(t("analyst.quality_heading"), 2, anchor="analyst-words") + rep.paragraph(t(key))
    absent = [name for name in sections(ctx.strategy) if name not in parts]
    if not absent:
        return ""
    names = "; ".join(_part_name(ctx, name) for name in absent)
    return rep.heading(t("analyst.quality_heading"), 2, anchor="analyst-words") + rep.paragraph(
        t("analyst.quality_parts", parts=names)
    )


def _part_name(ctx: Context, name: str) -> str:
    if name == FOREWORD:
        return ctx.t("analyst.part_foreword")
    if name == OUTLOOK:
        return ctx.t("analyst.part_outlook")
    return ctx.t("analyst.part_goal", goal=ctx.strategy.goals.label(name, ctx.lang))
