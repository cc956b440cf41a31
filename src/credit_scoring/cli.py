"""The ``credit-scoring`` command line: one entry point for analysts.

Each subcommand is a thin wrapper over a function of the package; errors a user can cause are
printed as one readable message (no traceback) and give exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from credit_scoring.artifacts import DEFAULT_ARTIFACTS_DIR, DEFAULT_DATA_DIR
from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n import DEFAULT_LANGUAGE, languages


def _generate(args: argparse.Namespace) -> int:
    from credit_scoring.data.synthetic import generate_dataset

    counts = generate_dataset(
        args.out, n_applicants=args.applicants, seed=args.seed, drift=args.drift
    )
    print(f"Synthetic Home Credit data written to {args.out}:")
    if args.drift:
        from credit_scoring.data.synthetic_drift import DRIFT_SCENARIOS

        print(f"  planted drift {args.drift!r}: {DRIFT_SCENARIOS[args.drift]}")
    for table, rows in counts.items():
        print(f"  {table + '.csv':<28} {rows:>12,} rows")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from credit_scoring.data.validation import validate_source

    report = validate_source(args.source)
    print(report.format())
    return 0 if report.ok else 1


def _pipeline(args: argparse.Namespace) -> int:
    from credit_scoring.pipeline import parse_parameter, run_pipeline

    parameters = dict(parse_parameter(text) for text in args.parameter)
    run_pipeline(
        data_dir=args.data,
        artifacts_dir=args.artifacts,
        parameters=parameters,
        steps=args.steps,
        html=not args.no_html,
        progress=not args.quiet,
    )
    return 0


def _score(args: argparse.Namespace) -> int:
    from credit_scoring.scoring.batch import score_folder

    scored = score_folder(
        args.artifacts, args.data, args.out, top_reasons=args.top_reasons, lang=args.lang
    )
    for note in scored.attrs.get("notes", []):
        print(f"warning: {note}", file=sys.stderr)
    done = int((scored["decision"] != "not_scored").sum())
    print(f"{done:,} of {len(scored):,} applications scored; results written to {args.out}")
    return 0


def _recourse(args: argparse.Namespace) -> int:
    import json

    from credit_scoring.scoring.recourse import RecourseBounds, recourse_for_client

    given = {
        "annual_rate": args.annual_rate,
        "min_term_months": args.min_term,
        "max_term_months": args.max_term,
        "min_amount": args.min_amount,
    }
    bounds = RecourseBounds(**{name: value for name, value in given.items() if value is not None})
    recourse = recourse_for_client(args.artifacts, args.client, bounds)
    if args.format == "json":
        print(json.dumps(recourse.to_dict(args.lang), ensure_ascii=False, indent=1))
    else:
        print(recourse.report(args.lang))
    return 0


def _monitor(args: argparse.Namespace) -> int:
    from credit_scoring.monitor import run_monitoring

    result, written = run_monitoring(args.artifacts, args.data, html_path=args.out)
    summary = result.summary()
    print(
        f"{result.new_applicants:,} new applicants against {result.training_applicants:,} "
        f"training applicants: {result.verdict} (score PSI {result.score.psi:.3f}; features "
        f"{summary['features_by_verdict']['significant']} significant, "
        f"{summary['features_by_verdict']['moderate']} moderate)"
    )
    if result.alerts:
        print(f"significant drift of: {', '.join(result.alerts)}")
    for path in written.values():
        print(f"written: {path}")
    return result.exit_code


def _dashboard(args: argparse.Namespace) -> int:
    from credit_scoring.dashboard.serve import serve_dashboard

    return serve_dashboard(
        args.artifacts,
        port=args.port,
        lang=args.lang,
        host=args.host,
        pool_size=args.pool,
        max_sessions=args.max_sessions,
        state_dir=args.state,
    )


def _hub(args: argparse.Namespace) -> int:
    from credit_scoring.service.hub_config import HubSettings, serve_hub

    settings = HubSettings(
        artifacts_dir=str(args.artifacts.resolve()),
        state_dir=str(args.state.resolve()),
        port=args.port,
        lang=args.lang,
        max_sessions=args.max_sessions or 0,
    )
    return serve_hub(settings)


def _users(args: argparse.Namespace) -> int:
    from credit_scoring.service import accounts

    if args.action == "add":
        if not args.password_stdin:
            raise CreditScoringError(
                "give the password on standard input with --password-stdin "
                "(never on the command line, where other users can read it)"
            )
        password = sys.stdin.readline().rstrip("\r\n")
        accounts.add_user(args.state, args.name, args.role, password)
        print(f"account {args.name} ({args.role}) created in {args.state}")
    elif args.action == "remove":
        accounts.remove_user(args.state, args.name)
        print(f"account {args.name} removed from {args.state}")
    else:
        for name, role in accounts.list_users(args.state):
            print(f"{name}\t{role}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from credit_scoring.service.audit import AuditStore, audit_path, format_events

    path = audit_path(args.state)
    if not path.is_file():
        raise CreditScoringError(f"no audit trail in {args.state} (no {path.name}): check --state")
    with AuditStore(path) as store:
        events = store.query(user=args.user, client_id=args.client, since=args.since)
    sys.stdout.write(format_events(events, args.format))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credit-scoring",
        description="Credit scoring on the Home Credit Default Risk data (Prêt à dépenser).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser(
        "generate", help="write a synthetic dataset in the Kaggle format (the embedded default)"
    )
    generate.add_argument("--out", type=Path, default=DEFAULT_DATA_DIR, help="output folder")
    generate.add_argument("--applicants", type=int, default=20_000, help="number of applicants")
    generate.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    generate.add_argument(
        "--drift",
        default=None,
        metavar="NAME",
        help="plant a documented shift in the new applicants: incomes, young or external_scores",
    )
    _add_quiet(generate)
    generate.set_defaults(handler=_generate)

    validate = commands.add_parser(
        "validate", help="check a folder (or the Kaggle zip) of Home Credit CSV files"
    )
    validate.add_argument("source", type=Path, help="data folder or home-credit-default-risk.zip")
    _add_quiet(validate)
    validate.set_defaults(handler=_validate)

    pipeline = commands.add_parser(
        "pipeline", help="run the notebooks (features, training, explanations, report) in order"
    )
    pipeline.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="raw data folder, or home-credit-default-risk.zip",
    )
    pipeline.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    pipeline.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter, e.g. -p iterations=300 (repeatable)",
    )
    pipeline.add_argument(
        "--steps",
        nargs="+",
        default=None,
        help="run only these steps (features train explain evaluate)",
    )
    pipeline.add_argument(
        "--no-html", action="store_true", help="skip the HTML export of the report"
    )
    _add_quiet(pipeline)
    pipeline.set_defaults(handler=_pipeline)

    score = commands.add_parser(
        "score", help="score new applications in the application_test format"
    )
    score.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    score.add_argument("--data", type=Path, required=True, help="folder with application_test.csv")
    score.add_argument("--out", type=Path, required=True, help="output file (.csv or .parquet)")
    score.add_argument(
        "--top-reasons",
        type=int,
        default=3,
        choices=range(0, 11),
        metavar="0-10",
        help="largest contributions listed per applicant (the principal reasons come anyway)",
    )
    score.add_argument("--lang", choices=languages(), default=DEFAULT_LANGUAGE)
    _add_quiet(score)
    score.set_defaults(handler=_score)

    recourse = commands.add_parser(
        "recourse", help="what would change a client's decision (amount, goods price, term)"
    )
    recourse.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    recourse.add_argument("--client", required=True, help="the client's SK_ID_CURR")
    recourse.add_argument("--lang", choices=languages(), default=DEFAULT_LANGUAGE)
    recourse.add_argument("--format", choices=["text", "json"], default="text")
    # defaults: credit_scoring.scoring.recourse.RecourseBounds (documented in the README)
    recourse.add_argument("--annual-rate", type=float, help="the lender's yearly rate (0.10)")
    recourse.add_argument("--min-term", type=int, help="shortest term offered, months (6)")
    recourse.add_argument("--max-term", type=int, help="longest term offered, months (60)")
    recourse.add_argument("--min-amount", type=float, help="smallest credit granted (25000)")
    recourse.set_defaults(handler=_recourse)

    monitor = commands.add_parser(
        "monitor",
        help="compare new applicants with the training population (drift); exit 3 on an alert",
    )
    monitor.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    monitor.add_argument(
        "--data", type=Path, required=True, help="folder with application_test.csv (new applicants)"
    )
    monitor.add_argument(
        "--out", type=Path, default=None, help="HTML report (monitoring.json is written beside it)"
    )
    _add_quiet(monitor)
    monitor.set_defaults(handler=_monitor)

    dashboard = commands.add_parser(
        "dashboard", help="serve the Voilà dashboard for some artifacts"
    )
    dashboard.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1")
    dashboard.add_argument("--lang", choices=languages(), default=DEFAULT_LANGUAGE)
    dashboard.add_argument(
        "--pool", type=int, default=None, help="preheated kernels (default: 1 per 2 CPU cores)"
    )
    dashboard.add_argument(
        "--max-sessions", type=int, default=None, help="open pages at once (default: from memory)"
    )
    dashboard.add_argument(
        "--state", type=Path, default=None, help="folder of the audit trail (default: no audit)"
    )
    dashboard.set_defaults(handler=_dashboard)

    hub = commands.add_parser(
        "hub", help="serve a team: JupyterHub with personal logins and an audit trail"
    )
    hub.add_argument("--artifacts", type=Path, default=DEFAULT_ARTIFACTS_DIR)
    hub.add_argument("--state", type=Path, required=True, help="accounts, audit trail, hub files")
    hub.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1")
    hub.add_argument("--lang", choices=languages(), default=DEFAULT_LANGUAGE)
    hub.add_argument(
        "--max-sessions", type=int, default=None, help="users at once (default: from memory)"
    )
    hub.set_defaults(handler=_hub)

    users = commands.add_parser("users", help="personal accounts of the team service")
    users_actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    users_add = users_actions.add_parser("add", help="create an account")
    users_add.add_argument("name")
    users_add.add_argument("--role", choices=["manager", "analyst"], required=True)
    users_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    users_remove = users_actions.add_parser("remove", help="delete an account")
    users_remove.add_argument("name")
    users_list = users_actions.add_parser("list", help="list the accounts and their roles")
    for action in (users_add, users_remove, users_list):
        action.add_argument("--state", type=Path, required=True, help="the hub's state folder")
    users.set_defaults(handler=_users)

    audit = commands.add_parser("audit", help="print the audit trail (who viewed which client)")
    audit.add_argument("--state", type=Path, required=True, help="the hub's state folder")
    audit.add_argument("--user", default=None)
    audit.add_argument("--client", type=int, default=None, help="client id (SK_ID_CURR)")
    audit.add_argument("--since", default=None, help="date or UTC time, e.g. 2026-11-28")
    audit.add_argument("--format", choices=["csv", "json"], default="csv")
    audit.set_defaults(handler=_audit)
    return parser


def _add_quiet(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--quiet",
        action="store_true",
        help="no progress display (bars in a terminal, plain lines in logs otherwise)",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "quiet", False):
        from credit_scoring.progress import PROGRESS_VARIABLE

        os.environ[PROGRESS_VARIABLE] = "off"
    try:
        return args.handler(args)
    except CreditScoringError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
