"""ps:* commands (Go plugin plugins/ps: subcommands.go, functions.go, report.go; scheduler docker-local)."""

import re

from .. import report
from .. import state as store
from ..core import NO_APP, Flag, go_json, parse_flags
from ..deploy import build_lines, deploy_lines, proxy_rebuild_lines, restart_containers
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop, triple
from . import config as config_cmds

HELP = (
    ("ps:inspect <app>", "Displays a sanitized version of docker inspect for an app"),
    ("ps:rebuild [--parallel count] [--all|<app>]", "Rebuilds an app from source"),
    ("ps:report [<app>] [<flag>]", "Displays a process report for one or more apps"),
    ("ps:restart [--parallel count] [--all|<app>] [<process-name>]", "Restart an app"),
    ("ps:scale [--skip-deploy] <app> <proc>=<count> [<proc>=<count>...]", "Get/Set how many instances of a given process to run"),
    ("ps:set <app> <key> <value>", "Set or clear a ps property for an app"),
    ("ps:start [--parallel count] [--all|<app>]", "Start an app"),
    ("ps:stop [--parallel count] [--all|<app>]", "Stop an app"),
)

PROPS = {
    "procfile-path": ("ps", "procfile-path"),
    "restart-policy": ("ps", "restart-policy"),
    "stop-timeout-seconds": ("ps", "stop-timeout-seconds"),
    "skip-deploy": ("ps", "skip-deploy"),
}
GLOBAL_PROPS = ("procfile-path", "restart-policy", "stop-timeout-seconds", "skip-deploy")
# What report.go's reportComputed* fall back to when neither the app nor
# --global sets the property.
COMPUTED_DEFAULTS = {"procfile-path": "Procfile", "restart-policy": "on-failure:10",
                     "skip-deploy": "false", "stop-timeout-seconds": "30"}
RESTART_POLICIES = ("no", "always", "unless-stopped", "on-failure")


# ------------------------------------------------------------------ report


def status_flags(app):
    """Return one ``--status-<proc>.<n>`` flag per container."""
    return {f"--status-{c['proc']}.{c['index']}": f"{c['status']} (CID: {c['id'][:11]})"
            for c in app["containers"]} if app["deployed"] else {}


def report_flags(ctx, st, name, app, info):
    """Return the ps:report values (plugins/ps/report.go ReportSingleApp).

    The global values are the raw `--global` properties (reportGlobal* call
    PropertyGet without a default); only the computed ones fall back to
    Procfile, on-failure:10, false and 30.
    """
    ps = app["ps"]
    flags = {
        "--deployed": "true" if app["deployed"] else "false",
        "--processes": str(len(app["containers"]) if app["deployed"] else 0),
        "--ps-can-scale": "true",
        "--restore": "true" if app["restore"] else "false",
        "--running": store.running_state(app),
        "--ps-start-cmd": ps.get("start-cmd", ""),
        "--ps-computed-start-cmd": ps.get("start-cmd", ""),
        "--ps-dockerfile-start-cmd": ps.get("dockerfile-start-cmd", ""),
        "--ps-computed-dockerfile-start-cmd": ps.get("dockerfile-start-cmd", ""),
    }
    for prop, default in COMPUTED_DEFAULTS.items():
        flags.update(triple("ps", prop, ps.get(prop, ""), global_prop(st, "ps", prop), default))
    # Status flags are only computed for a full report or a --status-* info flag.
    if not info or info.startswith("--status-"):
        flags.update(status_flags(app))
    return flags


SPEC = ReportSpec("ps", "ps", report_flags, legacy=True)


def cmd_report(ctx, args):
    """ps:report (plugins/ps/subcommands.go CommandReport)."""
    return report.run(ctx, SPEC, args)


# ------------------------------------------------------------------ scale


def scale_table(ctx, name, processes):
    """Print the ps:scale table (plugins/ps/functions.go scaleReport)."""
    ctx.info1(f"Scaling for {name}", quiet=True)
    lines = [] if ctx.quiet else ["proctype: qty", "--------: ---"]
    lines += [f"{proc + ':':<5} {processes[proc]}" for proc in sorted(processes)]
    ctx.lines(lines)


def go_atoi(text):
    """Return int(text) as Go's strconv.Atoi reads it (optional sign, ASCII digits), else None."""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    return None


def parse_process_tuples(ctx, tuples):
    """Return [(proc, count)] as plugins/ps/functions.go parseProcessTuples reads them.

    No `=` is a missing count; anything strconv.Atoi refuses (an empty count
    included) is an invalid one; a process type seen before is skipped, so the
    first of two wins.
    """
    parsed, seen = [], set()
    for pair in tuples:
        proc, eq, count = pair.partition("=")
        if not eq:
            ctx.fail(f"Missing count for process type {pair}")
        quantity = go_atoi(count.strip())
        if quantity is None:
            ctx.fail(f"Invalid count for process type {proc}")
        proc = proc.strip()
        if proc in seen:
            continue
        seen.add(proc)
        parsed.append((proc, quantity))
    return parsed


