"""State of the Dokku emulator: schema, records, locked persistence and test helpers (seeds: seeds.py).

Everything the emulator knows lives in ``$DOKKU_EMULATOR_HOME/state.json``; this
module is importable without side effects so tests can prepare and inspect it.

Schema (all timestamps are unix seconds as int, ``None`` when unknown)::

    {
      "schema": 1,
      "apps": {"<name>": APP, ...},
      "global": {
        "domains": ["dokku.me"],            # global vhosts
        "config": {"KEY": "value"},         # global env vars (exact strings)
        "props": {"<plugin>": {"<property>": "value"}},  # :set --global values
        "letsencrypt": {"email": "", "cron_job": False},
      },
      "plugins": [PLUGIN, ...],             # what plugin:list shows
      "services": {"postgres": {"<name>": SERVICE}, "redis": {...}, ...},
      "ssh_keys": [{"name": "admin", "fingerprint": "SHA256:..."}],
    }

    APP = {
      "name", "created_at", "deployed": bool, "locked": bool,
      "restore": bool,                      # False after ps:stop
      "release": int,                       # bumps on every deploy; seeds container ids
      "processes": {"web": 2, "worker": 1}, # ps:scale values (0 allowed)
      "procfile": ["web", "worker"],        # process types the app declares
      "containers": [{"proc", "index", "id" (64 hex), "status": running|exited}],
      "domains": [...], "domains_enabled": bool,
      "config": {"KEY": "value"},
      "deploy_source": "git-push", "deploy_source_metadata": "<sha>",  # deploy-source-set
      "git": {"deploy_branch", "keep_git_dir", "rev_env_var", "source_image",
              "archive_max_files", "archive_max_size", "sha", "last_updated_at",
              "remote"},                    # rev_env_var: None = property absent, "" = disabled
      "builder": {"selected", "detected", "build_dir"},
      "buildpacks": [urls], "buildpacks_stack": "",
      "checks": {"disabled": [procs], "skipped": [procs], "wait_to_retire": ""},
      "ports": ["http:80:5000"], "ports_detected": ["http:80:5000"],
      "proxy": {"enabled": bool, "type", "proxy_port", "proxy_ssl_port"},
      "storage": [{"entry_name", "host_path", "container_path", "phases": [...],
                   "readonly": bool, "volume_options": ""}],
      "resources": {"web.limit.memory": "512m", "_default_.reserve.cpu": "1"},
      "network": {"attach-post-deploy": "backend-net", ...},   # app properties
      "docker_options": {"build": [...], "deploy": [...], "run": [...]},
      "letsencrypt": {"email", "enabled": bool, "expires_at", "autorenew": bool},
      "ps": {"restart-policy", "procfile-path", "stop-timeout-seconds",
             "skip-deploy", "start-cmd", "dockerfile-start-cmd"},
      "logs": {"max-size", "vector-sink"},  # optional
    }

    settings.json (optional, re-read every call): {"delay_ms": 0, "step_delay_ms": 30,
      "build_step_delay_ms": 30, "log_rate": 0, "demo_logs": false, "version": "0.38.27",
      "fail": {"ps:report": [1, " !     Access denied"]},
      "plugin_versions": {"letsencrypt": "0.23.1"}}   # plugin:list (and the plugin) act that release
    delay_ms is Dokku's latency: a call answers that long after its process started.
    argv.log: one JSON line per start/end event; logs/<app>.log: the app's log source.

    PLUGIN = {"name", "version", "enabled": bool, "core": bool, "description",
              "source_url", "committish", "branch"}

    SERVICE = {"version": "postgres:18.4", "status": "running", "links": [apps],
               "password", "created_at", "id" (64 hex), "internal_ip",
               "exposed_ports": "-", "config_options": ""}

Concurrency: every writer takes an exclusive ``fcntl.flock`` on ``state.lock``
for its whole read-modify-write, and the file is replaced atomically
(temp file + ``os.replace``) so lock-free readers never see half a file.
"""

import contextlib
import fcntl
import json
import os
import signal
import time

