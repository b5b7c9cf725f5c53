"""config:* commands (Go plugin `config`, values stored like godotenv would)."""

import base64
import binascii
import re

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

BARE = {"config": "config:show"}
KEY_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
INT_RE = re.compile(r"[+-]?\d+")
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
    """Return ``(app_name_or_None, remaining positional)``; None means global."""
    if values.get("global"):
        return None, pos
    if not pos:
        ctx.fail(NO_APP)
    ctx.verify_app(pos[0])
    return pos[0], pos[1:]


def environment(st, name, merged=False):
    """Return the env of app *name* (global env when None)."""
    if name is None:
        return dict(st["global"]["config"])
    env = dict(st["global"]["config"]) if merged else {}
    env.update(st["apps"][name]["config"])
    return env


def pretty_lines(env, prefix=""):
    """Return config:show's columnized ``KEY:  value`` lines."""
    return columnize([[f"{k}:", env[k]] for k in sorted(env)], prefix=prefix)


def atoi(value):
    """Return *value* as an int when Go's strconv.Atoi accepts it, else None."""
    if INT_RE.fullmatch(value):
        number = int(value)
        if -(2 ** 63) <= number < 2 ** 63:
            return number
    return None


def godotenv_value(value):
    """Return *value* as godotenv writes it back: integers lose sign and zeros."""
    number = atoi(value)
    return value if number is None else str(number)


def restart_lines(ctx, st, name):
    """Return (and apply) the restart a config change triggers, if any."""
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
    """Validate ``K=V`` pairs; return an ordered dict of decoded values."""
    if not pairs:
        ctx.fail("At least one env pair must be given")
    parsed = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq:
            ctx.fail(f"Invalid env pair: {pair}")
        if not KEY_RE.fullmatch(key):
            ctx.fail(f"Invalid key name: '{key}'")
        parsed[key] = decode_base64(ctx, key, value) if encoded else value
    return parsed


def set_vars(ctx, name, updates, no_restart=False):
    """Apply *updates* to app *name* (global if None) and print config:set output.

    Shared with the datastore link command, which echoes through config:set too.
    """
    lines = []
    with ctx.transaction() as st:
        env = st["global"]["config"] if name is None else ctx.verify_app(name, st)["config"]
        for key, value in updates.items():
            env[key] = godotenv_value(value)
        if name is not None and not no_restart:
            lines = restart_lines(ctx, st, name)
    ctx.out(f"{INFO1}Setting config vars")
    ctx.lines(pretty_lines(updates, prefix="       "))
    ctx.stream(lines)


def unset_vars(ctx, name, keys, no_restart=False):
    """Remove *keys* and print config:unset output (shared with datastore unlink)."""
    lines, messages = [], []
    with ctx.transaction() as st:
        env = st["global"]["config"] if name is None else ctx.verify_app(name, st)["config"]
        for key in keys:
            if key in env:
                del env[key]
                messages.append(f"{INFO1}Unsetting {key}")
            else:
                messages.append(f"{INFO1}Skipping {key}, it is not set in the environment")
        if name is not None and not no_restart:
            lines = restart_lines(ctx, st, name)
    ctx.lines(messages)
    ctx.stream(lines)


def cmd_set(ctx, args):
    values, pos = parse_flags(ctx, "config:set", args, _flags("global", "no-restart", "encoded"))
    name, pairs = target(ctx, values, pos)
    updates = parse_pairs(ctx, pairs, values["encoded"])
    set_vars(ctx, name, updates, values["no-restart"])
    return 0


def cmd_unset(ctx, args):
    values, pos = parse_flags(ctx, "config:unset", args, _flags("global", "no-restart"))
    name, keys = target(ctx, values, pos)
    if not keys:
        ctx.fail("At least one key must be given")
    unset_vars(ctx, name, keys, values["no-restart"])
    return 0


def cmd_clear(ctx, args):
    values, pos = parse_flags(ctx, "config:clear", args, _flags("global", "no-restart"))
    name, _ = target(ctx, values, pos)
    lines = []
    with ctx.transaction() as st:
        env = st["global"]["config"] if name is None else st["apps"][name]["config"]
        env.clear()
        if name is not None and not values["no-restart"]:
            lines = restart_lines(ctx, st, name)
    ctx.out(f"{INFO1}Clearing config vars")
    ctx.stream(lines)
    return 0


def cmd_show(ctx, args):
    values, pos = parse_flags(ctx, "config:show", args, _flags("global", "merged"))
    name, _ = target(ctx, values, pos)
    env = environment(ctx.state, name, values["merged"])
    ctx.info2(f"{name or 'global'} env vars", quiet=True)
    ctx.out("\n".join(pretty_lines(env)))
    return 0


def cmd_get(ctx, args):
    values, pos = parse_flags(ctx, "config:get", args, _flags("global", "merged", "quoted"))
    name, keys = target(ctx, values, pos)
    if not keys:
        ctx.fail("Expected: key")
    if len(keys) > 1:
        ctx.fail(f"Unexpected argument(s): [{' '.join(keys[1:])}]")
    env = environment(ctx.state, name, values["merged"])
    key = keys[0]
    if not KEY_RE.fullmatch(key) or key not in env:
        return 1  # Dokku prints nothing at all here
    ctx.out(shell_quote(env[key]) if values["quoted"] else env[key])
    return 0


def cmd_keys(ctx, args):
    values, pos = parse_flags(ctx, "config:keys", args, _flags("global", "merged"))
    name, _ = target(ctx, values, pos)
    ctx.lines(sorted(environment(ctx.state, name, values["merged"])))
    return 0


def envfile_escape(value):
    """Escape like godotenv's doubleQuoteEscape."""
    for char in '\\\n\r"!$`':
        replacement = {"\n": "\\n", "\r": "\\r"}.get(char, "\\" + char)
        value = value.replace(char, replacement)
    return value


def export_text(env, fmt):
    """Return config:export output for *fmt* (None if the format is unknown)."""
    keys = sorted(env)
    if fmt == "exports":
        return "".join(f"export {k}={shell_quote(env[k])}\n" for k in keys) or "\n"
    if fmt == "envfile":
        lines = sorted(f"{k}={atoi(env[k])}" if atoi(env[k]) is not None else f'{k}="{envfile_escape(env[k])}"'
                       for k in keys)
        return "\n".join(lines) + "\n"
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
    values, pos = parse_flags(ctx, "config:export", args, _flags("global", "merged", "format"))
    name, _ = target(ctx, values, pos)
    text = export_text(environment(ctx.state, name, values["merged"]), values["format"])
    if text is None:
        ctx.fail(f"Unknown export format: {values['format']}")
    ctx.write(text)
    return 0


COMMANDS = {
    "config:show": cmd_show,
    "config:get": cmd_get,
    "config:set": cmd_set,
    "config:unset": cmd_unset,
    "config:clear": cmd_clear,
    "config:export": cmd_export,
    "config:keys": cmd_keys,
}
