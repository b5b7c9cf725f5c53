"""checks:* commands (plugins/checks: bash subcommands disable/enable/skip/run, Go report.go)."""

from .. import report
from ..core import parse_flags
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
    """checks:report values (plugins/checks/report.go ReportSingleApp and its report* funcs).

    reportGlobalWaitToRetire is a plain PropertyGet (empty while unset); only
    the computed value falls back to 60.
    """
    checks = app["checks"]
    flags = {
        "--checks-disabled-list": ",".join(checks["disabled"]) or "none",
        "--checks-skipped-list": ",".join(checks["skipped"]) or "none",
    }
    flags.update(triple("checks", "wait-to-retire", checks["wait_to_retire"],
                        global_prop(st, "checks", "wait-to-retire"), "60"))
    return flags


SPEC = ReportSpec("checks", "checks", report_flags, legacy=False,
                  global_keys=("--checks-computed-wait-to-retire", "--checks-global-wait-to-retire"))


def cmd_report(ctx, args):
    """checks:report (plugins/checks/subcommands.go CommandReport)."""
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    """checks:set (plugins/checks/subcommands/set: fn-plugin-property-write via CommandPropertySet rules)."""
    return cmd_property_set(ctx, "checks", args, PROPS, tuple(PROPS))


# The list helpers of plugins/common/functions, kept as the string operations they are:
# remove_val_from_list deletes every *substring* equal to the value, so removing
# "worker" from "urgentworker" leaves "urgent", exactly as on a real host.


def remove_val_from_list(value, text):
    """plugins/common/functions remove_val_from_list (comma delimiter)."""
    text = text.replace(value, "").replace(",,", ",")
    text = text[1:] if text.startswith(",") else text
    return text[:-1] if text.endswith(",") else text


def add_val_to_list(value, text):
    """plugins/common/functions add_val_to_list: always appends ``,value``."""
    return f"{text},{value}"


def is_val_in_list(value, text):
    """plugins/common/functions is_val_in_list: an exact match of one comma-split word."""
    return value in [word for word in text.split(",") if word]


def _words(text):
    """Return the stored list for a property value (empty value: property deleted)."""
    return text.split(",") if text else []


def _app_and_proctypes(ctx, command, args):
    """Return (app, process types) as every plugins/checks subcommand declares them.

    ``declare APP="$1" PROCTYPES="${2:-_all_}"``: no process type (or an empty
    one) means every process type.
    """
    _, pos = parse_flags(ctx, command, args)
    name = pos[0] if pos else ""
    return name, (pos[1] if len(pos) > 1 and pos[1] else "_all_")


def _mark(mark, clear):
    """Return the list change of checks:disable and checks:skip (plugins/checks/subcommands/disable, skip).

    Each process type is added to *mark* and taken out of *clear*; with no
    process type *mark* becomes ``_all_`` and *clear* is emptied.
    """

    def change(checks, proctypes):
        marked, cleared = ",".join(checks[mark]), ",".join(checks[clear])
        if proctypes == "_all_":
            marked, cleared = "_all_", ""
        else:
            for proctype in [p for p in proctypes.split(",") if p]:
                if not is_val_in_list(proctype, marked):
                    marked = add_val_to_list(proctype, marked)
                if is_val_in_list(proctype, cleared):
                    cleared = remove_val_from_list(proctype, cleared)
            marked = remove_val_from_list("_all_", marked)
        checks[mark], checks[clear] = _words(marked), _words(cleared)

    return change


def _unmark(checks, proctypes):
    """The list change of checks:enable (plugins/checks/subcommands/enable).

    Each process type is taken out of both lists with remove_val_from_list;
    with no process type both properties are deleted.
    """
    if proctypes == "_all_":
        checks["disabled"], checks["skipped"] = [], []
        return
    disabled, skipped = ",".join(checks["disabled"]), ",".join(checks["skipped"])
    for proctype in proctypes.split(","):
        disabled = remove_val_from_list(proctype, disabled)
        skipped = remove_val_from_list(proctype, skipped)
    checks["disabled"], checks["skipped"] = _words(disabled), _words(skipped)


