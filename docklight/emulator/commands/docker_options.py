"""docker-options:* commands (Go plugin plugins/docker-options of Dokku 0.38: src/subcommands,
functions.go, dockeroptions.go, internal-functions.go, report.go).

How an option is split into words follows the emulated release: from
0.38.25 nothing is expanded (literalFields), before it variables expand to
empty and command substitutions are refused (shell.Fields); see
:func:`literal_fields`.

Since 0.38.0 options have a scope: the default one (every container) per
phase, and per process type for the deploy phase (`--process web`, given
before the app: the flag sets use SetInterspersed(false)). State: the
default scope in ``app["docker_options"][phase]``, process scopes in
``app["docker_options_process"][proc]`` (deploy only). Stored lists are
sorted and not de-duplicated, as AddDockerOptionToProcessPhases does.
"""

import shlex

from docklight.dokku.shell_syntax import OPERATORS, expansion_end

from .. import report
from ..core import Flag, go_json, parse_flags
from ..report import ReportSpec

HELP = (
    ("docker-options:add [--process <proc>...] <app> <phase(s)> OPTION", "Add Docker option to app for phase (comma-separated phase list)"),
    ("docker-options:clear [--process <proc>...] <app> [<phase(s)>...]", "Clear a docker options from application"),
    ("docker-options:list <app> [--process <proc>] --phase <phase>", "List docker options for an app, process and phase"),
    ("docker-options:remove [--process <proc>...] <app> <phase(s)> OPTION", "Remove Docker option from app for phase (comma-separated phase list)"),
    ("docker-options:report [<app>] [<flag>]", "Displays a docker options report for one or more apps"),
)

PHASES = ("build", "deploy", "run")
DEFAULT_PROCESS = "_default_"
SHELL_SPECIAL = set(" \t\n\"'$`\\*?[]<>|&;(){}!#~")


# ------------------------------------------------------------------ option strings


def quote_shell_arg(token):
    """dockeroptions.go quoteShellArg: single-quote a token the shell would interpret."""
    if token == "":
        return "''"
    if not set(token) & SHELL_SPECIAL:
        return token
    return "'" + token.replace("'", "'\\''") + "'"


NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def literal_fields(ctx, text):
    """dockeroptions.go literalFields (0.38.25+): shell words, quotes stripped, nothing expanded.

    Before 0.38.25 (dokku/dokku 1a376c362) SplitOptionString ran
    shell.Fields(input, func(string) string { return "" }) instead:
    :func:`expand_empty_environment`. Both parse with mvdan.cc/sh, whose
    WordsSeq refuses an operator outside quotes ("`;` is not a valid word").
    """
    operator = unquoted_operator(text)
    if operator is not None:
        column, token = operator
        ctx.fail(f"Unable to parse docker option: 1:{column}: `{token}` is not a valid word")
    if ctx.version < (0, 38, 25):
        text = expand_empty_environment(ctx, text)
    try:
        return shlex.split(text, posix=True)
    except ValueError as exc:
        ctx.fail(f"Unable to parse docker option: {exc}")


def unquoted_operator(text):
    """Return (column, token) of the first operator outside quotes, or None."""
    quote, i = "", 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c == "\\":
            i += 2
            continue
        elif c in "'\"":
            quote = c
        elif c == "$" and text[i + 1:i + 2] in ("(", "{"):
            i = expansion_end(text, i)
            continue
        elif c in OPERATORS:
            token = c + (text[i + 1] if text[i + 1:i + 2] and c + text[i + 1] in
                         ("&&", "||", ";;", ">>", "<<", "|&", "&>", "<>") else "")
            return i + 1, token
        i += 1
    return None


