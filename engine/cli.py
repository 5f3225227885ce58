"""The ``askhog`` command: one-shot questions, an interactive prompt, evaluation, lint, data.

Exit codes: 0 answered, 2 the engine needs a clarification, 1 an error. Errors
are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from .answer import Answer
from .backends.base import Backend, Table
from .clock import Clock, aware_utc, utc_now
from .demo import products
from .errors import AskhogError
from .format import cell

EXIT_OK, EXIT_ERROR, EXIT_CLARIFY = 0, 1, 2
MAX_ROWS_SHOWN = 40


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _cmd_examples(args) if args.examples else _interactive(args)
        return int(args.handler(args))
    except AskhogError as exc:
        print(_one_line(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("askhog: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `askhog ask ... | head`: the reader left; nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, never a traceback unless asked for
        if os.environ.get("ASKHOG_DEBUG"):
            raise
        print(_one_line(exc, bug=True), file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException, *, bug: bool = False) -> str:
    """The error as the CLI prints it: its message (a bug's on one line), never a traceback, never the API key."""
    from .backends.posthog.redact import Redactor

    text = str(exc) if not bug else " ".join(str(exc).split())
    key = os.environ.get("POSTHOG_PERSONAL_API_KEY", "").strip()
    if key:
        text = Redactor(key)(text)
    if bug:
        return (
            f"askhog: internal error ({type(exc).__name__}: {text}); this is a bug in askhog: please report "
            "it (ASKHOG_DEBUG=1 shows the traceback)"
        )
    return f"askhog: {type(exc).__name__}: {text}"


# --- arguments -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="askhog", description="Ask product-analytics questions of PostHog data in plain English."
    )
    _backend_flags(p)
    p.add_argument(
        "--examples", action="store_true", help="example questions made from the project's own events, then exit"
    )
    sub = p.add_subparsers(dest="command")

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question", nargs="*")
    ask.add_argument(
        "--examples", action="store_true", help="example questions made from the project's own events (no question)"
    )
    ask.add_argument(
        "--json", action="store_true", help="one JSON object (intent, confidence, slots, clarification, hogql, ...)"
    )
    ask.add_argument("--markdown", action="store_true", help="workflow reports as Markdown")
    ask.add_argument("--no-run", action="store_true", help="show the HogQL without running it")
    ask.add_argument(
        "--format", choices=["table", "csv", "json"], default="table", help="how to print the result table"
    )
    ask.add_argument("--explain", action="store_true", help="show why the engine read the question this way")
    ask.add_argument("--check", action="store_true", help="also validate the query with PostHog's HogQLMetadata")
    ask.add_argument(
        "--save",
        metavar="NAME",
        help="save the answer as a PostHog insight (native trends, funnel, "
        "retention ... where the family maps, else SQL)",
    )
    ask.add_argument("--dashboard", type=int, help="with --save: add the insight to this dashboard")
    ask.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a workflow option, e.g. costs_csv=costs.csv for channel ROI",
    )
    ask.add_argument("--now", metavar="TIME", help="answer as if it were TIME (ISO 8601, UTC)")
    _backend_flags(ask)
    ask.set_defaults(handler=_cmd_ask)

    ev = sub.add_parser("eval", help="evaluate labelled question sets")
    ev.add_argument("files", nargs="*")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation of the recognizer on the catalog")
    ev.add_argument("--misses", action="store_true", help="list the misclassified questions (or wrong answers)")
    ev.add_argument(
        "--execute",
        action="store_true",
        help="execution accuracy: run each answer and each case's truth query on the pinned demo data",
    )
    ev.add_argument(
        "--oos-curve",
        action="store_true",
        help="sweep the out-of-scope threshold (refuse_at): refusal recall, in-scope accuracy, questions held back",
    )
    ev.add_argument(
        "--product",
        choices=products.NAMES,
        help="ask on this demo product's pinned data (seed 42, 200k events, ending 2026-11-26 12:00 UTC): the sets "
        "written about it; without it, labelled sets are asked of the askhog home's data and --execute of Paperplane's",
    )
    ev.add_argument(
        "--split",
        metavar="NAME",
        help="only the cases of this split (e.g. dev); --oos-curve uses every case but the heldout ones by default",
    )
    ev.set_defaults(handler=_cmd_eval)

    lint = sub.add_parser("lint", help="check hand-written HogQL (a file, or standard input)")
    lint.add_argument("file", nargs="?", default="-")
    lint.set_defaults(handler=_cmd_lint)

    demo = sub.add_parser("demo", help="(re)generate the embedded demo dataset")
    demo.add_argument("--events", type=int, default=None)
    demo.add_argument("--seed", type=int, default=None)
    demo.add_argument(
        "--product", choices=products.NAMES, default=products.DEFAULT, help="which demo product's data to generate"
    )
    demo.add_argument("--now", metavar="TIME", help="generate as if it were TIME: the data ends there (ISO 8601, UTC)")
    demo.set_defaults(handler=_cmd_demo)

    load = sub.add_parser("load", help="add a PostHog events export (CSV, JSON lines, Parquet) to the loaded data")
    load.add_argument("file")
    load.add_argument(
        "--replace", action="store_true", help="start over: the file's events replace the data loaded before"
    )
    load.set_defaults(handler=_cmd_load)

    doctor = sub.add_parser("doctor", help="check the PostHog host, key and project")
    _backend_flags(doctor)
    doctor.set_defaults(handler=_cmd_doctor)

    mcp = sub.add_parser("mcp", help="serve askhog to chat apps over stdio (Model Context Protocol)")
    mcp.add_argument(
        "--conversations",
        type=int,
        default=256,
        metavar="N",
        help="keep at most N conversations (least recently used are dropped first)",
    )
    mcp.add_argument(
        "--idle-minutes",
        type=float,
        default=60.0,
        metavar="M",
        help="forget a conversation after M minutes without a message",
    )
    mcp.add_argument(
        "--now",
        metavar="TIME",
        help="answer as if it were TIME (ISO 8601, UTC): reproducible answers on loaded or pinned data",
    )
    _backend_flags(mcp)
    mcp.set_defaults(handler=_cmd_mcp)

    stats = sub.add_parser("stats", help="run the labelled set against the backend and print query metrics")
    stats.add_argument("files", nargs="*")
    _backend_flags(stats)
    stats.set_defaults(handler=_cmd_stats)
    return p


