"""The command line: a thin layer that parses options, calls one handler per command (the
engine's functions in :mod:`hki_intl.engine.runner`) and turns errors into one-line messages and
exit codes.

Exit codes: 0 success; 1 input errors (one line each, ``<file>: <Sheet>!<Cell>: <message>``);
2 wrong usage; 3 a notebook failed (the line names the notebook and its executed copy).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from hki_intl import PARAMS_DIR
from hki_intl.argparse_words import argparse_speaks
from hki_intl.config.params import LANGUAGES, Settings, Strategy, load_params, load_settings
from hki_intl.engine.options import FORMATS, RunOptions, default_jobs
from hki_intl.errors import InputErrors, PipelineError, UsageError, collapse, count_line
from hki_intl.messages import DEFAULT_LANGUAGE, Message, seconds, text, use_language
from hki_intl.workbook.schema import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from hki_intl.intake.read import IntakeResult


def _year(given: str) -> int:
    try:
        year = int(given)
    except ValueError:
        raise argparse.ArgumentTypeError(text("cli.not_a_year", value=repr(given))) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(text("cli.not_a_plausible_year", value=repr(given)))
    return year


def _years(given: str) -> list[int]:
    """``2023-2025`` or ``2023,2025`` → a list of years."""
    try:
        if "-" in given:
            first, last = (int(p) for p in given.split("-", 1))
            years = list(range(first, last + 1))
        else:
            years = [int(p) for p in given.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(text("cli.years", value=repr(given))) from None
    if not years or any(not FIRST_YEAR <= y <= LAST_YEAR for y in years):
        raise argparse.ArgumentTypeError(text("cli.years", value=repr(given)))
    return years


def _whole_number(given: str) -> int:
    """``--jobs``, ``--port``: said as a whole number, not as argparse's ``invalid int value``."""
    try:
        return int(given)
    except ValueError:
        raise argparse.ArgumentTypeError(text("cli.not_a_whole_number", value=repr(given))) from None


def build_parser() -> argparse.ArgumentParser:
    """The global options and one sub-parser per command; each names its handler. Every word of
    the help in the language in use (build it inside :func:`argparse_speaks` for argparse's own)."""
    parser = argparse.ArgumentParser(prog="pipeline.py", description=text("help.description"))
    parser.add_argument("--params", type=Path, default=PARAMS_DIR, metavar=_folder_word(), help=text("help.params"))
    parser.add_argument("--debug", action="store_true", help=text("help.debug"))
    parser.add_argument("--messages", choices=LANGUAGES, help=text("help.messages"))
    commands = parser.add_subparsers(
        dest="command", required=True, title=text("help.commands"), metavar=text("help.word.command")
    )
    for add in (
        _templates_parser,
        _example_parser,
        _validate_parser,
        _status_parser,
        _run_parser,
        _lab_parser,
        _links_parser,
        _serve_parser,
    ):
        add(commands)
    return parser


def _folder_word() -> str:
    """What the help calls a folder option's value (``--inputs KANSIO``)."""
    return text("help.word.folder")


def _add_year(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=_year, required=True, metavar=text("help.word.year"), help=text("help.year"))


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inputs", type=Path, required=True, metavar=_folder_word(), help=text("help.inputs"))


def _templates_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("templates", help=text("help.templates"))
    _add_year(p)
    p.add_argument(
        "--out", type=Path, required=True, metavar=_folder_word(), help=text("help.out_workbooks", folder=_folder_word())
    )
    p.add_argument("--lang", choices=LANGUAGES, default="fi", help=text("help.templates.lang"))
    p.add_argument(
        "--prefill-from",
        type=Path,
        metavar=text("help.word.previous"),
        help=text("help.templates.prefill_from", folder=text("help.word.previous")),
    )
    p.set_defaults(handler=_templates)


