"""The assembly stages: one report file per language and format, made from the executed notebooks.

An assembly's key is the executed notebooks, its language and format, the code, the params and
the report date. Both files of a language share the notebooks' HTML (nbconvert's body), made
once in this process; PDFs are CPU-bound Python (WeasyPrint) and go to worker processes forked
from it, while this process writes the HTML pages. Report files of other languages and formats
that the previous run left stay, if they were made with
the key they would have now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

from hki_intl.config.params import load_strategy, load_texts
from hki_intl.engine.fingerprint import code_fingerprint, params_fingerprint, sha256_file
from hki_intl.engine.manifest import Manifest, ReportFile
from hki_intl.engine.notebook_stages import SUMMARY, goal_notebooks
from hki_intl.engine.stages import Build, Stage, StageLoop


def report_name(year: int, lang: str, fmt: str = "html") -> str:
    """Report files are named for the year and the language."""
    return f"international-activities-{year}-{lang}.{fmt}"


def assembly_inputs(build: Build, notebooks: str, lang: str, fmt: str) -> dict[str, object]:
    """What an assembly's key is made of (``notebooks``: the executed notebooks' digest)."""
    return dict(
        notebooks=notebooks,
        lang=lang,
        fmt=fmt,
        code=code_fingerprint(),
        params=params_fingerprint(build.params_dir),
        date=build.settings.date.isoformat(),
    )


def assembly_stage(build: Build, notebooks: str, lang: str, fmt: str) -> Stage:
    """The stage that writes the report file of ``lang`` and ``fmt`` into the build folder."""
    name = report_name(build.settings.year, lang, fmt)
    work = partial(
        assemble_file, str(build.folder), build.settings.year, lang, fmt, build.settings.date.isoformat(), str(build.params_dir)
    )
    return Stage(f"assembly {name}", assembly_inputs(build, notebooks, lang, fmt), (name,), work)


def run_assembly(
    build: Build, loop: StageLoop, notebooks: str, chapters: tuple[str, dict[str, str]] | None = None
) -> dict[str, ReportFile]:
    """Write (or reuse) every report file asked for, keep the previous run's others that are
    still right; every report file in the build folder, the ones asked for first."""
    wanted = [assembly_stage(build, notebooks, lang, fmt) for lang in build.options.languages for fmt in build.options.formats]
    todo = loop.pending(wanted)
    bodies = Bodies(build, chapters)
    pdfs = [stage for stage in todo if stage.inputs["fmt"] == "pdf"]
    pages = [stage for stage in todo if stage.inputs["fmt"] != "pdf"]
    workers = pdf_workers(len(pdfs), build.options.jobs)
    if workers >= 1 and build.options.jobs > 1:
        # Each PDF is submitted as soon as its language's body is made, then the pages are
        # written here (generators: each stage gets its body when it is taken).
        loop.execute_forked(map(bodies.given, pdfs), workers, meanwhile=map(bodies.given, pages))
    else:
        for stage in pages + pdfs:
            loop.execute(bodies.given(stage))
    made = {stage.outputs[0]: _report(build, stage) for stage in wanted}
    return {**made, **_still_right(build, loop.previous, notebooks, made)}


def pdf_workers(pdfs: int, jobs: int) -> int:
    """How many PDFs are laid out at once: all of them when there are at most twice as many as
    cores (the layouts take about as long each, so three on two cores end together sooner than
    two then one), else one per core."""
    return pdfs if pdfs <= 2 * jobs else jobs


@dataclass
class Bodies:
    """The notebooks' HTML of each language (:func:`notebook_body`), made when a stage of the
    language first needs it and given to the language's other stage. ``chapters``: the goal
    chapters' part of each language's body, if it was made while the notebooks ran
    (:class:`~.notebook_stages.ChapterBodies`), with the digest of the goal notebooks it was made
    from; used only if they are still those."""

    build: Build
    chapters: tuple[str, dict[str, str]] | None = None
    made: dict[str, str] = field(default_factory=dict)

    def given(self, stage: Stage) -> Stage:
        """``stage`` with its language's body in its work (made now if not yet)."""
        lang = str(stage.inputs["lang"])
        work = stage.work
        assert isinstance(work, partial)
        return replace(stage, work=partial(work, body=self.body(lang)))

    def body(self, lang: str) -> str:
        if lang not in self.made:
            folder, params = str(self.build.folder), str(self.build.params_dir)
            self.made[lang] = notebook_html(folder, lang, params, self._chapters.get(lang))
        return self.made[lang]

    @cached_property
    def _chapters(self) -> dict[str, str]:
        """The chapters' parts made already, if made from the goal notebooks there now (checked once)."""
        if self.chapters is None:
            return {}
        digest, made = self.chapters
        return made if digest == goals_digest(self.build) else {}


