"""docker-options:* commands (Go plugin `docker-options`)."""

from .. import report
from ..core import parse_flags
from ..report import ReportSpec

HELP = (
    ("docker-options:add <app> <phase(s)> OPTION", "Add Docker option to app for phase (comma-separated phase list)"),
    ("docker-options:clear <app> [<phase(s)>...]", "Clear a docker options from application"),
    ("docker-options:remove <app> <phase(s)> OPTION", "Remove Docker option from app for phase (comma-separated phase list)"),
    ("docker-options:report [<app>] [<flag>]", "Displays a docker options report for one or more apps"),
)

PHASES = ("build", "deploy", "run")


def report_flags(ctx, st, name, app, info):
    return {f"--docker-options-{phase}": " ".join(app["docker_options"][phase]) for phase in PHASES}


SPEC = ReportSpec("docker-options", "docker-options", report_flags, legacy=True)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def _phases(ctx, text):
    phases = [p for p in text.split(",") if p]
    for phase in phases:
        if phase not in PHASES:
            ctx.fail(f"Phase must be one of [{' '.join(PHASES)}]")
    if not phases:
        ctx.fail("Please specify phase(s) (comma-separated list of build, deploy, run)")
    return phases


def _change(ctx, command, args, change):
    # Options look like flags (`-v`, `--restart`), so they are taken verbatim.
    name = args[0] if args else ""
    ctx.verify_app(name)
    phases = _phases(ctx, args[1] if len(args) > 1 else "")
    option = " ".join(args[2:])
    if not option:
        ctx.fail("Please specify docker options to add to the phase")
    with ctx.transaction() as st:
        options = st["apps"][name]["docker_options"]
        for phase in phases:
            options[phase] = change(options[phase], option)
    return 0


def cmd_add(ctx, args):
    return _change(ctx, "docker-options:add", args,
                   lambda current, option: current if option in current else current + [option])


def cmd_remove(ctx, args):
    return _change(ctx, "docker-options:remove", args,
                   lambda current, option: [o for o in current if o != option])


def cmd_clear(ctx, args):
    _, pos = parse_flags(ctx, "docker-options:clear", args)
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    phases = _phases(ctx, pos[1]) if len(pos) > 1 else list(PHASES)
    with ctx.transaction() as st:
        for phase in phases:
            st["apps"][name]["docker_options"][phase] = []
    for phase in phases:
        ctx.out(f"-----> Clearing docker-options for {phase} phase")
    return 0


COMMANDS = {
    "docker-options:report": cmd_report,
    "docker-options:add": cmd_add,
    "docker-options:remove": cmd_remove,
    "docker-options:clear": cmd_clear,
}
