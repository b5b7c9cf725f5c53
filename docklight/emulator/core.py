"""Shared machinery of the emulator: output helpers, exits, names, flags, formats.

No Dokku command is handled here, so no Dokku source is named: the handlers
in commands/ name theirs. The step pacing (``step_sleep``, ``stream``) is the
emulator's own, so a test or the demo can watch output arrive line by line.
"""

import contextlib
import json
import os
import re
import sys
import time

from . import state as store

INFO1 = "-----> "
INFO2 = "=====> "
VERBOSE = " " * 7
BANG = " !     "

NEW_APP_RE = re.compile(r"[a-z0-9][a-z0-9.-]*")
LEGACY_APP_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
BAD_APP_NAME = ("App name must begin with lowercase alphanumeric character, and may only "
                "contain lowercase alphanumerics, dots, and hyphens")
NO_APP = "Please specify an app to run the command on"


class CommandExit(Exception):
    """End the command with *code* (output has already been written)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Terminated(BaseException):
    """The process got a terminating signal or lost its stdout."""

    def __init__(self, reason, code):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class UsageError(Exception):
    """A pflag parse error: printed with the usage text, exit code 2."""


def parse_version(text):
    """Return a comparable tuple for ``0.38.27`` / ``v0.38.27-33-g…``."""
    nums = re.findall(r"\d+", text.lstrip("v").split("-")[0])
    return tuple(int(n) for n in nums[:3]) or (0,)


class Ctx:
    """Everything one invocation needs: args, flags, settings, state and output."""

    def __init__(self, home, *, opts, root=False, settings=None, stdin=None):
        self.home = home
        self.opts = opts
        self.quiet = opts.quiet
        self.force = opts.force
        self.root = root
        self.settings = settings or dict(store.DEFAULT_SETTINGS)
        self.version_text = str(self.settings.get("version") or store.DEFAULT_VERSION)
        self.version = parse_version(self.version_text)
        self.stdin = stdin if stdin is not None else sys.stdin
        self._state = None

    def plugin_version_of(self, record):
        """Return the version plugin:list prints for a plugin record.

        settings.json ``plugin_versions`` ({"letsencrypt": "0.23.1"}) stands
        in for an older release of that plugin, so a test can drive the
        commands as that release answers them.
        """
        wanted = (self.settings.get("plugin_versions") or {}).get(record["name"])
        return str(wanted or record["version"])

    # ----------------------------------------------------------------- output

    def _emit(self, stream, text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            stream.buffer.write(data)
            stream.buffer.flush()
        except BrokenPipeError:
            raise Terminated("SIGPIPE", 141) from None

    def write(self, text):
        """Write *text* to stdout as is."""
        self._emit(sys.stdout, text)

    def out(self, line=""):
        """Write one line to stdout."""
        self._emit(sys.stdout, line + "\n")

    def lines(self, lines):
        """Write several stdout lines in one go."""
        if lines:
            self._emit(sys.stdout, "".join(line + "\n" for line in lines))

    def err(self, line):
        """Write one line to stderr."""
        self._emit(sys.stderr, line + "\n")

    def err_write(self, text):
        """Write *text* to stderr as is."""
        self._emit(sys.stderr, text)

    def info1(self, msg, quiet=False):
        if not (quiet and self.quiet):
            self.out(INFO1 + msg)

    def info2(self, msg, quiet=False):
        if not (quiet and self.quiet):
            self.out(INFO2 + msg)

    def verbose(self, msg):
        self.out(VERBOSE + msg)

    def warn(self, msg):
        self.err(BANG + msg)

    def fail(self, msg, code=1):
        """Print a Dokku failure on stderr and end with *code*."""
        self.warn(msg)
        raise CommandExit(code)

    def step_sleep(self, setting="step_delay_ms"):
        """Pause for one step: *setting* names the settings value (ms) that sets how long."""
        value = self.settings.get(setting)
        if value is None:
            value = self.settings.get("step_delay_ms")
        delay = float(value or 0) / 1000.0
        if delay > 0:
            time.sleep(delay)

    def stream(self, items, setting="step_delay_ms"):
        """Write progress lines one by one, pausing like a slow build would.

        *items* are strings (stdout) or ``("err", line)`` tuples (stderr);
        ``setting="build_step_delay_ms"`` paces a build (slower in the demo).
        """
        for item in items:
            if isinstance(item, tuple):
                self.err(item[1])
            else:
                self.out(item)
            self.step_sleep(setting)

    # ------------------------------------------------------------------ state

    @property
    def state(self):
        """Return the state as last read or written by this invocation."""
        if self._state is None:
            self._state = store.read_state(self.home)
        return self._state

    @contextlib.contextmanager
    def transaction(self):
        """Lock, reload and yield the state; save it only if the block succeeds."""
        with store.transaction(self.home) as st:
            yield st
        self._state = st

    # ------------------------------------------------------------------ names

    def app_exists(self, name):
        return name in self.state["apps"]

    def verify_app(self, name, st=None):
        """Validate an existing app name like Go's VerifyAppName; return the app."""
        st = st or self.state
        if not name:
            self.fail(NO_APP)
        if not (NEW_APP_RE.fullmatch(name) or LEGACY_APP_RE.fullmatch(name)):
            self.fail(BAD_APP_NAME)
        if name not in st["apps"]:
            self.fail(f"App {name} does not exist", 20)
        return st["apps"][name]

    def verify_app_bash(self, name, st=None):
        """Validate like bash verify_app_name: every failure is exit 20."""
        st = st or self.state
        if not name or not LEGACY_APP_RE.fullmatch(name) or name not in st["apps"]:
            self.fail(f"App {name} does not exist", 20)
        return st["apps"][name]

    def is_plugin_enabled(self, name):
        return any(p["name"] == name and p["enabled"] for p in self.state["plugins"])