def goals_digest(build: Build) -> str:
    """One hash over the executed goal notebooks' bytes."""
    _, chapters = executed_notebooks(str(build.folder), str(build.params_dir))
    return hashlib.sha256(b"".join(sha256_file(path).encode() for path in chapters)).hexdigest()


def _report(build: Build, stage: Stage) -> ReportFile:
    name = stage.outputs[0]
    return ReportFile(str(stage.inputs["lang"]), str(stage.inputs["fmt"]), stage.key, sha256_file(build.folder / name))


def _still_right(build: Build, previous: Manifest | None, notebooks: str, made: dict) -> dict[str, ReportFile]:
    """Report files of other languages or formats from the previous run, copied into the build
    if they were made from exactly the same notebooks and code (they are still right)."""
    kept = {}
    for name, report in previous.reports.items() if previous else ():
        stage = assembly_stage(build, notebooks, report.lang, report.format)
        source = build.options.out / name
        if name in made or name != stage.outputs[0] or report.key != stage.key:
            continue
        if source.is_file() and sha256_file(source) == report.sha256:
            shutil.copy2(source, build.folder / name)
            kept[name] = report
    return kept


def notebook_html(build: str, lang: str, params_dir: str, chapters_html: str | None = None) -> str:
    """The executed notebooks merged in ``lang`` as HTML (nbconvert): both report pages' body;
    ``chapters_html``: the goal chapters' part, if it was made while the summary ran."""
    from hki_intl.publish.assemble import merged_body

    summary, chapters = executed_notebooks(build, params_dir)
    return merged_body(summary, chapters, lang, chapters_html)


def executed_notebooks(build: str, params_dir: str) -> tuple[Path, list[Path]]:
    """The executed summary and goal notebooks (the goals' copies are named by goal id)."""
    executed = Path(build) / "notebooks"
    goals = [goal for goal, _ in goal_notebooks(load_strategy(Path(params_dir)))]
    return executed / f"{SUMMARY}.ipynb", [executed / f"{g}.ipynb" for g in goals]


def assemble_file(build: str, year: int, lang: str, fmt: str, report_date: str, params_dir: str, body: str | None = None) -> str:
    """Write one report file from the executed notebooks (runs in a worker process for a PDF);
    ``body`` gives the notebooks' HTML if it was made already."""
    from hki_intl.publish.assemble import page
    from hki_intl.publish.pdf import write_pdf

    texts = load_texts(lang, Path(params_dir))
    html = body if body is not None else notebook_html(build, lang, params_dir)
    title = texts("report.title", year=year)
    path = Path(build) / report_name(year, lang, fmt)
    if fmt == "html":
        path.write_text(page(html, lang, title, texts("report.contents")), encoding="utf-8")
    else:
        static = page(
            html, lang, title, texts("report.contents"), interactive=False, report_date=dt.date.fromisoformat(report_date)
        )
        write_pdf(static, path, dt.date.fromisoformat(report_date))
    return str(path)