DEFAULT_VERSION = "0.38.27"
DEFAULT_SETTINGS = {"delay_ms": 0, "step_delay_ms": 30, "log_rate": 0, "version": DEFAULT_VERSION}
# The demo (DOKKU_EMULATOR_PROFILE=demo, set by docklight.config.demo_executor)
# runs at a pace a person can follow: a restart prints its transcript over a
# few seconds, a build over ten or more, and running apps keep logging.
# settings.json in the demo home still overrides each value.
DEMO_SETTINGS = {"step_delay_ms": 300, "build_step_delay_ms": 700, "demo_logs": True}
PROFILE_ENV = "DOKKU_EMULATOR_PROFILE"
GLOBAL_VHOST = "dokku.me"

# Official datastore plugins: label, default alias, port, image, plugin version.
DATASTORES = {
    "postgres": ("Postgres", "DATABASE", 5432, "postgres:18.4", "1.48.0"),
    "mysql": ("MySQL", "DATABASE", 3306, "mysql:8.4.5", "1.44.0"),
    "mariadb": ("MariaDB", "DATABASE", 3306, "mariadb:11.8.2", "1.38.0"),
    "mongo": ("Mongo", "MONGO", 27017, "mongo:8.0.11", "1.42.0"),
    "redis": ("Redis", "REDIS", 6379, "redis:8.2.1", "1.43.0"),
    "rabbitmq": ("RabbitMQ", "RABBITMQ", 5672, "rabbitmq:4.1.2-management", "1.40.0"),
    "memcached": ("Memcached", "MEMCACHED", 11211, "memcached:1.6.38", "1.40.0"),
    "elasticsearch": ("Elasticsearch", "ELASTICSEARCH", 9200, "elasticsearch:8.18.3", "1.40.0"),
    "couchdb": ("CouchDB", "COUCHDB", 5984, "couchdb:3.5.0", "1.40.0"),
    "clickhouse": ("Clickhouse", "CLICKHOUSE", 9000, "clickhouse/clickhouse-server:25.6", "0.12.0"),
    "meilisearch": ("Meilisearch", "MEILISEARCH", 7700, "getmeili/meilisearch:v1.15", "0.6.0"),
    "nats": ("NATS", "NATS", 4222, "nats:2.11.6", "1.36.0"),
}

CORE_PLUGINS = (
    ("00_dokku-standard", "standard"), ("20_events", "events logging"), ("app-json", "app-json"),
    ("apps", "apps"), ("builder", "builder"), ("builder-dockerfile", "builder-dockerfile"),
    ("builder-herokuish", "builder-herokuish"), ("builder-lambda", "builder-lambda"),
    ("builder-nixpacks", "builder-nixpacks"), ("builder-null", "builder-null"),
    ("builder-pack", "builder-pack"), ("builder-railpack", "builder-railpack"),
    ("buildpacks", "buildpacks"), ("caddy-vhosts", "caddy-vhosts"), ("certs", "certificate management"),
    ("checks", "checks"), ("common", "common"), ("config", "config"), ("cron", "cron"),
    ("docker-options", "docker-options"), ("domains", "domains"), ("enter", "enter"),
    ("git", "git"), ("haproxy-vhosts", "haproxy-vhosts"), ("logs", "logs"),
    ("network", "network"), ("nginx-vhosts", "nginx"), ("openresty-vhosts", "openresty-vhosts"),
    ("plugin", "plugin"), ("ports", "ports"), ("proxy", "proxy"), ("ps", "ps"),
    ("registry", "registry"), ("repo", "repo"), ("resource", "resource"), ("run", "run"),
    ("scheduler", "scheduler"), ("scheduler-docker-local", "scheduler-docker-local"),
    ("scheduler-k3s", "scheduler-k3s"), ("scheduler-null", "scheduler-null"), ("shell", "shell"),
    ("ssh-keys", "ssh-keys"), ("storage", "storage"), ("trace", "trace"),
    ("traefik-vhosts", "traefik-vhosts"),
)

COMMUNITY_PLUGINS = {
    "letsencrypt": ("0.25.1", "Automated installation of let's encrypt TLS certificates"),
    "maintenance": ("0.8.0", "Maintenance mode for dokku apps"),
    "http-auth": ("0.12.0", "dokku http-auth plugin"),
}


# --------------------------------------------------------------------------- ids


def hexid(*parts, length=64):
    """Return a deterministic hex id derived from *parts*."""
    import hashlib  # only needed when ids are minted; keeps start-up cheap

    raw = "\x00".join(str(p) for p in parts).encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(raw).hexdigest()
    while len(digest) < length:
        digest += hashlib.sha256(digest.encode()).hexdigest()
    return digest[:length]