# ---------------------------------------------------------------------- formats


def go_json(value):
    """Serialise like Go's encoding/json: compact, sorted maps, HTML-safe escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def columnize(rows, prefix="", glue="  "):
    """Format rows like ryanuber/columnize: cells trimmed, last column unpadded."""
    rows = [[cell.strip() for cell in row] for row in rows]
    widths = {}
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths.get(i, 0), len(cell))
    lines = []
    for row in rows:
        parts = [cell.ljust(widths[i]) + glue if i < len(row) - 1 else cell
                 for i, cell in enumerate(row)]
        lines.append(prefix + "".join(parts))
    return lines


def shell_quote(value):
    """Single-quote *value* the way config:export does (``'`` → ``'\\''``)."""
    return "'" + value.replace("'", "'\\''") + "'"


def duration(seconds):
    """Format seconds as ``74d, 23h, 59m, 46s`` (zero parts omitted)."""
    seconds = int(abs(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return ", ".join(parts) or "0s"


# ------------------------------------------------------------------ pflag parser


class Flag:
    """One pflag definition: kind is ``bool``, ``string`` or ``int``."""

    def __init__(self, name, kind="bool", short="", default=None, usage=""):
        self.name, self.kind, self.short, self.usage = name, kind, short, usage
        self.default = default if default is not None else {"bool": False, "string": "", "int": 0}[kind]


class FlagSet:
    """A tiny spf13/pflag look-alike with ExitOnError semantics (exit 2 + usage)."""

    def __init__(self, name, flags=()):
        self.name = name
        self.flags = {f.name: f for f in flags}
        self.shorts = {f.short: f for f in flags if f.short}

    def usage(self):
        """Return pflag's ``Usage of X:`` block."""
        entries = []
        for name in sorted(self.flags):
            f = self.flags[name]
            head = f"  -{f.short}, --{name}" if f.short else f"      --{name}"
            if f.kind != "bool":
                head += " " + f.kind
            tail = f.usage
            if f.default not in (False, "", 0):
                tail += f' (default "{f.default}")' if f.kind == "string" else f" (default {f.default})"
            entries.append((head, tail))
        width = max((len(h) + 1 for h, _ in entries), default=0)
        lines = [f"Usage of {self.name}:"]
        lines += [f"{h} {' ' * (width - len(h))} {t}" for h, t in entries]
        return "\n".join(lines)

    def _convert(self, flag, value, shown):
        if flag.kind == "int":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise UsageError(f'invalid argument "{value}" for "{shown}" flag: '
                                 f'strconv.ParseInt: parsing "{value}": invalid syntax')
            return int(value)
        if flag.kind == "bool":
            if value.lower() in ("1", "t", "true"):
                return True
            if value.lower() in ("0", "f", "false"):
                return False
            raise UsageError(f'invalid argument "{value}" for "{shown}" flag: '
                             f'strconv.ParseBool: parsing "{value}": invalid syntax')
        return value

    def _shown(self, flag):
        return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"

    def parse(self, args):
        """Return ``(values, positional)`` or raise UsageError."""
        values = {name: f.default for name, f in self.flags.items()}
        positional = []
        i = 0
        while i < len(args):
            a = args[i]
            i += 1
            if a == "--":
                positional.extend(args[i:])
                break
            if a.startswith("--"):
                name, eq, value = a[2:].partition("=")
                flag = self.flags.get(name)
                if flag is None:
                    if name in ("help", "h"):
                        raise UsageError("help")
                    raise UsageError(f"unknown flag: --{name}")
                if not eq and flag.kind != "bool":
                    if i >= len(args):
                        raise UsageError(f"flag needs an argument: --{name}")
                    value, i = args[i], i + 1
                values[name] = self._convert(flag, value, self._shown(flag)) if (eq or flag.kind != "bool") else True
            elif a.startswith("-") and len(a) > 1:
                i = self._parse_shorts(a, args, i, values)
            else:
                positional.append(a)
        return values, positional

    def _parse_shorts(self, word, args, i, values):
        cluster = word[1:]
        j = 0
        while j < len(cluster):
            c = cluster[j]
            flag = self.shorts.get(c)
            if flag is None:
                if c == "h":
                    raise UsageError("help")
                raise UsageError(f"unknown shorthand flag: '{c}' in {word}")
            rest = cluster[j + 1:]
            if flag.kind == "bool":
                if rest.startswith("="):
                    values[flag.name] = self._convert(flag, rest[1:], self._shown(flag))
                    return i
                values[flag.name] = True
                j += 1
                continue
            if rest:
                value = rest[1:] if rest.startswith("=") else rest
            elif i < len(args):
                value, i = args[i], i + 1
            else:
                raise UsageError(f"flag needs an argument: '{c}' in {word}")
            values[flag.name] = self._convert(flag, value, self._shown(flag))
            return i
        return i


def parse_flags(ctx, name, args, flags=()):
    """Parse *args* with a pflag set; on error print pflag's output and exit 2."""
    fs = FlagSet(name, flags)
    try:
        return fs.parse(args)
    except UsageError as exc:
        if str(exc) == "help":
            ctx.err(fs.usage())
            raise CommandExit(0) from None
        ctx.err(str(exc))
        ctx.err(fs.usage())
        raise CommandExit(2) from None


def env_home():
    """Return $DOKKU_EMULATOR_HOME or None."""
    home = os.environ.get("DOKKU_EMULATOR_HOME", "")
    return home if home and os.path.isdir(home) else None