def expand_empty_environment(ctx, text):
    """Model mvdan.cc/sh shell.Fields with every variable empty (Dokku 0.38.0-0.38.24).

    Outside single quotes ``$NAME`` and ``${...}`` become empty and a command
    substitution is refused as expand's UnexpectedCommandError words it.
    Brace and tilde expansion are not modelled. Returns text for shlex to split.
    """
    out, quote, i = [], "", 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            out.append(c)
            if c == "'":
                quote = ""
            i += 1
            continue
        if c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if c in "'\"":
            quote = "" if quote == c else (quote or c)
        if c == "`" or (c == "$" and text[i + 1:i + 2] == "("):
            ctx.fail(f"Unable to parse docker option: unexpected command substitution at 1:{i + 1}")
        if c == "$" and text[i + 1:i + 2] == "{":
            i = expansion_end(text, i)
            continue
        if c == "$" and text[i + 1:i + 2] and text[i + 1] in NAME_CHARS:
            i += 1
            while i < len(text) and text[i] in NAME_CHARS:
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def split_option_string(ctx, text):
    """dockeroptions.go SplitOptionString: one stored option per flag, --process lifted out."""
    if not text.strip():
        return [], []
    groups, current = [], []
    for token in literal_fields(ctx, text):
        if len(token) > 1 and token[0] == "-" and current:  # isFlagToken
            groups.append(current)
            current = []
        current.append(token)
    if current:
        groups.append(current)
    options, processes = [], []
    for group in groups:
        head = group[0]
        if head == "--process":
            if len(group) < 2:
                ctx.fail("--process requires a value")
            if len(group) > 2:
                ctx.fail(f"--process accepts a single value, got {len(group) - 1}")
            processes.append(group[1])
        elif head.startswith("--process="):
            if len(group) > 1:
                ctx.fail("--process=value cannot be followed by additional tokens")
            processes.append(head[len("--process="):])
        else:
            options.append(" ".join(quote_shell_arg(t) for t in group))
    return options, processes


def options_equal(ctx, stored, option):
    """dockeroptions.go optionsEqual: exact, else word-by-word."""
    if stored == option:
        return True
    try:
        return shlex.split(stored) == shlex.split(option)
    except ValueError:
        return False


# ------------------------------------------------------------------ arguments


def take_processes(ctx, args):
    """Parse leading pflag StringSlice --process flags (SetInterspersed(false)); return (procs, rest)."""
    processes, i = [], 0
    while i < len(args) and args[i].startswith("-"):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg == "--process":
            if i + 1 >= len(args):
                ctx.fail("flag needs an argument: --process", 2)
            processes += args[i + 1].split(",")
            i += 2
        elif arg.startswith("--process="):
            processes += arg[len("--process="):].split(",")
            i += 1
        else:
            break
    return processes, args[i:]


def parse_phases(ctx, text):
    """internal-functions.go parsePhases ("" means none)."""
    if text == "":
        return []
    phases = text.split(",")
    if any(p not in PHASES for p in phases):
        ctx.fail(f"Phase(s) must be one of [{' '.join(PHASES)}]")
    return phases


def validate_process_flag(ctx, processes, phases):
    """internal-functions.go ValidateProcessFlag."""
    if not processes:
        return
    for proc in processes:
        if proc == "":
            ctx.fail("--process value must not be empty")
        if proc == DEFAULT_PROCESS:
            ctx.fail(f'"{DEFAULT_PROCESS}" is reserved and cannot be used as a --process value')
    for phase in phases:
        if phase != "deploy":
            ctx.fail(f'--process is only supported for the deploy phase, got "{phase}"')


def dedupe(items):
    """functions.go dedupeProcesses."""
    return list(dict.fromkeys(items))


def scope(app, proc, phase):
    """Return the stored list of one (process, phase) scope, creating it."""
    if proc == DEFAULT_PROCESS:
        return app["docker_options"].setdefault(phase, [])
    return app.setdefault("docker_options_process", {}).setdefault(proc, [])


# ------------------------------------------------------------------ commands


def _change(ctx, args, adding):
    """functions.go CommandAdd / CommandRemove."""
    processes, pos = take_processes(ctx, args)
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    phases = parse_phases(ctx, pos[1] if len(pos) > 1 else "")
    options, lifted = split_option_string(ctx, " ".join(pos[2:]))
    if not options:
        ctx.fail("Please specify docker options to " + ("add to the phase" if adding else "remove from the phase"))
    processes = dedupe(processes + lifted)
    validate_process_flag(ctx, processes, phases)
    with ctx.transaction() as st:
        app = st["apps"][name]
        for proc in processes or [DEFAULT_PROCESS]:
            for phase in phases:
                current = scope(app, proc, phase)
                for option in options:
                    if adding:
                        current.append(option)
                    else:
                        current[:] = [o for o in current if not options_equal(ctx, o, option)]
                current.sort()
        for proc in list(app.get("docker_options_process", {})):
            if not app["docker_options_process"][proc]:
                del app["docker_options_process"][proc]
    return 0


