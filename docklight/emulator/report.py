"""The standard ``<plugin>:report`` machinery of the Go plugins.

Follows plugins/common/common.go ParseReportArgs (argument split), ReportSingleApp
(block, single value and JSON output) and each plugin's report.go flag map.
"""

import functools

from .core import INFO2, VERBOSE, Flag, go_json, parse_flags
from . import state as store

NO_APPS = "You haven't deployed any applications yet"


class ReportSpec:
    """How one plugin's report looks.

    *flags* is ``fn(ctx, state, name, app, info_flag) -> {"--flag": "value"}``;
    for ``--global`` it is called with ``name="--global"`` and a blank app and only
    the ``global``/``computed`` flags are kept, or exactly *global_keys* when the
    plugin's report.go lists its own ``--global`` flag map.
    """

    def __init__(self, plugin, rtype, flags, *, legacy, trim=True, uppercase=True,
                 json_since=(0, 23, 1), skip_empty=False, bash_names=False, global_keys=None):
        self.plugin = plugin
        self.rtype = rtype
        self.flags = flags
        self.legacy = legacy
        self.trim = trim
        self.uppercase = uppercase
        self.json_since = json_since
        self.skip_empty = skip_empty
        self.bash_names = bash_names
        self.global_keys = global_keys


@functools.lru_cache(maxsize=1024)  # a report repeats its few dozen flags for every app
def label(flag, uppercase=True):
    """Turn ``--ps-restart-policy`` into ``Ps restart policy``."""
    text = flag[2:].replace("-", " ").replace(".", " ")
    return text[:1].upper() + text[1:] if uppercase else text


def block_lines(flags, uppercase=True):
    """Return the padded ``Label: value`` lines, keys in byte order."""
    width = max([31] + [len(k) for k in flags])
    return [VERBOSE + (label(k, uppercase) + ":").ljust(width) + flags[k] for k in sorted(flags)]


def json_keys(spec, flags):
    """Map flags to JSON keys: prefix trimmed, plus the legacy key when emitted."""
    data = {}
    prefix = f"--{spec.rtype}-"
    for key, value in flags.items():
        if spec.trim and key.startswith(prefix):
            data[key[len(prefix):]] = value
            if spec.legacy:
                data[key[2:]] = value
        else:
            data[key[2:]] = value
    return data


def report_flagset(ctx):
    """Return the Go flag set a report subcommand parses its leftovers with."""
    flags = [Flag("format", "string", default="stdout", usage="format: [ stdout | json ]")]
    if ctx.version >= (0, 38, 0):
        flags.append(Flag("global", usage="show the global report"))
    return flags


def parse_report_args(ctx, spec, args):
    """Split args like plugins/common/common.go ParseReportArgs; return (names, info_flags, format)."""
    json_ok = ctx.version >= spec.json_since
    global_ok = ctx.version >= (0, 38, 0)
    command = f"{spec.plugin}:report"
    fmt, infos, positional = "stdout", [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--format" and json_ok:
            if i + 1 >= len(args):
                parse_flags(ctx, command, [arg], report_flagset(ctx))
            fmt = args[i + 1]
            i += 2
            continue
        if arg == "--global" and global_ok:
            positional.append(arg)
        elif arg.startswith("--"):
            infos.append(arg)
        else:
            positional.append(arg)
        i += 1
    # What is left goes through a Go flag set that only knows --format/--global.
    parse_flags(ctx, command, [p for p in positional if p != "--global"], report_flagset(ctx))
    return positional, infos, fmt


def global_flags(ctx, spec, st):
    """Return the global/computed flags of *spec* computed for a blank app."""
    blank = store.make_app("--global", deployed=False, domains=[])
    flags = spec.flags(ctx, st, "--global", blank, "")
    if spec.global_keys is not None:
        return {k: v for k, v in flags.items() if k in spec.global_keys}
    return {k: v for k, v in flags.items() if "-global-" in k or "-computed-" in k}


def run(ctx, spec, args):
    """Run a standard report command (the plugin's CommandReport loop over apps)."""
    positional, infos, fmt = parse_report_args(ctx, spec, args)
    if len(infos) > 1:
        return 0  # the Go subcommand drops this parse error and prints nothing
    info = infos[0] if infos else ""
    st = ctx.state
    if positional:
        names = [positional[0]]
    else:
        names = sorted(st["apps"])
        if not names:
            ctx.warn(NO_APPS)
            return 0
    for name in names:
        render_one(ctx, spec, st, name, info, fmt)
    return 0


def render_one(ctx, spec, st, name, info, fmt):
    """Print one app's report (plugins/common/common.go ReportSingleApp and its Validate)."""
    if name == "--global":
        flags = global_flags(ctx, spec, st)
    else:
        app = ctx.verify_app_bash(name, st) if spec.bash_names else ctx.verify_app(name, st)
        flags = spec.flags(ctx, st, name, app, info)
        if spec.skip_empty and not flags:
            return
    if fmt not in ("stdout", "json"):
        ctx.fail(f'Format must be "stdout" or "json": "{fmt}"')
    if fmt == "json" and info:
        ctx.fail("--format flag cannot be specified when specifying an info flag")
    if fmt == "json":
        ctx.out(go_json(json_keys(spec, flags)))
    elif info:
        if info not in flags:
            ctx.fail("Invalid flag passed, valid flags: " + ", ".join(sorted(flags)))
        ctx.out(flags[info])
    else:
        if not ctx.quiet:
            ctx.out(f"{INFO2}{name} {spec.rtype} information")
        ctx.lines(block_lines(flags, spec.uppercase))


def triple(prefix, prop, app_value, global_value, default=""):
    """Return the app/global/computed flags of one property."""
    computed = app_value or global_value or default
    return {
        f"--{prefix}-{prop}": app_value,
        f"--{prefix}-global-{prop}": global_value,
        f"--{prefix}-computed-{prop}": computed,
    }


def global_prop(st, plugin, prop, default=""):
    """Return a ``:set --global`` property value."""
    return st["global"].get("props", {}).get(plugin, {}).get(prop, default)