def _example_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("example", help=text("help.example"))
    p.add_argument(
        "--out", type=Path, required=True, metavar=_folder_word(), help=text("help.out_workbooks", folder=_folder_word())
    )
    p.add_argument(
        "--years", type=_years, default=[2023, 2024, 2025], metavar=text("help.word.years"), help=text("help.example.years")
    )
    p.add_argument("--lang", choices=LANGUAGES, default="fi", help=text("help.example.lang"))
    p.set_defaults(handler=_example)


def _validate_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("validate", help=text("help.validate"))
    _add_year(p)
    _add_inputs(p)
    p.add_argument("--feedback", type=Path, metavar=_folder_word(), help=text("help.validate.feedback", folder=_folder_word()))
    p.add_argument("--lang", choices=LANGUAGES, dest="validate_lang", help=text("help.validate.lang"))
    p.set_defaults(handler=_validate)


def _status_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("status", help=text("help.status"))
    _add_year(p)
    _add_inputs(p)
    p.add_argument("--format", choices=["text", "xlsx", "json"], default="text", help=text("help.status.format"))
    file = text("help.word.file")
    p.add_argument("--out", type=Path, metavar=file, help=text("help.status.out", file=file))
    p.add_argument("--lang", choices=LANGUAGES, dest="status_lang", help=text("help.status.lang"))
    p.set_defaults(handler=_status)


def _run_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("run", help=text("help.run"))
    _add_year(p)
    _add_inputs(p)
    p.add_argument("--out", type=Path, metavar=_folder_word(), help=text("help.run.out"))
    p.add_argument("--lang", choices=[*LANGUAGES, "all"], help=text("help.run.lang"))
    p.add_argument("--format", choices=["html", "pdf", "all"], default="all", help=text("help.run.format"))
    p.add_argument("--jobs", type=_whole_number, default=None, metavar="N", help=text("help.run.jobs"))
    p.add_argument("--quiet", action="store_true", help=text("help.run.quiet"))
    p.add_argument("--force", action="store_true", help=text("help.run.force"))
    p.add_argument("--allow-partial", action="store_true", help=text("help.run.allow_partial"))
    p.set_defaults(handler=_run)


def _lab_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("lab", help=text("help.lab"))
    p.add_argument("--report", type=Path, required=True, metavar=_folder_word(), help=text("help.lab.report"))
    p.add_argument("--lang", choices=LANGUAGES, help=text("help.lab.lang"))
    p.add_argument("--port", type=_whole_number, metavar="N", help=text("help.lab.port"))
    p.add_argument("--no-browser", action="store_true", help=text("help.lab.no_browser"))
    p.add_argument("--allow-root", action="store_true", help=text("help.lab.allow_root"))
    p.set_defaults(handler=_lab)


def _links_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("links", help=text("links.help"))
    _add_year(p)
    _add_inputs(p)
    organisation = text("links.help.word.organisation")
    p.add_argument("--base-url", metavar="URL", help=text("links.help.base_url"))
    p.add_argument("--organisation", action="append", metavar=organisation, help=text("links.help.organisation"))
    p.add_argument("--analyst", action="store_true", help=text("links.help.analyst"))
    p.add_argument("--revoke", action="append", metavar=organisation, help=text("links.help.revoke"))
    p.set_defaults(handler=_links)


def _serve_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("serve", help=text("serve.help"))
    _add_year(p)
    _add_inputs(p)
    p.add_argument("--host", default="127.0.0.1", help=text("serve.help.host"))
    p.add_argument("--port", type=_whole_number, default=8000, metavar="N", help=text("serve.help.port"))
    p.add_argument("--templates", type=Path, metavar=_folder_word(), help=text("serve.help.templates"))
    p.add_argument("--user-header", metavar=text("serve.word.header"), help=text("serve.help.user_header"))
    p.add_argument(
        "--analysts",
        type=lambda given: [name.strip() for name in given.split(",") if name.strip()],
        default=[],
        metavar=text("serve.word.users"),
        help=text("serve.help.analysts"),
    )
    p.set_defaults(handler=_serve)


