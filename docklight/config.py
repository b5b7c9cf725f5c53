"""Settings from the environment, validated once, with one-line errors.

Anything invalid raises ConfigError with a message fit for a terminal; the
entry points (app.py, gunicorn.conf.py, the CLI) print it and exit 1.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shlex
import shutil
import sys
from dataclasses import dataclass

from docklight import private_files
from docklight.users import NAME_RE as ADMIN_NAME_RE
from docklight.dokku.targets import DokkuSettings, SSHSettings, SSHTarget, Timeouts
from docklight.forwarded import (AllowedHosts, TrustedProxies, parse_allowed_hosts,
                                 parse_trusted_proxies)

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
SSH_OPTIONS = {
    "port", "identityfile", "userknownhostsfile", "stricthostkeychecking",
    "connecttimeout", "serveraliveinterval", "identitiesonly",
}


class ConfigError(Exception):
    """The environment holds an invalid setting."""


@dataclass
class Settings:
    """Everything Docklight reads from the environment."""

    password: str
    password_generated: bool
    secret_key: bytes
    data_dir: str
    database: str
    port: int
    bind_host: str
    log_level: str
    trusted_proxies: TrustedProxies
    allowed_hosts: AllowedHosts
    session_hours: float
    login_max_failures: int
    login_window_minutes: float
    cache_ttl: float
    max_log_streams: int
    max_log_streams_per_session: int
    log_linger_seconds: float
    log_heartbeat_seconds: float
    log_queue_lines: int
    history_reads_days: float
    history_changes_days: float
    worker_connections: int
    body_read_seconds: float
    dokku: DokkuSettings
    admin_user: str = "admin"
    session_idle_minutes: float = 30.0


def _int(env, name, default, minimum=0, maximum=None) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{name} must be {bound}, got {value}")
    return value


def _float(env, name, default, minimum=0.0) -> float:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum:g}, got {value:g}")
    return value


def _bind_host(env, demo: bool) -> str:
    """Return the address to listen on: DOCKLIGHT_BIND, else loopback in the demo, else all.

    The demo has a generated password kept in a file and a simulated host;
    nobody else on the network needs to reach it unless asked for.
    """
    raw = (env.get("DOCKLIGHT_BIND") or "").strip()
    if not raw:
        return "127.0.0.1" if demo else "0.0.0.0"
    try:
        return str(ipaddress.ip_address(raw.strip("[]")))
    except ValueError:
        raise ConfigError(f"DOCKLIGHT_BIND must be an IP address such as 127.0.0.1 or "
                          f"0.0.0.0, got {raw!r}") from None


def bind_address(settings: "Settings") -> str:
    """Return gunicorn's bind value (IPv6 in brackets)."""
    host = settings.bind_host
    return f"[{host}]:{settings.port}" if ":" in host else f"{host}:{settings.port}"


def _parsed(env, name, parse):
    """Return parse(env[name]), a ValueError turned into a one-line ConfigError."""
    try:
        return parse(env.get(name, ""))
    except ValueError as exc:
        raise ConfigError(f"{name} {exc}") from None


def parse_ssh_opts(text: str) -> dict[str, str]:
    """Parse OpenSSH-style `-o Key=Value` options (also -p PORT and -i FILE).

    :raise ConfigError: for unknown options or malformed text; an option we
        cannot honour is an error, never silently ignored.
    """
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ConfigError(f"DOCKLIGHT_DOKKU_SSH_OPTS: {exc}") from None
    options: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-o", "-p", "-i"):
            if i + 1 >= len(words):
                raise ConfigError(f"DOCKLIGHT_DOKKU_SSH_OPTS: {word} needs a value")
            value, i = words[i + 1], i + 2
        elif word[:2] in ("-o", "-p", "-i") and len(word) > 2:
            value, i = word[2:], i + 1
            word = word[:2]
        else:
            raise ConfigError(
                f"DOCKLIGHT_DOKKU_SSH_OPTS: unexpected {word!r}; use -o Key=Value")
        if word == "-p":
            key, val = "port", value
        elif word == "-i":
            key, val = "identityfile", value
        else:
            if "=" in value:
                key, val = value.split("=", 1)
            elif " " in value.strip():
                key, val = value.strip().split(None, 1)
            else:
                raise ConfigError(f"DOCKLIGHT_DOKKU_SSH_OPTS: -o {value!r} needs Key=Value")
            key = key.strip().lower()
        if key not in SSH_OPTIONS:
            raise ConfigError(
                f"DOCKLIGHT_DOKKU_SSH_OPTS: unsupported option {key!r}; supported: "
                "Port, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking, "
                "ConnectTimeout, ServerAliveInterval, IdentitiesOnly")
        if key == "identitiesonly" and val.strip().lower() != "yes":
            raise ConfigError(
                "DOCKLIGHT_DOKKU_SSH_OPTS: IdentitiesOnly can only be yes: Docklight uses "
                "the configured key and never an ssh-agent")
        options[key] = val.strip()
    return options