def _backend_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="project settings (default: askhog.yaml in the askhog home), e.g. which event is revenue",
    )
    p.add_argument(
        "--host", default=argparse.SUPPRESS, help="PostHog host (default $POSTHOG_HOST or https://us.posthog.com)"
    )
    p.add_argument("--project", default=argparse.SUPPRESS, help="PostHog project id (default $POSTHOG_PROJECT_ID)")
    p.add_argument(
        "--no-cache", action="store_true", default=argparse.SUPPRESS, help="do not reuse cached PostHog results"
    )


def _backend(args: argparse.Namespace) -> Backend:
    """PostHog when a personal API key is configured; otherwise the embedded store (the demo, or the loaded
    exports), made here so that the engine reads its taxonomy from the data it holds, as in Python."""
    from .backends.posthog import backend_from_settings

    settings: dict[str, Any] = {"cache_ttl": 0.0} if getattr(args, "no_cache", False) else {}
    clock = _clock(args)
    posthog = backend_from_settings(getattr(args, "host", None), getattr(args, "project", None), now=clock, **settings)
    if posthog is not None:
        return posthog
    from .backends.embedded import EmbeddedBackend

    return EmbeddedBackend(clock=clock)


def _engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .engine import Engine
    from .settings import load_settings

    settings = load_settings(getattr(args, "config", None))
    return Engine(_backend(args), clock=_clock(args), settings=settings)


def _clock(args: argparse.Namespace) -> Clock:
    """``--now`` (ISO 8601; a time without a zone is UTC) as the one clock of the engine and its backend, so a
    pinned run neither reads nor regenerates data at the wall clock; the wall clock without it."""
    text = getattr(args, "now", None)
    if text is None:
        return utc_now
    try:
        now = aware_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise AskhogError(f"--now takes an ISO 8601 time such as 2026-11-26T12:00:00, not {text!r}") from None
    return lambda: now


# --- ask -----------------------------------------------------------------------------------------


def _cmd_examples(args: argparse.Namespace) -> int:
    """``askhog --examples``, ``askhog ask --examples``: what can I ask, in this project's own names."""
    answer = _engine(args).help("--examples")
    if getattr(args, "json", False):
        print(json.dumps({"examples": [e.to_json() for e in answer.examples]}))
    else:
        print(answer.message)
    return EXIT_OK


