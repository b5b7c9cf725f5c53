"""resource:* commands (Go plugin `resource`)."""

from .. import report
from ..core import VERBOSE, Flag, parse_flags
from ..report import ReportSpec

HELP = (
    ("resource:limit [--process-type <process-type>] [RESOURCE_OPTS...] <app>", "Limit resources for a given app/process-type combination"),
    ("resource:limit-clear [--process-type <process-type>] <app>", "Limit resources for a given app/process-type combination"),
    ("resource:report [<app>] [<flag>]", "Displays a resource report for one or more apps"),
    ("resource:reserve [--process-type <process-type>] [RESOURCE_OPTS...] <app>", "Reserve resources for a given app/process-type combination"),
    ("resource:reserve-clear [--process-type <process-type>] <app>", "Reserve resources for a given app/process-type combination"),
)

RESOURCES = ("cpu", "memory", "memory-swap", "network", "network-ingress", "network-egress", "nvidia-gpu")


def report_flags(ctx, st, name, app, info):
    return {f"--resource-{key}": value for key, value in app["resources"].items()}


# An app without resource settings prints nothing at all, not even a header.
SPEC = ReportSpec("resource", "resource", report_flags, legacy=True, uppercase=False, skip_empty=True)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def _flags():
    return [Flag("process-type", "string", usage="process type to apply the setting to")] + \
        [Flag(r, "string", usage=f"{r} value") for r in RESOURCES]


def _set(ctx, command, args, kind, noun):
    values, pos = parse_flags(ctx, command, args, _flags())
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    proc = values["process-type"] or "_default_"
    given = [(r, values[r]) for r in RESOURCES if values[r] != ""]
    if not given:
        label = "defaults" if proc == "_default_" else proc
        ctx.info2(f"resource {noun} {name} information [{label}]", quiet=True)
        ctx.lines([f"{VERBOSE}{r}: {app['resources'].get(f'{proc}.{kind}.{r}', '')}" for r in RESOURCES])
        return 0
    with ctx.transaction() as st:
        resources = st["apps"][name]["resources"]
        for r, value in given:
            resources[f"{proc}.{kind}.{r}"] = value
    suffix = "" if proc == "_default_" else f" ({proc})"
    ctx.info2(f"Setting resource {noun} for {name}{suffix}", quiet=True)
    ctx.lines([f"{VERBOSE}{r}: {value}" for r, value in given])
    return 0


def _clear(ctx, command, args, kind, noun):
    values, pos = parse_flags(ctx, command, args, [Flag("process-type", "string")])
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    proc = values["process-type"] or "_default_"
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["resources"] = {k: v for k, v in app["resources"].items() if not k.startswith(f"{proc}.{kind}.")}
    ctx.info1(f"Clearing resource {noun} for {name}" + ("" if proc == "_default_" else f" ({proc})"))
    return 0


def cmd_limit(ctx, args):
    return _set(ctx, "resource:limit", args, "limit", "limits")


def cmd_reserve(ctx, args):
    return _set(ctx, "resource:reserve", args, "reserve", "reservation")


def cmd_limit_clear(ctx, args):
    return _clear(ctx, "resource:limit-clear", args, "limit", "limit")


def cmd_reserve_clear(ctx, args):
    return _clear(ctx, "resource:reserve-clear", args, "reserve", "reservation")


COMMANDS = {
    "resource:report": cmd_report,
    "resource:limit": cmd_limit,
    "resource:reserve": cmd_reserve,
    "resource:limit-clear": cmd_limit_clear,
    "resource:reserve-clear": cmd_reserve_clear,
}
