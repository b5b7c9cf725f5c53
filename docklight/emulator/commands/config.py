"""config:* commands, following Dokku's Go plugin `config` (plugins/config).

Storage follows plugins/config/environment.go: every change is written as the
file ``godotenv.Write`` leaves (``app["env_file"]``, docklight.dokku.envfile
``write_text``) and every command reads that file back with godotenv's parser
(``loadFromFile``). ``app["config"]`` holds what that read gives, for the
other emulated plugins; when the file no longer parses (a value that ended in
a backslash), ``app["config_error"]`` keeps godotenv's message and every
config command that loads the file fails with it, as on Dokku.
"""

import base64
import binascii
import re

from docklight.dokku import envfile

from ..core import INFO1, NO_APP, Flag, columnize, go_json, parse_flags, shell_quote
from ..deploy import deploy_lines, restart_containers

HELP = (
    ("config:clear [--global|<app>]", "Clears environment variables"),
    ("config:export [--format=FORMAT] [--merged] [--global|<app>]", "Export a global or app environment"),
    ("config:get [--global|<app>] KEY", "Display a global or app-specific config value"),
    ("config:keys [--global|<app>] [--merged]", "Show keys set in environment"),
    ("config:set [--encoded] [--no-restart] [--global|<app>] KEY1=VALUE1 [KEY2=VALUE2 ...]", "Set one or more config vars"),
    ("config:show [--global|<app>] [--merged]", "Display global or app-specific config vars"),
    ("config:unset [--no-restart] [--global|<app>] KEY1 [KEY2 ...]", "Unset one or more config values"),
)

BARE = {"config": "config"}
KEY_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # config.go validateKey
EXPORT_FORMATS = ("exports", "envfile", "docker-args", "docker-args-keys", "shell", "pretty",
                  "json", "json-list", "pack-keys")


def _flags(*names):
    known = {
        "global": Flag("global", usage="use the global environment"),
        "merged": Flag("merged", usage="merge app environment and global environment"),
        "no-restart": Flag("no-restart", usage="no restart"),
        "encoded": Flag("encoded", usage="base64-encoded values"),
        "quoted": Flag("quoted", usage="get the value quoted"),
        "format": Flag("format", "string", default="exports", usage="format to export as"),
    }
    return [known[n] for n in names]


def target(ctx, values, pos):
    """Return ``(app_name_or_None, remaining positional)``; None means global.

    src/subcommands/subcommands.go takes args.Arg(0) unless --global, and
    functions.go getAppNameOrGlobal verifies it (common.VerifyAppName).
    """
    if values.get("global"):
        return None, pos
    if not pos:
        ctx.fail(NO_APP)
    ctx.verify_app(pos[0])
    return pos[0], pos[1:]


def _holder(st, name):
    """Return the record whose env file is *name*'s (the global one when None)."""
    return st["global"] if name is None else st["apps"][name]


def env_error(holder):
    """Return godotenv's message when *holder*'s env file no longer parses, else None."""
    return holder.get("config_error")


def store_env(holder, env):
    """environment.go ``Env.Write``: write *env* with godotenv.Write, keep what a read gives."""
    text = envfile.write_text(env)
    holder["env_file"] = text
    try:
        holder["config"] = envfile.parse(text)
        holder.pop("config_error", None)
    except envfile.EnvFileError as exc:
        holder["config"] = {}
        holder["config_error"] = str(exc)


def read_env(ctx, st, name, writing=False):
    """environment.go ``loadFromFile``: parse the env file, drop invalid keys, or fail.

    A file that does not parse fails the command with godotenv's error
    (LogFailWithError prints it after ` !     `). Keys godotenv reads that
    validateKey refuses are deleted with Dokku's message and the file is
    written back (inside the caller's transaction when *writing*, else in
    one of its own). A state seeded without a file reads its ``config`` map.
    """
    holder = _holder(st, name)
    if env_error(holder):
        ctx.fail(env_error(holder))
    env = dict(holder["config"])
    invalid = [k for k in env if not KEY_RE.fullmatch(k)]
    for key in invalid:
        ctx.out(f"{INFO1}Deleting invalid key {key} from config for {name or '<global>'}")
        del env[key]
    if invalid and writing:
        store_env(holder, env)
    elif invalid:
        with ctx.transaction() as fresh:
            store_env(_holder(fresh, name), env)
    return env


def fail_if_unreadable(ctx, app):
    """Fail a deploy of *app* whose env file no longer parses, with godotenv's message.

    Every release runs the docker-args-deploy trigger (plugins/config/
    docker-args-deploy), whose ``config_export app APP --format
    docker-args-keys --merged`` loads the env file and fails under set -e.
    """
    if env_error(app):
        ctx.fail(env_error(app))