def _cmd_ask(args: argparse.Namespace) -> int:
    if args.examples:
        return _cmd_examples(args)
    if not args.question:
        raise AskhogError('give a question (askhog ask "how many users signed up last week?") or --examples')
    engine = _engine(args)
    from .conversation import Conversation

    conv = Conversation(engine)
    answer = conv.ask(" ".join(args.question))
    while answer.clarification is not None and not args.json and sys.stdin.isatty():
        print(answer.clarification.text())
        try:
            reply = input("> ").strip()
        except EOFError:
            break
        if not reply:
            break
        answer = conv.ask(reply)
    pasted = answer.pasted
    if pasted is not None and pasted.runnable and answer.hogql is None and sys.stdin.isatty() and not args.json:
        print(answer.message)  # pasted SQL: explained and checked; run only when the user says so
        try:
            reply = input("Run it? [y/N] ").strip()
        except EOFError:
            reply = ""
        if not reply.lower().startswith("y"):
            return EXIT_OK
        answer = conv.ask("run it")
    return _present(engine, answer, args, sys.stdout)


def _present(engine: Any, answer: Answer, args: argparse.Namespace, out: TextIO) -> int:
    if answer.workflow and answer.clarification is None and getattr(args, "save", None):
        raise AskhogError(f"{answer.workflow} is a report of several queries: there is no one insight to save")
    if answer.workflow and answer.clarification is None and not args.no_run:
        report = engine.run_workflow(answer, _options(getattr(args, "option", [])))
        if args.json:
            print(json.dumps(report.to_json(), default=str), file=out)
        else:
            print(report.to_markdown() if args.markdown else report.render_text(), file=out)
        return EXIT_OK
    table = None
    if answer.hogql is not None and not args.no_run:
        result = answer.run()
        assert isinstance(result, Table)  # a query's answer; workflows were handled above
        table = result
    problems = (
        engine.backend.check(answer.hogql, answer.values)
        if args.check and answer.hogql and hasattr(engine.backend, "check")
        else []
    )
    saved = None
    if args.save and answer.hogql:
        from .insight import save_answer

        saved = save_answer(engine.backend, answer, args.save, args.dashboard)
    if args.json:
        payload = answer.to_json()
        if table is not None:
            payload["result"] = table.to_json()
            payload["interpretation"] = answer.interpret(table).text()
        if problems:
            payload["posthog_check"] = [str(p) for p in problems]
        if saved is not None:
            payload["insight_url"] = saved.url
            payload["insight_kind"] = saved.insight.kind
            payload["insight_reason"] = saved.insight.reason
        print(json.dumps(payload, default=str), file=out)
        return EXIT_CLARIFY if answer.clarification else EXIT_OK
    if args.format != "table" and table is not None:
        out.write(format_table(table, args.format))
        return EXIT_OK
    print(render_answer(answer, table, explain=args.explain), file=out)
    for p in problems:
        print(f"PostHog check: {p}", file=out)
    if saved is not None:
        print(f"Saved: {saved.url}", file=out)
        print(
            f"  as a {saved.insight.kind} insight"
            if saved.insight.native
            else f"  as a SQL insight: {saved.insight.reason}",
            file=out,
        )
    return EXIT_CLARIFY if answer.clarification else EXIT_OK