def _ssh_settings(env, opts: dict[str, str], max_channels: int) -> SSHSettings:
    settings = SSHSettings(max_channels=max_channels)
    key = opts.get("identityfile") or env.get("DOCKLIGHT_DOKKU_SSH_KEY_PATH") or None
    settings.key_path = os.path.expanduser(key) if key else None
    known = opts.get("userknownhostsfile") or env.get("DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS") or ""
    settings.known_hosts = os.path.expanduser(known or "~/.ssh/known_hosts")
    strict = opts.get("stricthostkeychecking", "yes").lower()
    if strict in ("no", "off"):
        raise ConfigError(
            "StrictHostKeyChecking=no is not supported: it would accept a changed host key; "
            "use accept-new to trust the first key seen")
    if strict not in ("yes", "accept-new", "ask"):
        raise ConfigError(f"StrictHostKeyChecking must be yes or accept-new, got {strict!r}")
    settings.strict_host_key_checking = "accept-new" if strict == "accept-new" else "yes"
    opt_env = {"X": opts.get("connecttimeout", ""), "Y": opts.get("serveraliveinterval", "")}
    settings.connect_timeout = float(_int(opt_env, "X", 10, 1))
    settings.keepalive_interval = _int(opt_env, "Y", 15, 0)
    return settings