def environment(ctx, st, name, merged=False):
    """config.go ``getEnvironment``: the app's env, merged over the global one when asked."""
    if name is None or not merged:
        return read_env(ctx, st, name)
    env = read_env(ctx, st, name)
    merged_env = read_env(ctx, st, None)  # LoadMergedAppEnv: global.Merge(app)
    merged_env.update(env)
    return merged_env


def pretty_lines(env, prefix=""):
    """Return environment.go prettyPrintEnvEntries: columnized ``KEY:  value`` lines."""
    return columnize([[f"{k}:", env[k]] for k in sorted(env)], prefix=prefix)


def restart_lines(ctx, st, name):
    """config.go ``triggerRestart``: the restart a config change triggers, if any."""
    app = st["apps"][name]
    if not app["deployed"] or not app["restore"]:
        return []
    lines = [f"{INFO1}Restarting app {name}"] + deploy_lines(st, name, app)
    restart_containers(app)
    return lines


def decode_base64(ctx, key, value):
    """Decode like Go's base64.StdEncoding, failing with its error message."""
    stripped = value.replace("\r", "").replace("\n", "")
    bad = re.search(r"[^A-Za-z0-9+/=]", stripped)
    if bad or len(stripped) % 4:
        pos = bad.start() if bad else len(stripped) - len(stripped) % 4
        ctx.fail(f"illegal base64 data at input byte {pos} for key '{key}'")
    try:
        return base64.b64decode(stripped, validate=True).decode("utf-8", "surrogateescape")
    except (binascii.Error, ValueError):
        pos = stripped.find("=")
        ctx.fail(f"illegal base64 data at input byte {max(pos, 0)} for key '{key}'")


def parse_pairs(ctx, pairs, encoded):
    """functions.go ``SubSet``: split ``K=V`` pairs and decode values; keys are checked later."""
    if not pairs:
        ctx.fail("At least one env pair must be given")
    parsed = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq:
            ctx.fail(f"Invalid env pair: {pair}")
        parsed[key] = decode_base64(ctx, key, value) if encoded else value
    return parsed


def set_vars(ctx, name, updates, no_restart=False):
    """config.go ``SetMany``: load the env file, check keys, write, print, restart.

    The values printed are the ones given, not the ones stored (SetMany
    prints ``entries``). Shared with the datastore link command.
    """
    lines = []
    with ctx.transaction() as st:
        env = read_env(ctx, st, name, writing=True)
        for key in updates:
            if not KEY_RE.fullmatch(key):
                ctx.fail(f"Invalid key name: '{key}'")
        env.update(updates)
        store_env(_holder(st, name), env)
        if name is not None and not no_restart:
            lines = restart_lines(ctx, st, name)
    ctx.out(f"{INFO1}Setting config vars")
    ctx.lines(pretty_lines(updates, prefix="       "))
    ctx.stream(lines)


def unset_vars(ctx, name, keys, no_restart=False):
    """config.go ``UnsetMany``: load, check keys, unset the set ones, write if changed."""
    lines, messages = [], []
    with ctx.transaction() as st:
        env = read_env(ctx, st, name, writing=True)
        for key in keys:
            if not KEY_RE.fullmatch(key):
                ctx.fail(f"Invalid key name: '{key}'")
        changed = False
        for key in keys:
            if key in env:
                del env[key]
                changed = True
                messages.append(f"{INFO1}Unsetting {key}")
            else:
                messages.append(f"{INFO1}Skipping {key}, it is not set in the environment")
        if changed:
            store_env(_holder(st, name), env)
        if name is not None and not no_restart:
            lines = restart_lines(ctx, st, name)
    ctx.lines(messages)
    ctx.stream(lines)


def cmd_set(ctx, args):
    """functions.go ``SubSet`` -> config.go ``SetMany`` (replace=false)."""
    values, pos = parse_flags(ctx, "config:set", args, _flags("global", "encoded", "no-restart"))
    name, pairs = target(ctx, values, pos)
    updates = parse_pairs(ctx, pairs, values["encoded"])
    set_vars(ctx, name, updates, values["no-restart"])
    return 0


def cmd_unset(ctx, args):
    """functions.go ``SubUnset`` -> config.go ``UnsetMany``."""
    values, pos = parse_flags(ctx, "config:unset", args, _flags("global", "no-restart"))
    name, keys = target(ctx, values, pos)
    if not keys:
        ctx.fail("At least one key must be given")
    unset_vars(ctx, name, keys, values["no-restart"])
    return 0