def _options(pairs: Sequence[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AskhogError(f"--option takes KEY=VALUE, not {pair!r}")
        options[key.strip()] = value.strip()
    return options


def render_answer(answer: Answer, table: Table | None, explain: bool = False) -> str:
    """The human form of an answer: what was understood, the query, the result and what it means."""
    from .answer import describe

    lines: list[str] = []
    if answer.message and answer.hogql is None and answer.clarification is None:
        return answer.message
    query_first = answer.wants_query and answer.hogql is not None and answer.clarification is None
    if query_first:  # "write the HogQL for ...": the query is the answer; paste-ready, before anything else
        lines.extend(["HogQL (paste-ready for PostHog's SQL editor):", "", answer.inline or answer.hogql or "", ""])
    slots = ", ".join(
        f"{k}: {describe(v)}{' (default)' if k in answer.defaulted else ''}" for k, v in answer.slots.items()
    )
    header = (
        "your HogQL (checked: read-only)"
        if answer.pasted is not None
        else f"{answer.intent} ({answer.confidence:.2f})" + (f" · {slots}" if slots else "")
    )
    lines.append(header)
    if explain:
        lines.append(answer.explain())
    if answer.clarification is not None:
        lines.append("")
        lines.append(answer.clarification.text())
        return "\n".join(lines)
    if not query_first:
        lines.extend(["", answer.hogql or "", ""])
        if answer.values:
            lines.append("values: " + json.dumps(answer.values, default=str))
    for note in answer.notes:
        lines.append(f"note: {note}")
    caveats = answer.caveats
    for w in answer.warnings:
        if w not in caveats:
            lines.append(f"warning: {w}")
    if table is not None:
        lines.extend(["", format_table(table, "table").rstrip(), ""])
        lines.append(answer.interpret(table).text())
        if table.source:
            lines.append(f"(data: {table.source})")
    for w in caveats:  # beside the figure they qualify, where a reader cannot miss them
        lines.append(f"Careful: {w.message}")
    if answer.follow_ups:
        lines.extend(["", "You could ask next:"] + [f"  - {f}" for f in answer.follow_ups[:4]])
    return "\n".join(lines)


def format_table(table: Table, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(table.to_json(), default=str) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        return buf.getvalue()
    rows = [[cell(v) for v in r] for r in table.rows[:MAX_ROWS_SHOWN]]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(table.columns)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(cells, widths))

    out = [line(list(table.columns)), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    if len(table.rows) > MAX_ROWS_SHOWN or table.has_more:
        out.append(
            f"... {len(table.rows) - MAX_ROWS_SHOWN if len(table.rows) > MAX_ROWS_SHOWN else 'more'} rows not shown "
            "(--format csv for all)"
        )
    return "\n".join(out) + "\n"


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


# --- interactive ---------------------------------------------------------------------------------


def _interactive(args: argparse.Namespace) -> int:
    from .conversation import Conversation

    engine = _engine(args)
    conv = Conversation(engine)
    tty = sys.stdin.isatty()
    if tty:
        print("askhog: ask a question about your product data (empty line or Ctrl-D to quit).")
    ns = argparse.Namespace(
        json=False,
        markdown=False,
        no_run=False,
        format="table",
        explain=False,
        check=False,
        save=None,
        dashboard=None,
        option=[],
    )
    while True:
        try:
            line = input("askhog> " if tty else "")
        except EOFError:
            break
        if not line.strip():
            if tty:
                break
            continue
        try:
            answer = conv.ask(line)
            _present(engine, answer, ns, sys.stdout)
        except AskhogError as exc:
            print(_one_line(exc), file=sys.stderr)
    return EXIT_OK


# --- other commands ------------------------------------------------------------------------------


def _cmd_eval(args: argparse.Namespace) -> int:
    from .engine import Engine
    from .evaluate import evaluate, format_report, load_cases, terminal_progress

    if args.execute:
        return _cmd_eval_execute(args)
    if args.oos_curve:
        return _cmd_oos_curve(args)
    if args.product:
        from .execution import EXEC_NOW, pinned_backend

        engine = Engine(pinned_backend(product=args.product), clock=lambda: EXEC_NOW)
    else:
        engine = Engine()
    report: dict[str, Any] = {}
    if args.cv:
        from .recognize import cross_validate

        report["cross_validation"] = cross_validate(engine.catalog, args.cv)
    if args.files:
        cases = load_cases(args.files)
        if args.split:
            cases = [c for c in cases if c.split == args.split]
        report.update(evaluate(engine, cases, progress=terminal_progress))
    if not report:
        raise AskhogError("give labelled files (e.g. tests/data/questions.yaml) or --cv K")
    if args.json:
        print(json.dumps(report, default=str))
        return EXIT_OK
    if "cross_validation" in report:
        cv = report["cross_validation"]
        print(
            f"{cv['folds']}-fold cross-validation on {cv['examples']} catalog examples: "
            f"accuracy {cv['accuracy'] * 100:.1f}% (± {cv['stdev'] * 100:.1f})"
        )
    if "overall" in report:
        print(format_report(report, show_misses=args.misses))
    return EXIT_OK


def _cmd_oos_curve(args: argparse.Namespace) -> int:
    """``askhog eval --oos-curve FILE...``: the out-of-scope operating point, swept over the dev cases."""
    from .engine import Engine
    from .evaluate import format_oos_curve, load_cases, oos_curve, terminal_progress

    if not args.files:
        raise AskhogError("give labelled files (e.g. tests/data/questions.yaml tests/data/questions_probe*.yaml)")
    cases = load_cases(args.files)
    cases = [c for c in cases if (c.split == args.split if args.split else c.split != "heldout")]
    if not cases:
        raise AskhogError("no cases left to sweep (held-out cases are left out unless --split heldout)")
    rows = oos_curve(Engine(), cases, progress=terminal_progress)
    if args.json:
        print(json.dumps(rows))
    else:
        print(format_oos_curve(rows, f"split {args.split}" if args.split else "every case but the held-out ones"))
    return EXIT_OK


def _cmd_eval_execute(args: argparse.Namespace) -> int:
    from .engine import Engine
    from .evaluate import terminal_progress
    from .execution import (
        EXEC_NOW,
        evaluate_execution,
        format_execution_report,
        load_exec_cases,
        pinned_backend,
        summarize_execution,
    )

    if not args.files:
        raise AskhogError("give execution sets (e.g. tests/data/exec/*.yaml)")
    cases = load_exec_cases(args.files)
    backend = pinned_backend(product=args.product)
    engine = Engine(backend, clock=lambda: EXEC_NOW)
    report = summarize_execution(evaluate_execution(engine, backend, cases, progress=terminal_progress))
    if args.json:
        print(json.dumps(report, default=str))
    else:
        print(format_execution_report(report, show_misses=args.misses))
    return EXIT_OK


def _cmd_lint(args: argparse.Namespace) -> int:
    from .hogql import format_problems, lint

    if args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise AskhogError(f"cannot read {args.file}: {exc.strerror}") from None
    problems = lint(text)
    if problems:
        print(format_problems(problems))
    else:
        print("no problems found")
    return EXIT_ERROR if any(p.severity == "error" for p in problems) else EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo.generate import DEFAULT_EVENTS, DEFAULT_SEED, generate_demo, stderr_progress

    info = generate_demo(
        events=args.events or DEFAULT_EVENTS,
        seed=args.seed if args.seed is not None else DEFAULT_SEED,
        progress=stderr_progress,
        clock=_clock(args),
        product=args.product,
    )
    print(
        f"generated the {products.TITLES[info.product]} demo: {info.events:,} events for {info.persons:,} persons in {info.sessions:,} sessions "
        f"(seed {info.seed}, ending {info.end:%Y-%m-%d %H:%M} UTC) in {info.seconds:.1f} s into {info.home}"
    )
    return EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    from .demo.generate import stderr_progress
    from .demo.load import load_file
    from .demo.store import Store

    report = load_file(args.file, replace=args.replace, progress=stderr_progress if sys.stderr.isatty() else None)
    print(
        f"loaded {report.loaded:,} events from {args.file} (sha256 {report.sha256}): {report.rows:,} rows, "
        f"{len(report.rejected):,} rejected"
    )
    if report.replaced:
        print(f"replaced {report.replaced}")
    print(f"the store now holds {Store().describe()}")
    for line, reason in report.rejected[:50]:
        print(f"  rejected line {line}: {reason}")
    if len(report.rejected) > 50:
        print(f"  ... and {len(report.rejected) - 50:,} more rejected rows")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .backends.posthog import PostHogConfig, doctor

    config = PostHogConfig.from_env(host=getattr(args, "host", None), project_id=getattr(args, "project", None))
    report = doctor(config)
    print(report.format())
    return EXIT_OK if report.ok else EXIT_ERROR


def _cmd_mcp(args: argparse.Namespace) -> int:
    from .chat import ChatTools
    from .conversations import ConversationStore
    from .mcp_server import require_sdk, serve

    require_sdk()
    if args.conversations < 1 or args.idle_minutes <= 0:
        raise AskhogError("--conversations must be at least 1 and --idle-minutes more than 0")
    engine = _engine(args)
    store = ConversationStore(engine, capacity=args.conversations, idle_seconds=args.idle_minutes * 60)
    serve(ChatTools(engine, store))
    return EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    from .evaluate import load_cases

    engine = _engine(args)
    backend = engine.backend
    for case in load_cases(args.files or []):
        answer = engine.ask(case.question)
        if answer.hogql is not None:
            try:
                answer.run()
            except AskhogError as exc:
                print(f"  {case.question!r}: {type(exc).__name__}: {exc}", file=sys.stderr)
    metrics = getattr(backend, "metrics", None)
    if metrics is None:
        print("the embedded backend keeps no query metrics; configure PostHog to see them")
        return EXIT_OK
    print(metrics.format())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
