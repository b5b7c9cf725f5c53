"""checks:* commands (plugin `checks`: zero-downtime deploy checks)."""

from .. import report
from ..core import INFO1, VERBOSE, Flag, parse_flags
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("checks:disable <app> [process-type(s)]", "Disable zero-downtime deployment for all processes (or comma-separated process-type list)"),
    ("checks:enable <app> [process-type(s)]", "Enable zero-downtime deployment for all processes (or comma-separated process-type list)"),
    ("checks:report [<app>] [<flag>]", "Displays a checks report for one or more apps"),
    ("checks:run <app> [process-type(s)]", "Runs zero-downtime checks for all processes (or comma-separated process-type list)"),
    ("checks:set [--global|<app>] <key> <value>", "Set or clear a checks property for an app"),
    ("checks:skip <app> [process-type(s)]", "Skip zero-downtime checks for all processes (or comma-separated process-type list)"),
)

PROPS = {"wait-to-retire": ("checks", "wait_to_retire")}


def report_flags(ctx, st, name, app, info):
    checks = app["checks"]
    flags = {
        "--checks-disabled-list": ",".join(checks["disabled"]) or "none",
        "--checks-skipped-list": ",".join(checks["skipped"]) or "none",
    }
    flags.update(triple("checks", "wait-to-retire", checks["wait_to_retire"],
                        global_prop(st, "checks", "wait-to-retire", "60"), "60"))
    return flags


SPEC = ReportSpec("checks", "checks", report_flags, legacy=False)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    return cmd_property_set(ctx, "checks", args, PROPS, tuple(PROPS))


def _procs(arg):
    return [p for p in arg.split(",") if p] if arg else ["_all_"]


def _message(verb, name, procs):
    if procs == ["_all_"]:
        return f"{INFO1}{verb} zero downtime for app ({name})"
    return f"{INFO1}{verb} zero downtime for app's ({','.join(procs)}) proctypes"


def _update(ctx, command, args, verb, add_to, remove_from):
    _, pos = parse_flags(ctx, command, args)
    name = pos[0] if pos else ""
    procs = _procs(pos[1] if len(pos) > 1 else "")
    with ctx.transaction() as st:
        checks = ctx.verify_app(name, st)["checks"]
        for key in remove_from:
            checks[key] = [] if procs == ["_all_"] else [p for p in checks[key] if p not in procs]
        if add_to:
            checks[add_to] = procs if procs == ["_all_"] else [p for p in checks[add_to] if p != "_all_"] + \
                [p for p in procs if p not in checks[add_to]]
    ctx.out(_message(verb, name, procs))
    return 0


def cmd_disable(ctx, args):
    return _update(ctx, "checks:disable", args, "Disabling", "disabled", ["skipped"])


def cmd_enable(ctx, args):
    return _update(ctx, "checks:enable", args, "Enabling", None, ["disabled", "skipped"])


def cmd_skip(ctx, args):
    return _update(ctx, "checks:skip", args, "Skipping", "skipped", ["disabled"])


def cmd_run(ctx, args):
    _, pos = parse_flags(ctx, "checks:run", args, [Flag("wait", "int")])
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    if not app["deployed"]:
        ctx.fail(f"App {name} has not been deployed")
    wanted = _procs(pos[1] if len(pos) > 1 else "")
    lines = []
    for c in app["containers"]:
        if wanted != ["_all_"] and c["proc"] not in wanted:
            continue
        tag = f"{c['proc']}.{c['index']}"
        lines += [f"{INFO1}Running healthchecks for {tag}",
                  f"{VERBOSE}Default container check successful ({tag})"]
    ctx.stream(lines)
    return 0


COMMANDS = {
    "checks:report": cmd_report,
    "checks:set": cmd_set,
    "checks:disable": cmd_disable,
    "checks:enable": cmd_enable,
    "checks:skip": cmd_skip,
    "checks:run": cmd_run,
}