def service_password(plugin, name):
    """Return the stable demo password of a datastore service."""
    return hexid("password", plugin, name, length=32)


# --------------------------------------------------------------------------- apps


def build_containers(app, status="running"):
    """Return a fresh container list for *app*'s scale, all in *status*."""
    containers = []
    for proc in sorted(app["processes"]):
        for index in range(1, int(app["processes"][proc]) + 1):
            cid = hexid(app["name"], proc, index, app.get("release", 1))
            containers.append({"proc": proc, "index": index, "id": cid, "status": status})
    return containers


def running_state(app):
    """Return ``true``/``false``/``mixed`` the way ps:report computes it."""
    if not app.get("deployed"):
        return "false"
    states = {c["status"] == "running" for c in app.get("containers", [])}
    if states == {True}:
        return "true"
    if True in states:
        return "mixed"
    return "false"


def make_app(name, *, deployed=True, running=True, processes=None, domains=None, config=None,
             created_at=None, last_deployed_at=None):
    """Return a complete app record with Dokku's defaults.

    *running* may be True, False or ``"mixed"`` (first container running, the rest
    exited; a lone container is scaled to two so the state can exist).
    """
    now = int(time.time())
    created = int(created_at) if created_at is not None else now - 30 * 86400
    procs = {k: int(v) for k, v in (processes or {"web": 1}).items()}
    if running == "mixed" and sum(procs.values()) < 2:
        first = sorted(procs)[0] if procs else "web"
        procs[first] = 2
    app = {
        "name": name,
        "created_at": created,
        "deployed": bool(deployed),
        "locked": False,
        "restore": running is not False,
        "release": 1,
        "processes": procs,  # plugins/ps/triggers.go TriggerPostCreate scales web=1 at create
        "procfile": sorted(procs),
        "containers": [],
        "domains": list(domains) if domains is not None else [f"{name}.{GLOBAL_VHOST}"],
        "domains_enabled": True,
        "config": dict(config or {}),
        "deploy_source": "",
        "deploy_source_metadata": "",
        "git": {"deploy_branch": "", "keep_git_dir": "", "rev_env_var": None, "source_image": "",
                "archive_max_files": "", "archive_max_size": "", "sha": "",
                "last_updated_at": None, "remote": ""},
        "builder": {"selected": "", "detected": "", "build_dir": ""},
        "buildpacks": [],
        "buildpacks_stack": "",
        "checks": {"disabled": [], "skipped": [], "wait_to_retire": ""},
        "ports": [],
        "ports_detected": [],
        "proxy": {"enabled": True, "type": "", "proxy_port": "", "proxy_ssl_port": ""},
        "storage": [],
        "resources": {},
        "network": {},
        "docker_options": {"build": [], "deploy": [], "run": []},
        "letsencrypt": {"email": "", "enabled": False, "expires_at": None, "autorenew": True},
        "ps": {},
    }
    if deployed:
        mark_deployed(app, last_deployed_at if last_deployed_at is not None else created + 3600)
        if running is False:
            for c in app["containers"]:
                c["status"] = "exited"
        elif running == "mixed":
            for c in app["containers"][1:]:
                c["status"] = "exited"
    return app


def mark_deployed(app, when=None, sha=None):
    """Record a successful deploy: new release, running containers, git metadata."""
    when = int(when if when is not None else time.time())
    app["deployed"] = True
    app["restore"] = True
    app["release"] = int(app.get("release", 0)) + 1
    if not app["processes"]:
        app["processes"] = {p: (1 if p == "web" else 0) for p in (app["procfile"] or ["web"])}
    app["procfile"] = sorted(set(app["procfile"]) | set(app["processes"]))
    app["containers"] = build_containers(app)
    app["git"]["sha"] = sha or app["git"]["sha"] or hexid("sha", app["name"], when, length=40)
    # A first deploy is a git push: plugins/git/functions cmd-git-hook calls
    # deploy-source-set with "git-push" and the pushed sha.
    app["deploy_source"] = app["deploy_source"] or "git-push"
    app["deploy_source_metadata"] = app["deploy_source_metadata"] or app["git"]["sha"]
    app["git"]["last_updated_at"] = when
    app["ports_detected"] = app["ports_detected"] or ["http:80:5000"]
    app["builder"]["detected"] = app["builder"]["detected"] or "herokuish"


