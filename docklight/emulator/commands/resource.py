"""resource:* commands (Go plugin plugins/resource: subcommands.go, functions.go, resource.go)."""

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
    """One --resource-<proc>.<kind>.<res> flag per stored property (resource.go ReportSingleApp)."""
    return {f"--resource-{key}": value for key, value in app["resources"].items()}


# An app without resource settings still gets a report: PropertyGetAll returns
# an empty map (not an error) for a missing property folder, so
# common.ReportSingleApp prints the header alone, `{}` in JSON, and refuses
# any info flag as invalid (resource_1.bats "resource:limit clear single").
SPEC = ReportSpec("resource", "resource", report_flags, legacy=True, uppercase=False)


def cmd_report(ctx, args):
    """resource:report (plugins/resource/subcommands.go CommandReport, resource.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


def _flags():
    return [Flag("process-type", "string", usage="process type to apply the setting to")] + \
        [Flag(r, "string", usage=f"{r} value") for r in RESOURCES]


def _set(ctx, command, args, kind, noun):
    """resource:limit / resource:reserve (plugins/resource/functions.go setResourceType).

    No value given prints the stored values (reportResourceType); the value
    `clear` deletes that one property instead of storing it.
    """
    values, pos = parse_flags(ctx, command, args, _flags())
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    proc = values["process-type"] or "_default_"
    given = [(r, values[r]) for r in RESOURCES if values[r] != ""]
    if not given:
        # reportResourceType: "[defaults]" for _default_, "(proc)" otherwise.
        label = " [defaults]" if proc == "_default_" else f" ({proc})"
        ctx.info2(f"resource {noun} {name} information{label}", quiet=True)
        ctx.lines([f"{VERBOSE}{r}: {app['resources'].get(f'{proc}.{kind}.{r}', '')}" for r in RESOURCES])
        return 0
    suffix = "" if proc == "_default_" else f" ({proc})"
    ctx.info2(f"Setting resource {noun} for {name}{suffix}", quiet=True)
    with ctx.transaction() as st:
        resources = st["apps"][name]["resources"]
        for r, value in given:
            if value == "clear":
                resources.pop(f"{proc}.{kind}.{r}", None)
            else:
                resources[f"{proc}.{kind}.{r}"] = value
    ctx.lines([f"{VERBOSE}{r}: " + ("cleared" if value == "clear" else value) for r, value in given])
    return 0


def _clear(ctx, command, args, kind):
    """resource:limit-clear / reserve-clear (plugins/resource/functions.go clearByResourceType).

    Without --process-type Dokku deletes EVERY resource property of the app
    (PropertyGetAll + PropertyDelete): limits and reservations of all process
    types, whichever of the two commands ran. With one (`_default_` included)
    it deletes only that process type's properties of this kind.
    """
    values, pos = parse_flags(ctx, command, args, [Flag("process-type", "string")])
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    proc = values["process-type"]
    noun = "reservation" if kind == "reserve" else "limits"
    message = f"clearing {name} {noun}"
    if proc not in ("_default_", ""):
        message += f" ({proc})"
    ctx.info2(message, quiet=True)
    with ctx.transaction() as st:
        app = st["apps"][name]
        if proc == "":
            app["resources"] = {}
        else:
            app["resources"] = {k: v for k, v in app["resources"].items()
                                if k not in {f"{proc}.{kind}.{r}" for r in RESOURCES}}
    return 0


def cmd_limit(ctx, args):
    """resource:limit (plugins/resource/subcommands.go CommandLimit)."""
    return _set(ctx, "resource:limit", args, "limit", "limits")


def cmd_reserve(ctx, args):
    """resource:reserve (plugins/resource/subcommands.go CommandReserve)."""
    return _set(ctx, "resource:reserve", args, "reserve", "reservation")


def cmd_limit_clear(ctx, args):
    """resource:limit-clear (plugins/resource/subcommands.go CommandLimitClear)."""
    return _clear(ctx, "resource:limit-clear", args, "limit")


def cmd_reserve_clear(ctx, args):
    """resource:reserve-clear (plugins/resource/subcommands.go CommandReserveClear)."""
    return _clear(ctx, "resource:reserve-clear", args, "reserve")


COMMANDS = {
    "resource:report": cmd_report,
    "resource:limit": cmd_limit,
    "resource:reserve": cmd_reserve,
    "resource:limit-clear": cmd_limit_clear,
    "resource:reserve-clear": cmd_reserve_clear,
}