def main(argv: list[str] | None = None) -> int:
    use_language(_messages_language(sys.argv[1:] if argv is None else argv))
    with argparse_speaks():  # argparse's own words (usage, its errors, the help's titles) too
        args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except InputErrors as errors:
        shown = collapse(errors.problems)
        for problem in shown:
            print(problem, file=sys.stderr)
        print(count_line(shown), file=sys.stderr)
        return errors.exit_code
    except PipelineError as error:
        print(text("cli.error", error=str(error)), file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # `status | head`: the reader has read enough; not an error of ours
        _silence_stdout()
        return 141  # what a shell reports for a program ended by SIGPIPE (128 + 13)
    except KeyboardInterrupt:
        print(text("cli.interrupted"), file=sys.stderr)
        sys.stderr.flush()
        os._exit(130)  # do not wait for the notebook threads: the processes the run forked die with it
    except Exception as error:  # a bug of ours, not the user's: still no traceback by default
        if args.debug:
            raise
        print(text("cli.internal_error", kind=type(error).__name__, error=str(error)), file=sys.stderr)
        return 4


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout without a file descriptor (a test's)
        pass


def _messages_language(argv: list[str]) -> str:
    """The language of the messages, known before the options are parsed (their own errors are
    messages too): ``validate --lang`` or ``status --lang``, else ``--messages``, else ``messages`` in the params
    folder's report.yaml, else Finnish."""
    early = _Lenient(add_help=False)
    early.add_argument("--params", type=Path, default=PARAMS_DIR)
    early.add_argument("--messages")
    try:
        known, rest = early.parse_known_args(argv)
    except _NotYet:  # the real parser will say what is wrong; in the project's params' language
        known, rest = argparse.Namespace(params=PARAMS_DIR, messages=None), []
    command = next((word for word in rest if not word.startswith("-")), None)
    if command in ("validate", "status"):  # commands that write nothing in a language of their own
        later = _Lenient(add_help=False)
        later.add_argument("--lang")
        try:
            chosen = later.parse_known_args(rest)[0].lang
        except _NotYet:
            chosen = None
        if chosen in LANGUAGES:
            return str(chosen)
    if known.messages in LANGUAGES:
        return str(known.messages)
    try:
        return load_settings(known.params).messages
    except PipelineError:  # a broken or missing report.yaml: the command says so, in Finnish
        return DEFAULT_LANGUAGE


class _Lenient(argparse.ArgumentParser):
    """A first look at the options that never stops the command: a mistake in them (``--messages
    de``, ``--params`` without a folder) is left to the real parser, which says so in the language
    chosen without it."""

    def error(self, message: str) -> NoReturn:
        raise _NotYet


class _NotYet(Exception):
    pass


def _dispatch(args: argparse.Namespace) -> int:
    """Read the params every command needs, then call the command's handler."""
    if not Path(args.params).is_dir():
        raise UsageError(Message("cli.no_params_folder", folder=str(args.params)))
    strategy, settings = load_params(args.params)  # every params file checked: a mistake is exit 2, one line
    return args.handler(args, strategy, settings)


def _templates(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.intake.carried import read_previous
    from hki_intl.workbook.template import write_templates

    prefill = read_previous(args.prefill_from, args.year, strategy, settings) if args.prefill_from else None
    paths = write_templates(strategy, args.year, args.out, args.lang, args.params, prefill.records if prefill else None)
    folder = Path(args.out) / str(args.year)
    print(text("cli.wrote_templates", count=len(paths), folder=str(folder)))
    print(text("cli.wrote_analyst_texts", files=", ".join(f"analyst-{lang}.md" for lang in LANGUAGES), folder=str(folder)))
    for line in prefill.lines() if prefill else []:
        print(line)
    return 0


def _example(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.example import build_example

    paths = build_example(strategy, args.years, args.out, args.lang)
    folders = list(dict.fromkeys(str(p.parent) for p in paths)) or [str(args.out)]
    print(text("cli.wrote_examples", count=len(paths), folders=_and(folders)))
    print(text("cli.wrote_example_texts", files=", ".join(f"analyst-{lang}.md" for lang in LANGUAGES)))
    return 0


def _validate(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.engine import runner

    settings = settings.with_overrides(year=args.year)
    if args.feedback:
        result = _feedback(args, strategy, settings)
    else:
        result = runner.validate(args.inputs, args.year, strategy, settings)
    shown = collapse(result.warnings)
    for warning in shown:
        print(warning, file=sys.stderr)
    if shown:
        print(count_line(shown), file=sys.stderr)
    count = len(result.submissions)
    print(text("cli.valid_one", count=count, year=args.year) if count == 1 else text("cli.valid", count=count, year=args.year))
    return 0


def _feedback(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> IntakeResult:
    """``validate --feedback``: write the annotated copies and the summary, then fail as
    ``validate`` does if there are errors."""
    from hki_intl.engine import runner
    from hki_intl.intake.analyst import read_analyst_words
    from hki_intl.workbook.feedback import write_feedback

    result = runner.check_inputs(args.inputs, args.year, strategy, settings)
    words = read_analyst_words(args.inputs, args.year, strategy)
    written = write_feedback(result, args.year, args.feedback, strategy)
    names = f" ({', '.join(p.name for p in written.copies)})" if written.copies else ""
    key = "cli.feedback_one" if len(written.copies) == 1 else "cli.feedback"
    folder = Path(args.feedback) / str(args.year)
    print(text(key, count=len(written.copies), folder=str(folder), names=names, summary=str(written.summary)))
    if result.problems or words.errors:
        raise InputErrors(result.all_problems + words.problems)
    return replace(result, warnings=sorted(result.warnings + words.warnings))


def _status(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.workbook.status import report_status

    print(report_status(args.inputs, args.year, strategy, settings.with_overrides(year=args.year), args.format, args.out))
    return 0  # workbooks with errors are reported, not a failure of the command


def _run(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.engine import runner

    started = time.monotonic()
    result = runner.run(_run_options(args, settings))
    for report in result.reports:
        print(text("cli.report_written", path=str(report)))
    reused = sum(1 for stage in result.stages if stage.cached)
    print(text("cli.done", seconds=seconds(time.monotonic() - started), reused=reused, stages=len(result.stages)))
    for line in [] if args.quiet else result.changes:
        print(line)
    return 0


def _lab(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl import lab

    lab.check_report(args.report)
    lab.check_jupyterlab()
    opened = lab.prepare(args.report, args.lang or settings.language, args.params)
    command = lab.jupyter_command(opened, args.port, browser=not args.no_browser, allow_root=args.allow_root)
    for line in lab.describe(opened):
        print(line)
    lab.start(command)
    return 0


def _links(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.serve.links import links_asked, make_links

    asked = links_asked(args.inputs, args.year, strategy, args.base_url, args.organisation, args.analyst, args.revoke)
    for line in make_links(asked, strategy):
        print(line)
    if asked.organisations or asked.analyst:
        print(text("links.keep_secret"), file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace, strategy: Strategy, settings: Settings) -> int:
    from hki_intl.serve.app import serve

    serve(
        args.inputs,
        args.year,
        host=args.host,
        port=args.port,
        params_dir=args.params,
        templates_dir=args.templates,
        user_header=args.user_header,
        analysts=args.analysts,
        announce=lambda line: print(line, flush=True),
    )
    return 0


def _run_options(args: argparse.Namespace, settings: Settings) -> RunOptions:
    """``run``'s options with their defaults: the language from params/report.yaml, OUT
    ``reports/<year>``, one notebook per core."""
    return RunOptions(
        inputs=args.inputs,
        out=args.out or Path("reports") / str(args.year),
        year=args.year,
        languages=tuple(LANGUAGES) if args.lang == "all" else (args.lang or settings.language,),
        formats=FORMATS if args.format == "all" else (args.format,),
        params_dir=args.params,
        jobs=args.jobs or default_jobs(),
        force=args.force,
        allow_partial=args.allow_partial,
        quiet=args.quiet,
    )


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: every folder written to is named."""
    return items[0] if len(items) == 1 else text("cli.and", first=", ".join(items[:-1]), last=items[-1])


if __name__ == "__main__":
    sys.exit(main())
