"""Entry point: argv handling, argv.log, signals, dispatch, version and help."""

import importlib
import json
import os
import signal
import sys
import time

from . import state as store
from .core import CommandExit, Ctx, Terminated, env_home
from .splitting import (outer_global_flags, parse_global_flags, shell_words,
                        split_ssh_original_command_ex)

# Core plugin name -> module under docklight.emulator.commands.
CORE_MODULES = {
    "apps": "apps", "ps": "ps", "config": "config", "domains": "domains",
    "ports": "proxy", "proxy": "proxy", "git": "git", "builder": "builder",
    "buildpacks": "builder", "checks": "checks", "storage": "storage",
    "resource": "resource", "network": "network", "docker-options": "docker_options",
    "logs": "logs", "plugin": "plugin", "ssh-keys": "plugin", "certs": "certs",
    "report": "standard", "cleanup": "standard", "repo": "repo",
    "scheduler": "scheduler",
}
COMMUNITY_MODULES = {"letsencrypt": "letsencrypt"}
ROOT_FREE_PLUGIN_COMMANDS = {"plugin:list", "plugin:help"}  # the `dokku` script root check
ROOT_ONLY = {"ssh-keys:add", "ssh-keys:remove"}
SIGNALS = {signal.SIGHUP: "SIGHUP", signal.SIGTERM: "SIGTERM", signal.SIGPIPE: "SIGPIPE",
           signal.SIGINT: "SIGINT"}

# `dokku help` summary lines. Bash plugins print their plugin_description
# (plugins/<p>/help-functions cmd-<p>-help); Go plugins print a fixed line
# from the "help" case of plugins/<p>/src/commands/commands.go main.
HELP_TOPICS = (
    ("apps", "Manage apps"),
    ("builder", "Manage builder settings for an app"),
    ("buildpacks", "Manage buildpack settings for an app"),
    ("certs", "Manage SSL (TLS) certs"),
    ("checks", "Manage zero-downtime settings"),
    ("cleanup", "Cleans up exited/dead Docker containers and removes dangling images"),
    ("config", "Manage global and app-specific config vars"),
    ("docker-options", "Manage docker options for an app"),
    ("domains", "Manage domains used by the proxy"),
    ("git", "Manage app deploys via git"),
    ("logs", "Manage log integration for an app"),
    ("network", "Manage network settings for an app"),
    ("plugin", "Manage installed plugins"),
    ("ports", "Manage ports for an app"),
    ("proxy", "Manage the proxy integration for an app"),
    ("ps", "Manage app processes"),
    ("repo", "Manage the app's repo"),
    ("resource", "Manage resource settings for an app"),
    ("scheduler", "Manage scheduler settings for an app"),
    ("ssh-keys", "Manage public ssh keys used for deployment"),
    ("storage", "Manage mounted volumes"),
    ("version", "Print dokku's version"),
)

# Where a Go plugin's own `<p>:help` header (helpHeader in
# plugins/<p>/src/commands/commands.go) says something else than its summary.
OWN_HELP_DESCRIPTIONS = {
    "buildpacks": "Manage buildpacks settings for an app",
}


# ------------------------------------------------------------------ argv.log


def log_event(home, **event):
    """Append one JSON event to argv.log with a single O_APPEND write."""
    event = {"ts": time.time(), "pid": os.getpid(), **event}
    store.append_line(os.path.join(home, "argv.log"), json.dumps(event))


def _on_signal(signum, _frame):
    raise Terminated(SIGNALS.get(signum, str(signum)), 128 + signum)


def install_signal_handlers():
    """Turn SIGHUP/SIGTERM/SIGPIPE/SIGINT into a Terminated exception."""
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)