# --------------------------------------------------------------------------- state


def default_plugins(version=DEFAULT_VERSION, community=("letsencrypt",), datastores=("postgres", "redis")):
    """Return the plugin list of a typical host."""
    plugins = [
        {"name": name, "version": version, "enabled": True, "core": True,
         "description": f"dokku core {desc} plugin", "source_url": "", "committish": "", "branch": ""}
        for name, desc in CORE_PLUGINS
    ]
    for name in community:
        ver, desc = COMMUNITY_PLUGINS[name]
        plugins.append(community_plugin(name, ver, desc))
    for name in datastores:
        plugins.append(community_plugin(name, DATASTORES[name][4], f"dokku {name} service plugin"))
    return sorted(plugins, key=lambda p: p["name"])


def community_plugin(name, version, description, url=None):
    """Return one non-core plugin record, git-cloned: committish is its HEAD sha."""
    url = url or f"https://github.com/dokku/dokku-{name}.git"
    return {"name": name, "version": version, "enabled": True, "core": False,
            "description": description, "source_url": url,
            "committish": hexid("plugin", name, url, length=40), "branch": "master"}


def new_state(apps=(), *, global_domains=None, global_config=None, plugins=None, services=None, **extra):
    """Return a state holding *apps* (records from :func:`make_app`)."""
    state = {
        "schema": 1,
        "apps": {a["name"]: a for a in apps},
        "global": {
            "domains": list(global_domains) if global_domains is not None else [GLOBAL_VHOST],
            "config": dict(global_config or {}),
            "props": {},
            "letsencrypt": {"email": "", "cron_job": False},
        },
        "plugins": plugins if plugins is not None else default_plugins(),
        "services": services if services is not None else {},
        "ssh_keys": [{"name": "admin", "fingerprint": "SHA256:" + hexid("admin-key", length=43)}],
    }
    for name in installed_datastores(state):
        state["services"].setdefault(name, {})
    state.update(extra)
    return state


def installed_datastores(state):
    """Return the enabled datastore plugin names of *state*."""
    return [p["name"] for p in state["plugins"] if p["name"] in DATASTORES and p["enabled"]]


def make_service(plugin, name, *, links=(), status="running", created_at=None, exposed_ports="-"):
    """Return a datastore service record."""
    return {
        "version": DATASTORES[plugin][3],
        "status": status,
        "links": list(links),
        "password": service_password(plugin, name),
        "created_at": int(created_at if created_at is not None else time.time()),
        "id": hexid("service", plugin, name),
        "internal_ip": "172.17.0.%d" % (5 + int(hexid(plugin, name, length=2), 16) % 200),
        "exposed_ports": exposed_ports,
        "config_options": "",
    }


def service_dsn(plugin, name, service):
    """Return the connection URL a datastore plugin hands to linked apps."""
    host = f"dokku-{plugin}-{name.replace('_', '-')}"
    port = DATASTORES[plugin][2]
    pw = service["password"]
    db = name.replace("-", "_").replace(".", "_")
    if plugin == "postgres":
        return f"postgres://postgres:{pw}@{host}:{port}/{db}"
    if plugin in ("mysql", "mariadb"):
        return f"mysql://{plugin}:{pw}@{host}:{port}/{db}"
    if plugin == "redis":
        return f"redis://:{pw}@{host}:{port}"
    if plugin == "mongo":
        return f"mongodb://{name}:{pw}@{host}:{port}/{name}"
    if plugin == "rabbitmq":
        return f"amqp://{name}:{pw}@{host}:{port}/{name}"
    if plugin in ("elasticsearch", "meilisearch"):
        return f"http://{host}:{port}"
    if plugin == "couchdb":
        return f"http://{name}:{pw}@{host}:{port}/{name}"
    if plugin == "clickhouse":
        return f"clickhouse://{name}:{pw}@{host}:{port}/{db}"
    return f"{plugin}://{host}:{port}"


# --------------------------------------------------------------------------- files


def _path(home, name):
    return os.path.join(os.fspath(home), name)


def _share(fd):
    """Make a file we created writable for everyone.

    Tests run the emulator as the sshd login user while the test process (often
    root) prepares the same home, so files must not lock the other side out.
    """
    try:
        os.fchmod(fd, 0o666)
    except OSError:
        pass  # not ours: whoever created it already shared it