def cmd_scale(ctx, args):
    """ps:scale (plugins/ps/subcommands.go CommandScale; functions.go scaleSet, updateScale).

    The "Scaling ... processes:" line carries the tuples as typed and comes
    before they are checked. A process type outside a deployed app's Procfile
    may only be scaled to 0.
    """
    flags = [Flag("skip-deploy", usage="skip the deploy step")]
    if ctx.version >= (0, 38, 21):
        flags.append(Flag("format", "string", default="stdout", usage="output format: stdout or json"))
    values, pos = parse_flags(ctx, "ps:scale", args, flags)
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    if len(pos) < 2:
        if values.get("format") == "json":
            ctx.out(go_json([{"process_type": p, "quantity": app["processes"][p]}
                             for p in sorted(app["processes"])]))
        else:
            scale_table(ctx, name, app["processes"])
        return 0
    ctx.info1(f"Scaling {name} processes: " + " ".join(pos[1:]))
    lines = []
    with ctx.transaction() as st:
        app = ctx.verify_app(name, st)
        pairs = parse_process_tuples(ctx, pos[1:])
        for proc, count in pairs:
            if app["deployed"] and proc not in app["procfile"] and count != 0:
                ctx.fail(f"{proc} is not a valid process name to scale up")
        changed = {p for p, n in pairs if app["processes"].get(p) != n}
        for proc, count in pairs:
            app["processes"][proc] = count
        if app["deployed"] and not values["skip-deploy"] and changed:
            lines = deploy_lines(st, name, app, release=False, procs=changed)
            restart_containers(app, changed)
    ctx.stream(lines)
    return 0


# ------------------------------------------------------------------ lifecycle


def lifecycle_targets(ctx, command, args, extra_positional=False):
    """Parse ``[--all|<app>] [--parallel N]``; return (names, extra positional)."""
    values, pos = parse_flags(ctx, command, args, [
        Flag("all", usage="run against all apps"),
        Flag("parallel", "int", usage="number of apps to run in parallel, -1 to match cpu count")])
    if values["all"]:
        return sorted(ctx.state["apps"]), pos
    if not pos:
        ctx.fail(NO_APP)
    ctx.verify_app(pos[0])
    return [pos[0]], pos[1:]


def _not_deployed(ctx, app, name):
    if not app["deployed"]:
        ctx.warn(f"App {name} has not been deployed")
        return True
    return False


def stop_app(ctx, name):
    with ctx.transaction() as st:
        app = ctx.verify_app(name, st)
        if _not_deployed(ctx, app, name):
            return
        for c in app["containers"]:
            c["status"] = "exited"
        app["restore"] = False
    ctx.info1(f"Stopping {name}", quiet=True)
    ctx.step_sleep()


def start_app(ctx, name):
    with ctx.transaction() as st:
        app = ctx.verify_app(name, st)
        if _not_deployed(ctx, app, name):
            return
        running = store.running_state(app)
        if running == "true":
            notice = f"App {name} already running"
            lines = proxy_rebuild_lines(st, app)
        else:
            notice = ("App is running in mixed mode, releasing" if running == "mixed"
                      else "App has been detected as not running, releasing")
            lines = deploy_lines(st, name, app)
            restart_containers(app)
        app["restore"] = True
    ctx.warn(notice)
    ctx.stream(lines)


def restart_app(ctx, name, proc=None):
    with ctx.transaction() as st:
        app = ctx.verify_app(name, st)
        if _not_deployed(ctx, app, name):
            return
        config_cmds.fail_if_unreadable(ctx, app)
        procs = {proc} if proc else None
        lines = deploy_lines(st, name, app, release=False, procs=procs)
        restart_containers(app, procs)
    ctx.stream(lines)


def rebuild_app(ctx, name):
    """Build, then release and deploy (ps.go Rebuild: the receive-app trigger).

    The build runs before anything changes: a rebuild cancelled (or killed)
    while it builds leaves the running containers and release as they were.
    """
    app = ctx.verify_app(name, ctx.state)
    if _not_deployed(ctx, app, name):
        return
    config_cmds.fail_if_unreadable(ctx, app)
    ctx.stream(build_lines(name, app), setting="build_step_delay_ms")
    with ctx.transaction() as st:
        app = ctx.verify_app(name, st)
        lines = deploy_lines(st, name, app)
        restart_containers(app)
    ctx.stream(lines)


def cmd_stop(ctx, args):
    names, _ = lifecycle_targets(ctx, "ps:stop", args)
    for name in names:
        stop_app(ctx, name)
    return 0


def cmd_start(ctx, args):
    names, _ = lifecycle_targets(ctx, "ps:start", args)
    for name in names:
        start_app(ctx, name)
    return 0


def cmd_restart(ctx, args):
    values_all = "--all" in args
    names, extra = lifecycle_targets(ctx, "ps:restart", args)
    proc = extra[0] if extra else None
    if values_all and proc:
        ctx.fail("Unable to restart all apps when specifying a process name")
    for name in names:
        restart_app(ctx, name, proc)
    return 0


def cmd_rebuild(ctx, args):
    names, _ = lifecycle_targets(ctx, "ps:rebuild", args)
    for name in names:
        rebuild_app(ctx, name)
    return 0


def cmd_set(ctx, args):
    """ps:set (plugins/ps/subcommands.go CommandSet; functions.go isValidRestartPolicy)."""
    _target, prop, value = (list(args) + ["", "", ""])[:3]  # <app>|--global, key, value
    if prop == "restart-policy" and value and value not in RESTART_POLICIES \
            and not value.startswith("on-failure:"):
        ctx.fail("Invalid restart-policy specified")
    return cmd_property_set(ctx, "ps", args, PROPS, GLOBAL_PROPS)


COMMANDS = {
    "ps:report": cmd_report,
    "ps:scale": cmd_scale,
    "ps:stop": cmd_stop,
    "ps:start": cmd_start,
    "ps:restart": cmd_restart,
    "ps:rebuild": cmd_rebuild,
    "ps:set": cmd_set,
}