def silence_signals():
    """Ignore further signals while the end event is written."""
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def detach_stdout():
    """Point stdout/stderr at /dev/null so a final flush cannot fail noisily."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)


# ------------------------------------------------------------------ main


def main(argv=None):
    """Run one emulated ``dokku`` invocation and return its exit code."""
    install_signal_handlers()
    home = env_home()
    if home is None:
        sys.stderr.write("DOKKU_EMULATOR_HOME must name an existing directory\n")
        return 1
    ssh_command = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    xargs_error = None
    outer = None
    if ssh_command:
        # The first `dokku` run got the forced command's shell split of the
        # line (quotes still inside the words) and ran parse_args over it.
        words = list(sys.argv[1:] if argv is None else argv) or shell_words(ssh_command)
        outer = outer_global_flags(words)
        args, xargs_error = split_ssh_original_command_ex(ssh_command)
    else:
        args = list(sys.argv[1:] if argv is None else argv)
    root = os.environ.get("DOKKU_EMULATOR_ROOT") == "1"
    code, reason = 1, "exit"
    try:
        log_event(home, event="start", argv=args, root=root)
        if xargs_error:
            sys.stderr.write(xargs_error + "\n")
            sys.stderr.flush()
        code = run(home, args, root, outer)
    except Terminated as exc:
        code, reason = exc.code, exc.reason
    except CommandExit as exc:
        code = exc.code
    except Exception:  # an emulator bug: show it, but still log the end
        import traceback  # only here: its imports are a tenth of a start-up

        traceback.print_exc()
        code = 1
    finally:
        silence_signals()
        log_event(home, event="end", exit=code, reason=reason)
    if reason != "exit":
        detach_stdout()
    return code


def run(home, args, root, outer=None):
    """Apply settings and global flags, then dispatch *args*.

    *outer* is what the first ``dokku`` run's parse_args exported (see
    splitting.outer_global_flags). A DOKKU_APP_NAME set only there is put
    after the subcommand of a core plugin, as the dokku script's
    execute_dokku_cmd does (``set -- "$DOKKU_APP_NAME" "$@"``).
    """
    settings = store.read_settings(home)
    delay = float(settings.get("delay_ms") or 0) / 1000.0
    if delay > 0:
        # The delay stands for Dokku's latency, which holds a real Dokku's own
        # start-up (bash, plugn, Go). So it counts from this process's start:
        # Python's start-up and the handler's imports happen inside it, not
        # on top of it, where three calls at once would add their start-ups'
        # CPU to what the benchmarks time. State is still read after it.
        core = CORE_MODULES.get(args[0].partition(":")[0]) if args else None
        if core is not None:
            importlib.import_module(f"docklight.emulator.commands.{core}")
        time.sleep(max(0.0, delay - seconds_since_start()))
    opts, rest = parse_global_flags(args, outer)
    if outer is not None and outer.app is not None and "--app" not in args and rest \
            and rest[0].partition(":")[0] in CORE_MODULES:
        rest = [rest[0], outer.app] + rest[1:]
    ctx = Ctx(home, opts=opts, root=root, settings=settings)
    if args and args[0] in ("-v", "--version"):
        rest = ["version"]
    failure = injected_failure(settings, rest)
    if failure is not None:
        return failure_output(ctx, failure)
    try:
        return dispatch(ctx, rest) or 0
    except CommandExit as exc:
        return exc.code


def seconds_since_start():
    """Return how long ago this process started (Linux /proc, 10 ms steps; else 0)."""
    try:
        with open("/proc/self/stat") as fh:
            # Field 22, starttime, in clock ticks after boot; the name in
            # field 2 may hold spaces, so count from its closing parenthesis.
            start_ticks = int(fh.read().rpartition(")")[2].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))


def injected_failure(settings, args):
    """Return the failure settings.json's ``fail`` map sets for *args*, if any.

    Keys are a command name (``"ps:report"``) or a whole command line
    (``"ps:report my-app"``); values are ``[exit_code, stderr]`` or
    ``[exit_code, stderr, stdout]``. Lets tests show what a broken Dokku does.
    """
    table = settings.get("fail") or {}
    if not args or not isinstance(table, dict):
        return None
    return table.get(" ".join(args), table.get(args[0]))


def failure_output(ctx, failure):
    """Print an injected failure and return its exit code."""
    code, stderr, stdout = (list(failure) + ["", ""])[:3]
    if stdout:
        ctx.write(stdout if stdout.endswith("\n") else stdout + "\n")
    if stderr:
        ctx.err_write(stderr if stderr.endswith("\n") else stderr + "\n")
    return int(code)


def dispatch(ctx, args):
    """Find and run the handler of ``args[0]``."""
    if not args or args[0] in ("help", ""):
        return show_help(ctx)
    command = args[0]
    if command == "version":
        ctx.out(f"dokku version {ctx.version_text}")
        return 0
    if (command.startswith("plugin:") and command not in ROOT_FREE_PLUGIN_COMMANDS) or command in ROOT_ONLY:
        if not ctx.root:
            ctx.fail("This command must be run as root")
    plugin, _, sub = command.partition(":")
    module = find_module(ctx, plugin)
    if module is None:
        return unknown_command(ctx, args)
    if command.endswith(":"):
        return unknown_command(ctx, args)  # `apps:` is not a command
    if sub == "help" and hasattr(module, "own_help"):
        return module.own_help(ctx, plugin)
    if sub == "help" or (not sub and plugin not in getattr(module, "BARE", {})):
        return plugin_help(ctx, plugin, module)
    if hasattr(module, "dispatch"):
        result = module.dispatch(ctx, plugin, sub, args[1:])
        return unknown_command(ctx, args) if result is NotImplemented else result
    name = getattr(module, "BARE", {}).get(plugin) if not sub else command
    handler = module.COMMANDS.get(name)
    if handler is None:
        return unknown_command(ctx, args)
    return handler(ctx, args[1:])


def find_module(ctx, plugin):
    """Return the module implementing *plugin*, or None if it is not installed."""
    name = CORE_MODULES.get(plugin)
    if name is None and plugin in COMMUNITY_MODULES and ctx.is_plugin_enabled(plugin):
        name = COMMUNITY_MODULES[plugin]
    if name is None and plugin in store.DATASTORES and ctx.is_plugin_enabled(plugin):
        name = "datastores"
    if name is None:
        return None
    return importlib.import_module(f"docklight.emulator.commands.{name}")


def unknown_command(ctx, args):
    """Print Dokku's 'is not a dokku command' error."""
    ctx.warn(f"`{' '.join(args)}` is not a dokku command.")
    ctx.warn("See `dokku help` for a list of available commands.")
    return 1


