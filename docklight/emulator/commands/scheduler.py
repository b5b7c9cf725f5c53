"""scheduler:* commands (Go plugin plugins/scheduler: subcommands.go, report.go, scheduler.go).

Docklight reads the app's scheduler to know which resource settings take
effect: docker-local applies only memory reservations (plugins/resource
triggers.go TriggerDockerArgsProcessDeploy), k3s applies CPU ones too.
"""

from .. import report
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop

HELP = (
    ("scheduler:report [<app>] [<flag>]", "Displays a scheduler report for one or more apps"),
    ("scheduler:set <app> <property> (<value>)", "Set or clear a scheduler property for an app"),
)

# scheduler.go DefaultProperties / GlobalProperties.
PROPERTIES = ("selected", "shell")
PROPS = {p: ("scheduler", p) for p in PROPERTIES}
GLOBAL_KEYS = ("--scheduler-computed-selected", "--scheduler-global-selected",
               "--scheduler-computed-shell", "--scheduler-global-shell")


def report_flags(ctx, st, name, app, info):
    """Return the report.go ReportSingleApp flags.

    reportComputedSelected falls back to the global value, then to
    docker-local; reportComputedShell has no default.
    """
    own = app.get("scheduler", {})
    selected, shell = own.get("selected", ""), own.get("shell", "")
    global_selected = global_prop(st, "scheduler", "selected")
    global_shell = global_prop(st, "scheduler", "shell")
    return {
        "--scheduler-computed-selected": selected or global_selected or "docker-local",
        "--scheduler-global-selected": global_selected,
        "--scheduler-selected": selected,
        "--scheduler-computed-shell": shell or global_shell,
        "--scheduler-global-shell": global_shell,
        "--scheduler-shell": shell,
    }


SPEC = ReportSpec("scheduler", "scheduler", report_flags, legacy=True, global_keys=GLOBAL_KEYS)


def cmd_report(ctx, args):
    """scheduler:report (plugins/scheduler/subcommands.go CommandReport, report.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    """scheduler:set (plugins/scheduler/subcommands.go CommandSet -> common.CommandPropertySet)."""
    return cmd_property_set(ctx, "scheduler", args, PROPS, PROPERTIES)


COMMANDS = {"scheduler:report": cmd_report, "scheduler:set": cmd_set}