def _change(ctx, command, args, change, doing, whole_app="app"):
    """The shared body of checks:disable, checks:enable and checks:skip.

    Applies *change* to the app's lists, then says what it did as the bash
    subcommand does: "<doing> zero downtime for <whole_app> (APP)" for every
    process type, else "... for app's (APP) proctypes (PROCTYPES)".
    """
    name, proctypes = _app_and_proctypes(ctx, command, args)
    with ctx.transaction() as st:
        change(ctx.verify_app_bash(name, st)["checks"], proctypes)
    if proctypes == "_all_":
        ctx.info1(f"{doing} zero downtime for {whole_app} ({name})")
    else:
        ctx.info1(f"{doing} zero downtime for app's ({name}) proctypes ({proctypes})")
    return 0


def cmd_disable(ctx, args):
    """checks:disable (plugins/checks/subcommands/disable cmd-checks-disable)."""
    return _change(ctx, "checks:disable", args, _mark("disabled", "skipped"), "Disabling")


def cmd_skip(ctx, args):
    """checks:skip (plugins/checks/subcommands/skip cmd-checks-skip)."""
    return _change(ctx, "checks:skip", args, _mark("skipped", "disabled"), "Skipping")


def cmd_enable(ctx, args):
    """checks:enable (plugins/checks/subcommands/enable cmd-checks-enable).

    Its whole-app message says "app's" too, as the bash one does.
    """
    return _change(ctx, "checks:enable", args, _unmark, "Enabling", whole_app="app's")


def _listed(value, words):
    """is_app_proctype_checks_disabled / _skipped (plugins/checks/functions)."""
    return words == ["_all_"] or is_val_in_list(value, ",".join(words))


def _check_process(ctx, name, app, proctype, index):
    """check_process of plugins/checks/subcommands/run, then the check-deploy trigger.

    The trigger (plugins/scheduler-docker-local/check-deploy) is called with five
    arguments, so its CONTAINER_INDEX is empty and its messages end in "(web.)".
    The healthchecker's own output is not modelled.
    """
    if not any(c["proc"] == proctype and str(c["index"]) == str(index) for c in app["containers"]):
        ctx.fail(f"Invalid container index specified ({name}.{proctype}.{index})")
    ctx.info1(f"Running checks for app ({name}.{proctype}.{index})")
    if _listed(proctype, app["checks"]["skipped"]):
        ctx.info2(f"Zero downtime checks have been skipped ({proctype}.)", quiet=True)
        return
    ctx.verbose(f"All checks successful ({proctype}.)")


def _check_all_processes(ctx, name, app, wanted=""):
    """check_all_processes of plugins/checks/subcommands/run, over ps-current-scale."""
    found = False
    for proctype, count in sorted(app["processes"].items()):
        if wanted and wanted != proctype:
            continue
        found = True
        if _listed(proctype, app["checks"]["disabled"]):
            ctx.info1(f"Zero downtime is disabled for app ({name}.{proctype}). Skipping checks")
            continue
        for index in range(1, int(count) + 1):
            _check_process(ctx, name, app, proctype, index)
    if not found:
        ctx.fail(f"Invalid process type specified ({name}.{wanted})")


def cmd_run(ctx, args):
    """checks:run (plugins/checks/subcommands/run cmd-checks-run).

    ``web`` checks every container of the process type (unless its checks are
    disabled), ``web.2`` that one container; an unknown process type or a
    container that does not exist (an app never deployed has none) fails.
    """
    name, proctypes = _app_and_proctypes(ctx, "checks:run", args)
    app = ctx.verify_app_bash(name)
    ctx.info1("Running pre-flight checks")
    if proctypes == "_all_":
        _check_all_processes(ctx, name, app)
        return 0
    for item in proctypes.split(","):
        parts = item.split(".")  # cut -d'.' -f1 and cut -d'.' -f2 -s
        proctype, index = parts[0], (parts[1] if len(parts) > 1 else "")
        if index:
            _check_process(ctx, name, app, proctype, index)
        else:
            _check_all_processes(ctx, name, app, proctype)
    return 0


COMMANDS = {
    "checks:report": cmd_report,
    "checks:set": cmd_set,
    "checks:disable": cmd_disable,
    "checks:enable": cmd_enable,
    "checks:skip": cmd_skip,
    "checks:run": cmd_run,
}