def show_help(ctx):
    """Print the short `dokku help` output."""
    lines = [
        "Usage: dokku [--quiet|--trace|--force] COMMAND <app> [command-specific-options]",
        "",
        'Primary help options, type "dokku COMMAND:help" for more details, or dokku help --all to see all commands.',
        "",
        "Commands:",
        "",
    ]
    lines += [f"    {name:<25}{desc}" for name, desc in HELP_TOPICS]
    community = [p["name"] for p in ctx.state["plugins"] if not p["core"] and p["enabled"]]
    if community:
        lines += ["", "Community plugin commands:", ""]
        lines += [f"    {name:<25}Manage the {name} integration" for name in sorted(community)]
    ctx.lines(lines)
    return 0


def plugin_help(ctx, plugin, module):
    """Print ``<plugin>:help`` (help-functions cmd-<p>-help; common.go CommandUsage)."""
    entries = [(u, d) for u, d in getattr(module, "HELP", ()) if u.startswith(plugin + ":")]
    if plugin in store.DATASTORES:
        entries = module.help_entries(plugin)
    desc = OWN_HELP_DESCRIPTIONS.get(plugin) or dict(HELP_TOPICS).get(plugin, f"Manage {plugin}")
    width = max([len(u) for u, _ in entries] + [0]) + 2
    lines = [f"Usage: dokku {plugin}[:COMMAND]", "", desc, "", "Additional commands:"]
    lines += [f"    {u:<{width}}{d}" for u, d in entries]
    ctx.lines(lines)
    return 0