def cmd_clear(ctx, args):
    """functions.go ``SubClear`` -> config.go ``UnsetAll``: one ``Unsetting K`` line per key.

    Go walks its map in random order; the emulator prints the keys sorted.
    """
    values, pos = parse_flags(ctx, "config:clear", args, _flags("global", "no-restart"))
    name, _ = target(ctx, values, pos)
    lines = []
    with ctx.transaction() as st:
        env = read_env(ctx, st, name, writing=True)
        messages = [f"{INFO1}Unsetting {key}" for key in sorted(env)]
        if env:
            store_env(_holder(st, name), {})
        if name is not None and not values["no-restart"]:
            lines = restart_lines(ctx, st, name)
    ctx.lines(messages)
    ctx.stream(lines)
    return 0


def cmd_show(ctx, args):
    """functions.go ``SubShow``: ``=====> APP env vars`` then the pretty export."""
    values, pos = parse_flags(ctx, "config:show", args, _flags("global", "merged"))
    name, _ = target(ctx, values, pos)
    env = environment(ctx, ctx.state, name, values["merged"])
    ctx.info2(f"{name or 'global'} env vars", quiet=True)
    ctx.out("\n".join(pretty_lines(env)))
    return 0


def cmd_config(ctx, args):
    """src/commands/commands.go ``case "config"``: config:show, and Go flag's -h/--help is the plugin help.

    ``args.Usage = usage`` there, so ``dokku config --help`` prints the same
    text as ``config:help`` and exits 0.
    """
    if any(a in ("-h", "--h", "-help", "--help") for a in args):
        import sys

        from .. import cli  # the help printer lives with dispatch

        return cli.plugin_help(ctx, "config", sys.modules[__name__])
    return cmd_show(ctx, args)


def cmd_get(ctx, args):
    """functions.go ``SubGet`` -> config.go ``Get``: exit 1 without a word when unset or unreadable.

    config:get has no --merged flag (src/subcommands/subcommands.go).
    """
    values, pos = parse_flags(ctx, "config:get", args, _flags("global", "quoted"))
    name, keys = target(ctx, values, pos)
    if not keys:
        ctx.fail("Expected: key")
    if len(keys) > 1:
        ctx.fail(f"Unexpected argument(s): [{' '.join(keys[1:])}]")
    holder = _holder(ctx.state, name)
    key = keys[0]
    if env_error(holder) or not KEY_RE.fullmatch(key):
        return 1  # Get returns ("", false) on a load error or a bad key; SubGet exits 1
    env = read_env(ctx, ctx.state, name)
    if key not in env:
        return 1
    ctx.out(shell_quote(env[key]) if values["quoted"] else env[key])
    return 0


def cmd_keys(ctx, args):
    """functions.go ``SubKeys``."""
    values, pos = parse_flags(ctx, "config:keys", args, _flags("global", "merged"))
    name, _ = target(ctx, values, pos)
    ctx.lines(sorted(environment(ctx, ctx.state, name, values["merged"])))
    return 0


def export_text(env, fmt):
    """Return config:export output for *fmt* (None if the format is unknown).

    environment.go ``Env.Export`` per format, plus functions.go ``export``'s suffix.
    """
    keys = sorted(env)
    if fmt == "exports":
        return "".join(f"export {k}={shell_quote(env[k])}\n" for k in keys) or "\n"
    if fmt == "envfile":
        return envfile.marshal(env) + "\n"  # EnvfileString: godotenv.Marshal
    if fmt == "json":
        return go_json(env) + "\n"
    if fmt == "json-list":
        return (go_json([{"name": k, "value": env[k]} for k in keys]) if keys else "null") + "\n"
    if fmt == "shell":
        return "".join(f"{k}={shell_quote(env[k])} " for k in keys)
    if fmt == "docker-args":
        return " ".join(f"--env={k}={shell_quote(env[k])}" for k in keys) + "\n"
    if fmt == "docker-args-keys":
        return " ".join(f"--env={k}" for k in keys) + "\n"
    if fmt == "pack-keys":
        return " ".join(f"--env {k}" for k in keys) + "\n"
    if fmt == "pretty":
        return "\n".join(pretty_lines(env)) + "\n"
    return None


def cmd_export(ctx, args):
    """functions.go ``SubExport`` -> ``export``: the env is loaded before the format is checked."""
    values, pos = parse_flags(ctx, "config:export", args, _flags("global", "merged", "format"))
    name, _ = target(ctx, values, pos)
    text = export_text(environment(ctx, ctx.state, name, values["merged"]), values["format"])
    if text is None:
        ctx.fail(f"Unknown export format: {values['format']}")
    ctx.write(text)
    return 0


COMMANDS = {
    "config": cmd_config,
    "config:show": cmd_show,
    "config:get": cmd_get,
    "config:set": cmd_set,
    "config:unset": cmd_unset,
    "config:clear": cmd_clear,
    "config:export": cmd_export,
    "config:keys": cmd_keys,
}