def cmd_add(ctx, args):
    """docker-options:add (functions.go CommandAdd)."""
    return _change(ctx, args, True)


def cmd_remove(ctx, args):
    """docker-options:remove (functions.go CommandRemove)."""
    return _change(ctx, args, False)


def cmd_clear(ctx, args):
    """docker-options:clear (functions.go CommandClear, clearDefaultScope).

    Without --process only the default scope is cleared; per-process
    options stay. With --process the named scopes' deploy options go.
    """
    processes, pos = take_processes(ctx, args)
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    phases_arg = pos[1] if len(pos) > 1 else ""
    with ctx.transaction() as st:
        app = st["apps"][name]
        if not processes:
            if phases_arg == "":
                ctx.info1(f"Clearing docker-options for {name} on all phases")
                phases = list(PHASES)
            else:
                phases = parse_phases(ctx, phases_arg)
                for phase in phases:
                    ctx.info1(f"Clearing docker-options for {name} on phase {phase}")
            for phase in phases:
                app["docker_options"][phase] = []
            return 0
        phases = parse_phases(ctx, phases_arg) or ["deploy"]
        validate_process_flag(ctx, processes, phases)
        for proc in processes:
            for phase in phases:
                ctx.info1(f"Clearing docker-options for {name} on phase {phase} for process {proc}")
                app.setdefault("docker_options_process", {}).pop(proc, None)
    return 0


def cmd_list(ctx, args):
    """docker-options:list (functions.go CommandList)."""
    values, pos = parse_flags(ctx, "docker-options:list", args,
                              [Flag("process", "string"), Flag("phase", "string")])
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    phase, proc = values["phase"], values["process"]
    if phase == "":
        ctx.fail("--phase is required")
    if phase not in PHASES:
        ctx.fail(f"Phase must be one of [{' '.join(PHASES)}]")
    if proc:
        if proc == DEFAULT_PROCESS:
            ctx.fail(f'"{DEFAULT_PROCESS}" is reserved and cannot be used as a --process value')
        if phase != "deploy":
            ctx.fail(f'--process is only supported for the deploy phase, got "{phase}"')
        ctx.lines(list(app.get("docker_options_process", {}).get(proc, [])))
    else:
        ctx.lines(list(app["docker_options"][phase]))
    return 0


def report_flags(ctx, st, name, app, info):
    """report.go ReportSingleApp: one key per phase plus deploy.<proc> per process scope."""
    flags = {f"--docker-options-{phase}": " ".join(app["docker_options"][phase]) for phase in PHASES}
    for proc, options in sorted(app.get("docker_options_process", {}).items()):
        flags[f"--docker-options-deploy.{proc}"] = " ".join(options)
    return flags


SPEC = ReportSpec("docker-options", "docker-options", report_flags, legacy=True, global_keys=())


def cmd_report(ctx, args):
    """docker-options:report (functions.go CommandReport, report.go ReportSingleApp and buildJSONReportData).

    JSON adds `<phase>-list` and `deploy.<proc>-list` arrays next to the
    joined strings.
    """
    positional, infos, fmt = report.parse_report_args(ctx, SPEC, args)
    if fmt != "json" or infos or not positional or positional[0] == "--global":
        return report.run(ctx, SPEC, args)
    name = positional[0]
    app = ctx.verify_app(name)
    data = report.json_keys(SPEC, report_flags(ctx, ctx.state, name, app, ""))
    for phase in PHASES:
        data[f"{phase}-list"] = list(app["docker_options"][phase])
    for proc, options in app.get("docker_options_process", {}).items():
        data[f"deploy.{proc}-list"] = list(options)
    ctx.out(go_json(data))
    return 0


COMMANDS = {
    "docker-options:report": cmd_report,
    "docker-options:add": cmd_add,
    "docker-options:remove": cmd_remove,
    "docker-options:clear": cmd_clear,
    "docker-options:list": cmd_list,
}
