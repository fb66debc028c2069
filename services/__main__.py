"""Command line for the team's use cases, on the database in DATABASE_URL (default: the embedded file).

    python -m services agenda --date YYYY-MM-DD [--size 25] [--heading 5] [--by NAME]
        the agenda of the meeting held that day, built from the data first if it has none (with up
        to --heading properties heading for the list, from the early warning's latest run)
    python -m services hotspots [--top 20] [--end YYYY-MM-DD]
        the flagged properties, highest score first, for the default window ending at --end
        (default: the last record)
    python -m services decide --property ID [--status S] [--lead DEPARTMENT] [--note TEXT]
                              [--action WHAT --owner NAME --due YYYY-MM-DD] [--by NAME]
        record a decision on the property's case as it stands now (a case is opened if it has none)
"""

import argparse
import sys
from datetime import date

from services import accounts, hotspots, meetings
from storage.engine import create_engine
from vocabulary import AGENDA_SECTION_LABELS, CASE_STATUS_LABELS, CASE_STATUSES, DEPARTMENT_LABELS, DEPARTMENTS



def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD") from None


def agenda(engine, args) -> int:
    meeting = meetings.meeting_on(engine, args.date)
    items = meetings.agenda(engine, meeting["meeting_id"], include_dropped=False) if meeting else None
    if items is None or items.empty:
        try:
            built = meetings.build_agenda(engine, args.date, args.by, args.size, args.heading)
        except meetings.NothingToMeetOn as nothing:
            print(nothing, file=sys.stderr)
            return 1
        print(f"Built the agenda from the data: {built} properties")
        meeting = meetings.meeting_on(engine, args.date)
        items = meetings.agenda(engine, meeting["meeting_id"], include_dropped=False)
    print(f"Meeting of {args.date:%B %-d, %Y}: {len(items)} properties")
    for number, item in enumerate(items.itertuples(), 1):
        score = f"{item.score:5.1f}" if item.score == item.score and item.score is not None else "    –"
        print(f"{number:3}. {item.address:<32} {score}  {AGENDA_SECTION_LABELS.get(item.section, item.section):<22} "
              f"{item.why or ''}")
    return 0


def top_hotspots(engine, args) -> int:
    end = args.end or hotspots.date_range(engine)[1]
    if end is None:
        print("No records are loaded yet.", file=sys.stderr)
        return 1
    scored = hotspots.hotspots(engine, hotspots.default_filters(end))
    flagged = scored[scored["flagged"]].head(args.top)
    print(f"Flagged properties, {hotspots.default_filters(end).days} days to {end:%Y-%m-%d}: "
          f"{int(scored['flagged'].sum())} (top {len(flagged)})")
    for rank, (property_id, row) in enumerate(flagged.iterrows(), 1):
        departments = ", ".join(DEPARTMENT_LABELS[d] for d in row["departments"])
        print(f"{rank:3}. {row['address']:<32} {row['score']:5.1f}  {departments}  ({property_id})")
        print(f"     {' · '.join(row['reasons'])}")
    return 0


def decide(engine, args) -> int:
    case = meetings.case_of(engine, args.property)
    changes = {name: value for name, value in (("status", args.status), ("lead_department", args.lead)) if value}
    actions = [{"what": args.action, "owner": args.owner, "department": args.lead, "due_on": args.due}] \
        if (args.action, args.owner, args.due) != (None, None, None) else []
    if args.action is not None and not args.action.strip():
        print("error: --action is blank: say what is to be done", file=sys.stderr)
        return 1
    try:
        version = meetings.record_decision(engine, args.property, case["version"] if case else 0, changes,
                                           actions, args.note, author=args.by)
    except (ValueError, KeyError) as problem:  # a bad change or an unknown property: nothing is written
        print(f"error: {problem}", file=sys.stderr)
        return 1
    case = meetings.case_of(engine, args.property)
    print(f"{args.property}: case {case['case_id']} is {CASE_STATUS_LABELS.get(case['status'], case['status'])}"
          f" (version {version})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services", description="The team's use cases.")
    commands = parser.add_subparsers(dest="command", required=True)
    built = commands.add_parser("agenda", help="a meeting's agenda, built from the data if it has none")
    built.add_argument("--date", type=_day, required=True, help="the meeting's day, YYYY-MM-DD")
    built.add_argument("--size", type=int, default=meetings.AGENDA_SIZE, help="at most this many flagged properties")
    built.add_argument("--heading", type=int, default=meetings.AGENDA_HEADING,
                       help="properties heading for the list added after them (0: none)")
    built.add_argument("--by", default=accounts.command_line_user(), help="the name written in the audit log")
    built.set_defaults(run=agenda)
    listed = commands.add_parser("hotspots", help="the flagged properties, highest score first")
    listed.add_argument("--top", type=int, default=20)
    listed.add_argument("--end", type=_day, help="the window's last day (default: the last record)")
    listed.set_defaults(run=top_hotspots)
    decided = commands.add_parser("decide", help="record a decision on a property's case")
    decided.add_argument("--property", required=True, help="the property's id")
    decided.add_argument("--status", choices=CASE_STATUSES)
    decided.add_argument("--lead", choices=DEPARTMENTS, help="the lead department")
    decided.add_argument("--note")
    decided.add_argument("--action", help="an action agreed: what is to be done")
    decided.add_argument("--owner", help="who does the action")
    decided.add_argument("--due", type=_day, help="the action's due date, YYYY-MM-DD")
    decided.add_argument("--by", default=accounts.command_line_user(), help="the name written in the audit log")
    decided.set_defaults(run=decide)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(create_engine(), args)


if __name__ == "__main__":
    sys.exit(main())