@contextlib.contextmanager
def locked(home):
    """Hold the exclusive state lock of *home* (flock needs no write access)."""
    fd = os.open(_path(home, "state.lock"), os.O_RDONLY | os.O_CREAT, 0o666)
    _share(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _load_file(home):
    with open(_path(home, "state.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _save_file(home, state):
    """Write *state* atomically; signals are held back so no temp file is orphaned."""
    data = json.dumps(state, sort_keys=True, separators=(",", ":"))
    tmp = _path(home, f"state.json.{os.getpid()}.tmp")
    blocked = {signal.SIGHUP, signal.SIGTERM, signal.SIGPIPE, signal.SIGINT}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        _share(fd)
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, _path(home, "state.json"))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def load_locked(home):
    """Return the state; caller holds the lock. Seeds a missing file."""
    try:
        return _load_file(home)
    except FileNotFoundError:
        from .seeds import seed_by_name  # seeds build on this module's records

        state = seed_by_name(os.environ.get("DOKKU_EMULATOR_SEED", "demo"))
        _save_file(home, state)
        return state


def read_state(home):
    """Return the current state of *home*, creating it from the seed if missing."""
    try:
        return _load_file(home)
    except FileNotFoundError:
        with locked(home):
            return load_locked(home)


def write_state(home, state):
    """Replace the state of *home* with *state*."""
    os.makedirs(os.fspath(home), exist_ok=True)
    with locked(home):
        _save_file(home, state)


@contextlib.contextmanager
def transaction(home):
    """Yield the state for modification and save it if the block succeeds."""
    with locked(home):
        state = load_locked(home)
        yield state
        _save_file(home, state)


def read_settings(home):
    """Return settings.json merged over the defaults (and the demo profile's, if chosen)."""
    settings = dict(DEFAULT_SETTINGS)
    if os.environ.get(PROFILE_ENV) == "demo":
        settings.update(DEMO_SETTINGS)
    try:
        with open(_path(home, "settings.json"), encoding="utf-8") as fh:
            settings.update(json.load(fh))
    except (FileNotFoundError, ValueError):
        pass
    return settings


def write_settings(home, **settings):
    """Merge *settings* into settings.json of *home*."""
    path = _path(home, "settings.json")
    current = {}
    try:
        with open(path, encoding="utf-8") as fh:
            current = json.load(fh)
    except (FileNotFoundError, ValueError):
        pass
    current.update(settings)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    _share(fd)
    with open(fd, "w", encoding="utf-8") as fh:
        json.dump(current, fh)
    os.replace(tmp, path)


def append_line(path, line):
    """Append one line with a single O_APPEND write so writers never interleave."""
    data = (line + "\n").encode("utf-8", "surrogateescape")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        if os.fstat(fd).st_size == 0:
            _share(fd)
        os.write(fd, data)
    finally:
        os.close(fd)


def read_argv_log(home):
    """Return the argv.log events of *home* in order."""
    try:
        with open(_path(home, "argv.log"), encoding="utf-8", errors="surrogateescape") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []


def forced_command(home, *, pythonpath, python="/usr/bin/python3", root=False, seed=None):
    """Return an authorized_keys ``command="…"`` value that runs the emulator.

    The emulator re-splits ``$SSH_ORIGINAL_COMMAND`` itself, as Dokku's script does,
    so the forced command does not pass it on.
    """
    import shlex

    env = [f"PYTHONPATH={shlex.quote(str(pythonpath))}",
           f"DOKKU_EMULATOR_HOME={shlex.quote(os.fspath(home))}"]
    if root:
        env.append("DOKKU_EMULATOR_ROOT=1")
    if seed:
        env.append(f"DOKKU_EMULATOR_SEED={shlex.quote(seed)}")
    from docklight.emulator import PROGRAM

    return "env " + " ".join(env) + f" {shlex.quote(python)} -S {shlex.quote(PROGRAM)}"


def append_log_line(home, app, msg, ps="web.1"):
    """Append a log line of process *ps* to the log source of *app*."""
    os.makedirs(_path(home, "logs"), exist_ok=True)
    line = msg if ps == "web.1" and "\n" not in msg and not msg.startswith("{") else \
        json.dumps({"ps": ps, "msg": msg})
    append_line(_path(home, os.path.join("logs", f"{app}.log")), line)