def _target(env, name: str, opts) -> SSHTarget | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    default_port = None
    if "port" in opts:
        default_port = _int({"Port": opts["port"]}, "Port", 22, 1, 65535)
    try:
        return SSHTarget.parse(raw, default_port=default_port)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def ensure_file(path: str, make: bytes) -> bytes:
    """Create path with content make (mode 0600) unless it exists; return its content.

    The file appears whole or not at all (written aside, then hard-linked
    into place), so workers starting at once all end up with the same bytes.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data:
            return data
    except FileNotFoundError:
        pass
    tmp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(make)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    with open(path, "rb") as f:
        return f.read()


def load(env=None) -> Settings:
    """Read and validate the settings from env (default: os.environ)."""
    env = os.environ if env is None else env
    data_dir = os.path.abspath(env.get("DOCKLIGHT_DATA_DIR") or "data")
    try:
        private_files.make_dir(data_dir)
    except OSError as exc:
        raise ConfigError(f"DOCKLIGHT_DATA_DIR {data_dir}: {exc.strerror}") from None
    if not os.access(data_dir, os.W_OK):
        raise ConfigError(f"DOCKLIGHT_DATA_DIR {data_dir} is not writable")
    reason = private_files.refusal(data_dir)
    if reason:
        raise ConfigError(reason)

    log_level = (env.get("DOCKLIGHT_LOG_LEVEL") or "info").lower()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"DOCKLIGHT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    opts = parse_ssh_opts(env.get("DOCKLIGHT_DOKKU_SSH_OPTS", ""))
    max_channels = _int(env, "DOCKLIGHT_DOKKU_MAX_CHANNELS", 8, 1, 10)
    target = _target(env, "DOCKLIGHT_DOKKU_SSH_TARGET", opts)
    root_target = _target(env, "DOCKLIGHT_DOKKU_SSH_ROOT_TARGET", opts)
    ssh = _ssh_settings(env, opts, max_channels)
    root_ssh = _ssh_settings(env, opts, max_channels)
    ssh.max_queue = root_ssh.max_queue = _int(env, "DOCKLIGHT_DOKKU_MAX_QUEUE", 32, 0, 10000)
    root_key = env.get("DOCKLIGHT_DOKKU_SSH_ROOT_KEY_PATH")
    if root_key:
        root_ssh.key_path = os.path.expanduser(root_key)
    timeouts = Timeouts(
        read=_float(env, "DOCKLIGHT_DOKKU_READ_TIMEOUT", 30.0, 1),
        write=_float(env, "DOCKLIGHT_DOKKU_WRITE_TIMEOUT", 300.0, 1),
        long=_float(env, "DOCKLIGHT_JOB_TIMEOUT", 3600.0, 1),
        page=_float(env, "DOCKLIGHT_PAGE_TIMEOUT", 10.0, 0.1),
    )
    dokku_bin = env.get("DOCKLIGHT_DOKKU_BIN") or "dokku"
    demo_flag = (env.get("DOCKLIGHT_DEMO") or "").lower()
    demo = demo_flag in ("1", "true", "yes") or (
        demo_flag not in ("0", "false", "no") and target is None
        and shutil.which(dokku_bin) is None)
    local_argv, local_env = [dokku_bin], None
    if demo:
        target = root_target = None
        local_argv, local_env = demo_executor(data_dir)
    elif target is None and shutil.which(dokku_bin) is None:
        raise ConfigError(
            f"no Dokku to talk to: set DOCKLIGHT_DOKKU_SSH_TARGET (e.g. dokku@host) or put "
            f"{dokku_bin!r} on PATH (DOCKLIGHT_DOKKU_BIN)")

    password = env.get("DOCKLIGHT_PASSWORD") or ""
    generated = False
    if not password:
        if not demo:
            raise ConfigError("DOCKLIGHT_PASSWORD is required (the admin password)")
        password = ensure_file(os.path.join(data_dir, "demo-password"),
                               secrets.token_urlsafe(12).encode()).decode()
        generated = True

    secret = env.get("DOCKLIGHT_SECRET") or ""
    if secret and len(secret) < 16:
        raise ConfigError("DOCKLIGHT_SECRET must be at least 16 characters")
    secret_key = secret.encode() if secret else ensure_file(
        os.path.join(data_dir, "secret_key"), secrets.token_bytes(32))

    admin_user = env.get("DOCKLIGHT_ADMIN_USER") or "admin"
    if not ADMIN_NAME_RE.match(admin_user):
        raise ConfigError("DOCKLIGHT_ADMIN_USER must be 1-32 lower-case letters, digits, '.', "
                          f"'_' or '-', starting with a letter, got {admin_user!r}")

    return Settings(
        admin_user=admin_user,
        session_idle_minutes=_float(env, "DOCKLIGHT_SESSION_IDLE_MINUTES", 30.0, 0.1),
        password=password,
        password_generated=generated,
        secret_key=secret_key,
        data_dir=data_dir,
        database=os.path.join(data_dir, "docklight.sqlite3"),
        port=_int(env, "PORT", 3001, 1, 65535),
        bind_host=_bind_host(env, demo),
        log_level=log_level,
        trusted_proxies=_parsed(env, "DOCKLIGHT_TRUSTED_PROXIES", parse_trusted_proxies),
        allowed_hosts=_parsed(env, "DOCKLIGHT_ALLOWED_HOSTS", parse_allowed_hosts),
        session_hours=_float(env, "DOCKLIGHT_SESSION_HOURS", 12.0, 0.01),
        login_max_failures=_int(env, "DOCKLIGHT_LOGIN_MAX_FAILURES", 5, 1),
        login_window_minutes=_float(env, "DOCKLIGHT_LOGIN_WINDOW_MINUTES", 15.0, 0.1),
        cache_ttl=_float(env, "DOCKLIGHT_CACHE_TTL", 10.0, 0),
        max_log_streams=_int(env, "DOCKLIGHT_MAX_LOG_STREAMS", 100, 1),
        max_log_streams_per_session=_int(env, "DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION", 10, 1),
        log_linger_seconds=_float(env, "DOCKLIGHT_LOG_LINGER_SECONDS", 5.0, 0),
        log_heartbeat_seconds=_float(env, "DOCKLIGHT_LOG_HEARTBEAT_SECONDS", 15.0, 1),
        log_queue_lines=_int(env, "DOCKLIGHT_LOG_QUEUE_LINES", 2000, 10),
        history_reads_days=_float(env, "DOCKLIGHT_HISTORY_READS_DAYS", 7.0, 0.01),
        history_changes_days=_float(env, "DOCKLIGHT_HISTORY_CHANGES_DAYS", 365.0, 0.01),
        worker_connections=_int(env, "DOCKLIGHT_WORKER_CONNECTIONS", 2000, 10, 100000),
        body_read_seconds=_float(env, "DOCKLIGHT_BODY_READ_SECONDS", 30.0, 1),
        dokku=DokkuSettings(target=target, root_target=root_target, ssh=ssh, root_ssh=root_ssh,
                            local_argv=local_argv, local_env=local_env, timeouts=timeouts,
                            demo=demo),
    )


def demo_executor(data_dir: str) -> tuple[list[str], dict]:
    """Return argv and env that run the bundled Dokku simulator locally."""
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = repo_root
    env["DOKKU_EMULATOR_HOME"] = os.path.join(data_dir, "demo-dokku")
    env["DOKKU_EMULATOR_SEED"] = "demo"
    env["DOKKU_EMULATOR_PROFILE"] = "demo"  # human pace: slow deploys, apps that keep logging
    env["DOKKU_EMULATOR_ROOT"] = "1"
    os.makedirs(env["DOKKU_EMULATOR_HOME"], exist_ok=True)
    # The emulator's own program, as the test sshd's forced command runs it
    # (docklight/emulator/dokku.py says why a script and -S).
    return [sys.executable, "-S", os.path.join(repo_root, "docklight", "emulator", "dokku.py")], env


def exit_on_error(fn, *args):
    """Return fn(*args), or print a ConfigError as one line and exit 1."""
    try:
        return fn(*args)
    except ConfigError as exc:
        print(f"docklight: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def load_or_exit(env=None) -> Settings:
    """Load settings, or print the one-line reason and exit 1."""
    return exit_on_error(load, env)
