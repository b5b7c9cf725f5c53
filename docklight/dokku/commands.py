"""The allowlist: one builder per Dokku subcommand Docklight may run.

Each builder validates its arguments (docklight.dokku.validators) and returns
a Command. ``ALLOWED`` is the data behind it: every subcommand some builder can
produce, and nothing else. ``docklight acl-commands`` prints it for the
dokku-acl plugin. Builders never touch the network.

Argument forms are chosen for the trip through Dokku's xargs re-split
(reference 0.1): long options only (`logs --num`, never `-n`, which /bin/echo
would swallow), and config values always base64 (`config:set --encoded`).
"""

from __future__ import annotations

import base64
import re
import urllib.parse

from docklight.dokku import redact
from docklight.dokku import envfile
from docklight.dokku import storage_entries
from docklight.dokku import validators as v
from docklight.dokku.command import SECRET, Command

ALLOWED: dict[str, str] = {}
"""subcommand -> one-line description, filled by the @allows decorator."""

REPORT_PLUGINS = (
    "apps", "builder", "buildpacks", "certs", "checks", "docker-options", "domains",
    "git", "letsencrypt", "logs", "network", "nginx", "ports", "proxy", "ps",
    "resource", "scheduler", "storage",
)
# The official datastore plugins share one command set (dokku-postgres's
# template); other plugins with the same set are accepted by name at run time.
DATASTORE_PLUGINS = (
    "postgres", "mysql", "mariadb", "mongo", "redis", "rabbitmq", "elasticsearch",
    "couchdb", "clickhouse", "memcached", "meilisearch", "nats", "rethinkdb",
    "solr", "typesense",
)
DATASTORE_VERBS = ("list", "create", "info", "link", "unlink", "destroy", "exists")
PHASES = ("build", "deploy", "run")
NETWORK_PROPERTIES = (
    "attach-post-create", "attach-post-deploy", "bind-all-interfaces",
    "initial-network", "static-web-listener", "tld",
)
BUILDERS = ("herokuish", "dockerfile", "pack", "lambda", "nixpacks", "railpack", "null")
CHECK_ACTIONS = ("enable", "disable", "skip")


def allows(*subcommands: str, doc: str = ""):
    """Register the subcommands a builder may produce in ALLOWED."""

    def decorate(fn):
        for name in subcommands:
            ALLOWED[name] = doc or (fn.__doc__ or "").strip().splitlines()[0]
        return fn

    return decorate


def _command(*args: str, shown=None, secrets=(), **kw) -> Command:
    """Build a Command, refusing any subcommand that is not allowlisted.

    Credentials in URL arguments (a token in a plugin or buildpack URL) never
    reach the shown form, and are scrubbed from the output as literals.
    """
    if args[0] not in ALLOWED and args[0].split(":")[0] not in _DYNAMIC_DATASTORES:
        raise ValueError(f"{args[0]} is not an allowlisted Dokku subcommand")
    shown = tuple(redact.redact_urls(a) for a in (shown or args))
    secrets = tuple(secrets) + tuple(s for a in args for s in redact.url_secrets(a))
    command = Command(args=tuple(args), shown=shown, secrets=secrets, **kw)
    command.check_wire_size()
    return command


_DYNAMIC_DATASTORES: set[str] = set()


# --- host -------------------------------------------------------------------

@allows("version")
def version(*, root: bool = False) -> Command:
    """Print the Dokku version (on the root target when root)."""
    return _command("version", timeout=15, root=root)


@allows("report")
def host_report(*, root: bool = False) -> Command:
    """Print the host's vitals: memory, disks, Docker, versions and plugins.

    Through the root target when there is one (root=True), else as dokku.
    """
    return _command("report", root=root, timeout=60)


@allows("cleanup")
def cleanup(app: str | None = None) -> Command:
    """Remove exited/dead containers and dangling images (of one app, or all)."""
    args = ["cleanup"] + ([v.app_name(app)] if app else [])
    return _command(*args, app=app, mutates=True, long=True)


REPO_ACTIONS = ("gc", "purge-cache")


@allows("repo:gc", "repo:purge-cache", doc="Garbage-collect an app's repo or purge its build cache.")
def repo_action(action: str, app: str) -> Command:
    """Build `repo:gc <app>` or `repo:purge-cache <app>`."""
    action = v.choice(action, REPO_ACTIONS, "action", "repository action")
    app = v.app_name(app)
    return _command(f"repo:{action}", app, app=app, mutates=True, long=True)


# --- reports ----------------------------------------------------------------

for _plugin in REPORT_PLUGINS:
    ALLOWED[f"{_plugin}:report"] = f"Show the {_plugin} report of one or all apps."


def report(plugin: str, app: str | None = None, *, json: bool = False,
           info_flag: str | None = None, global_: bool = False) -> Command:
    """Build `<plugin>:report [app|--global] [--format json|--<info-flag>]`."""
    if plugin not in REPORT_PLUGINS:
        raise ValueError(f"{plugin}:report is not allowlisted")
    args = [f"{plugin}:report"]
    if global_:
        args.append("--global")
    elif app is not None:
        args.append(v.app_name(app))
    if info_flag is not None:
        # Info flags come from our code, never from a form.
        if not info_flag.startswith("--") or not all(
            c.isalnum() or c in "-." for c in info_flag[2:]
        ):
            raise ValueError(f"bad info flag {info_flag!r}")
        args.append(info_flag)
    elif json:
        args += ["--format", "json"]
    return _command(*args, app=app)


# --- apps -------------------------------------------------------------------

@allows("apps:list")
def apps_list(*, json: bool = False) -> Command:
    """List apps."""
    return _command("apps:list", *(["--format", "json"] if json else []))


@allows("apps:create")
def apps_create(name: str) -> Command:
    """Create an app."""
    name = v.new_app_name(name)
    return _command("apps:create", name, app=name, mutates=True)


@allows("apps:destroy")
def apps_destroy(app: str) -> Command:
    """Destroy an app and its add-on links (the caller confirms by typed name)."""
    app = v.app_name(app)
    return _command("apps:destroy", app, "--force", app=app, mutates=True, long=True)


@allows("apps:rename")
def apps_rename(app: str, new_name: str) -> Command:
    """Rename an app."""
    app = v.app_name(app)
    new_name = v.new_app_name(new_name, field="new_name")
    return _command("apps:rename", app, new_name, app=app, mutates=True, long=True)


@allows("apps:unlock")
def apps_unlock(app: str) -> Command:
    """Remove a stale deploy lock."""
    app = v.app_name(app)
    return _command("apps:unlock", app, app=app, mutates=True)


@allows("apps:lock")
def apps_lock(app: str) -> Command:
    """Lock an app against deploys."""
    app = v.app_name(app)
    return _command("apps:lock", app, app=app, mutates=True)


# --- processes --------------------------------------------------------------

@allows("ps:start", "ps:stop", "ps:restart", "ps:rebuild")
def ps_action(action: str, app: str, process_type: str | None = None) -> Command:
    """Start, stop, restart or rebuild an app (restart may name one process)."""
    action = v.choice(action, ("start", "stop", "restart", "rebuild"), "action", "Action")
    app = v.app_name(app)
    args = [f"ps:{action}", app]
    if process_type and action == "restart":
        args.append(v.process_type(process_type))
    return _command(*args, app=app, mutates=True, long=True)


@allows("ps:scale")
def ps_scale(app: str, counts: dict[str, object] | None = None, *, json: bool = False,
             skip_deploy: bool = False) -> Command:
    """Show the scale of an app, or set counts per process type."""
    app = v.app_name(app)
    if not counts:
        return _command("ps:scale", app, *(["--format", "json"] if json else []), app=app)
    pairs = []
    for proc, n in counts.items():
        proc = v.process_type(proc, field=f"count-{proc}")
        pairs.append(f"{proc}={v.count(n, field=f'count-{proc}')}")
    extra = ["--skip-deploy"] if skip_deploy else []
    return _command("ps:scale", *extra, app, *pairs, app=app, mutates=True, long=True)


# --- config -----------------------------------------------------------------

@allows("config:export")
def config_export(app: str) -> Command:
    """Read all config vars as JSON (config:show cannot hold multi-line values)."""
    app = v.app_name(app)
    return _command("config:export", "--format", "json", app, app=app,
                    redact_output="config_json")


@allows("config:keys")
def config_keys(app: str) -> Command:
    """List config keys only."""
    app = v.app_name(app)
    return _command("config:keys", app, app=app)


@allows("config:get")
def config_get(app: str, key: str) -> Command:
    """Read one config value (an explicit reveal)."""
    app = v.app_name(app)
    key = v.config_key(key)
    return _command("config:get", app, key, app=app, redact_output="all")


def storable_config_value(value, field: str = "value") -> str:
    """Return *value* if Dokku will give it back byte for byte, else refuse it.

    The trip is exact (base64); the storage is not: Dokku's env file goes
    through godotenv's Marshal and parser (docklight.dokku.envfile), which
    change some values and cannot hold others. The refusal says what Dokku
    would make of it, so nothing is stored other than as typed.
    """
    value = v.config_value(value, field=field)
    problem = envfile.refusal(value)
    if problem:
        raise v.ValidationError(field, problem)
    return value


@allows("config:set")
def config_set(app: str, values: dict[str, str], *, restart: bool = True) -> Command:
    """Set config vars; values travel base64 so every byte arrives as typed."""
    app = v.app_name(app)
    if not values:
        raise v.ValidationError("key", "Give at least one KEY=VALUE pair.")
    args, shown, secrets = ["config:set", "--encoded"], ["config:set", "--encoded"], []
    if not restart:
        args.append("--no-restart")
        shown.append("--no-restart")
    args.append(app)
    shown.append(app)
    for key, value in values.items():
        key = v.config_key(key)
        value = storable_config_value(value)
        encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
        args.append(f"{key}={encoded}")
        shown.append(f"{key}={SECRET}")
        # Dokku echoes values; a multi-line value spills onto lines of its
        # own, so each line is scrubbed too.
        secrets += [value, encoded, *value.splitlines()]
    return _command(*args, shown=shown, app=app, mutates=True, long=restart,
                    secrets=tuple(secrets), redact_output="config_set")


@allows("config:unset")
def config_unset(app: str, keys: list[str], *, restart: bool = True) -> Command:
    """Unset config vars."""
    app = v.app_name(app)
    keys = [v.config_key(k) for k in keys]
    if not keys:
        raise v.ValidationError("key", "Choose at least one key to unset.")
    extra = [] if restart else ["--no-restart"]
    return _command("config:unset", *extra, app, *keys, app=app, mutates=True, long=restart)


# --- domains ----------------------------------------------------------------

@allows("domains:add", "domains:remove", "domains:set")
def domains_change(action: str, app: str, domains: list[str]) -> Command:
    """Add, remove or set the domains of an app."""
    action = v.choice(action, ("add", "remove", "set"), "action", "Action")
    app = v.app_name(app)
    domains = [v.hostname(d) for d in domains]
    if not domains:
        raise v.ValidationError("domain", "Give at least one domain.")
    return _command(f"domains:{action}", app, *domains, app=app, mutates=True)


@allows("domains:clear", "domains:enable", "domains:disable")
def domains_toggle(action: str, app: str) -> Command:
    """Clear, enable or disable the domains of an app."""
    action = v.choice(action, ("clear", "enable", "disable"), "action", "Action")
    app = v.app_name(app)
    return _command(f"domains:{action}", app, app=app, mutates=True)


# --- ports and proxy --------------------------------------------------------

@allows("ports:add", "ports:remove", "ports:set")
def ports_change(action: str, app: str, mappings: list[str]) -> Command:
    """Add, remove or set port mappings scheme:host:container."""
    action = v.choice(action, ("add", "remove", "set"), "action", "Action")
    app = v.app_name(app)
    mappings = [v.port_mapping(m) for m in mappings]
    if not mappings:
        raise v.ValidationError("mapping", "Give at least one port mapping.")
    return _command(f"ports:{action}", app, *mappings, app=app, mutates=True)


@allows("ports:clear")
def ports_clear(app: str) -> Command:
    """Clear all port mappings of an app."""
    app = v.app_name(app)
    return _command("ports:clear", app, app=app, mutates=True)


@allows("proxy:enable", "proxy:disable")
def proxy_toggle(action: str, app: str) -> Command:
    """Enable or disable the proxy of an app."""
    action = v.choice(action, ("enable", "disable"), "action", "Action")
    app = v.app_name(app)
    return _command(f"proxy:{action}", app, app=app, mutates=True, long=True)


# --- deploy: git, builder, buildpacks, checks --------------------------------

# Dokku splits `git:*` command lines on whitespace only, without xargs' quote
# handling (reference 0.1), so a quoted argument would arrive with its quotes
# in it. Every git argument must therefore be made of characters that travel
# unquoted.
_GIT_WIRE_SAFE = re.compile(r"^[A-Za-z0-9@%+=:,./_-]+$")
GIT_SYNC_SCHEMES = ("https", "ssh")


def _without_credentials(url: str) -> str:
    """Return url with any user:password@ replaced by ***@ (for display)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urllib.parse.urlunsplit(parts._replace(netloc=f"{SECRET}@{host}"))
    return url


def _sync_url(value: str) -> str:
    """Validate a git:sync remote: https://, ssh:// or git@host:path, wire-safe.

    Plain http:// and git:// are refused: both send the code (and any
    credentials in the URL) in clear text. An '@' after the host would make
    the user:password part ambiguous, and so impossible to hide reliably.
    """
    if isinstance(value, str) and "://" in value and \
            value.strip().split("://", 1)[0].lower() not in GIT_SYNC_SCHEMES:
        raise v.ValidationError(
            "repository", "Repository must be an https://, ssh:// or git@host:path URL.")
    url = v.git_url(value, field="repository")
    if not _GIT_WIRE_SAFE.match(url):
        raise v.ValidationError(
            "repository", "Repository URL may hold only letters, digits and @%+=:,./_- "
            "(Dokku passes git commands on without quoting).")
    if v.SCP_URL_RE.match(url):
        return url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in GIT_SYNC_SCHEMES:
        raise v.ValidationError(
            "repository", "Repository must be an https://, ssh:// or git@host:path URL.")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise v.ValidationError("repository", "Repository URL has an invalid port.") from None
    if "@" in url.split("://", 1)[1].partition("/")[2]:
        raise v.ValidationError(
            "repository", "Repository URL may hold '@' only in user:password@host.")
    return url


@allows("git:sync")
def git_sync(app: str, repository: str, ref: str | None = None, *, build: bool = True) -> Command:
    """Fetch a repository into an app and (by default) build it."""
    app = v.app_name(app)
    repository = _sync_url(repository)
    args = ["git:sync"] + (["--build"] if build else []) + [app, repository]
    if ref:
        args.append(v.git_ref(ref))
    shown = [_without_credentials(a) if a == repository else a for a in args]
    secrets = ()
    userinfo = urllib.parse.urlsplit(repository).netloc.rpartition("@")[0]
    if userinfo and "://" in repository:
        secrets = (userinfo,) + tuple(p for p in userinfo.split(":") if len(p) >= 4)
        # git may print the URL percent-decoded.
        decoded = urllib.parse.unquote(userinfo)
        if decoded != userinfo:
            secrets += (decoded,) + tuple(p for p in decoded.split(":") if len(p) >= 4)
    return _command(*args, shown=shown, app=app, mutates=True, long=True,
                    secrets=secrets)


@allows("git:set")
def git_set(app: str, prop: str, value: str) -> Command:
    """Set a git property (deploy-branch, keep-git-dir)."""
    app = v.app_name(app)
    prop = v.choice(prop, ("deploy-branch", "keep-git-dir"), "property", "Property")
    if prop == "deploy-branch":
        value = v.git_ref(value, field="value")
    else:
        value = v.choice(value, ("true", "false"), "value", "Value")
    return _command("git:set", app, prop, value, app=app, mutates=True)


_BUILD_DIR_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


@allows("builder:set")
def builder_set(app: str, prop: str, value: str = "") -> Command:
    """Select the builder or the build directory (empty value resets)."""
    app = v.app_name(app)
    prop = v.choice(prop, ("selected", "build-dir"), "property", "Property")
    args = ["builder:set", app, prop]
    if value:
        if prop == "selected":
            args.append(v.choice(value, BUILDERS, "value", "Builder"))
        else:
            text = v._text("value", value, "Build directory")
            if not _BUILD_DIR_RE.match(text) or ".." in text.split("/"):
                raise v.ValidationError(
                    "value", "Build directory must be a relative path of letters, digits "
                    "and _.-/ (no '..').")
            args.append(text)
    return _command(*args, app=app, mutates=True)


@allows("buildpacks:list")
def buildpacks_list(app: str) -> Command:
    """List the buildpacks of an app."""
    app = v.app_name(app)
    return _command("buildpacks:list", app, app=app)


_BUILDPACK_URL_RE = re.compile(r"^[A-Za-z0-9@%+=:,./_#~-]+$")


@allows("buildpacks:add", "buildpacks:remove")
def buildpacks_change(action: str, app: str, url: str, index: int | str | None = None) -> Command:
    """Add (optionally at a 1-based index) or remove a buildpack."""
    action = v.choice(action, ("add", "remove"), "action", "Action")
    app = v.app_name(app)
    if isinstance(url, str) and ("://" in url or "@" in url):
        url = v.git_url(url, field="url")
        if not _BUILDPACK_URL_RE.match(url):
            raise v.ValidationError(
                "url", "Buildpack URL may hold only letters, digits and @%+=:,./_#~-.")
    else:
        url = _buildpack_name(url)
    args = [f"buildpacks:{action}"]
    if action == "add" and index not in (None, ""):
        position = v.count(index, field="index", maximum=100)
        if position < 1:
            raise v.ValidationError("index", "Position must be a whole number from 1 to 100.")
        args += ["--index", str(position)]
    args += [app, url]
    return _command(*args, app=app, mutates=True)


def _buildpack_name(value: str) -> str:
    """Validate a short buildpack reference like heroku/nodejs."""
    text = v._text("url", value, "Buildpack")
    if not all(c.isalnum() or c in "/._-" for c in text):
        raise v.ValidationError("url", "Buildpack must be a URL or a name like heroku/nodejs.")
    return text


@allows("buildpacks:clear")
def buildpacks_clear(app: str) -> Command:
    """Remove every buildpack setting of an app."""
    app = v.app_name(app)
    return _command("buildpacks:clear", app, app=app, mutates=True)


@allows("checks:enable", "checks:disable", "checks:skip")
def checks_change(action: str, app: str, process_types: list[str] | None = None) -> Command:
    """Enable, disable or skip zero-downtime checks (optionally per process)."""
    action = v.choice(action, CHECK_ACTIONS, "action", "Action")
    app = v.app_name(app)
    args = [f"checks:{action}", app]
    if process_types:
        args.append(",".join(v.process_type(p, field="process_types") for p in process_types))
    return _command(*args, app=app, mutates=True)


@allows("checks:run")
def checks_run(app: str, process_type: str | None = None) -> Command:
    """Run the healthchecks of a running app."""
    app = v.app_name(app)
    args = ["checks:run", app] + ([v.process_type(process_type)] if process_type else [])
    return _command(*args, app=app, mutates=False, long=True)


# --- storage ------------------------------------------------------------------

# Absolute paths of plain characters: nothing a shell, Dokku's argument
# splitting or docker's `-v host:container[:opts]` syntax would read.
_MOUNT_PATH_RE = re.compile(r"^/[A-Za-z0-9_.@+=,%/-]*$")


def _mount_path(value, field: str, what: str) -> str:
    """Validate an absolute mount path: no spaces, ':', '..' or shell characters."""
    text = v._text(field, value, what)
    if not _MOUNT_PATH_RE.match(text) or ".." in text.split("/"):
        raise v.ValidationError(
            field, f"{what} must be absolute, without spaces, ':' or '..' "
            "(letters, digits and _.@+=,%/- only).")
    return text


@allows("storage:list")
def storage_list(app: str) -> Command:
    """List the bind mounts of an app as JSON (Dokku 0.29.3+)."""
    app = v.app_name(app)
    return _command("storage:list", app, "--format", "json", app=app)


@allows("storage:mount", "storage:unmount")
def storage_change(action: str, app: str, host_path: str, container_path: str) -> Command:
    """Mount or unmount host_path:container_path."""
    action = v.choice(action, ("mount", "unmount"), "action", "Action")
    app = v.app_name(app)
    host = _mount_path(v.host_path(host_path), "host_path", "Host path")
    container = _mount_path(v.container_path(container_path), "container_path",
                            "Container path")
    return _command(f"storage:{action}", app, f"{host}:{container}", app=app, mutates=True)


# entry.go ValidateEntryName: a DNS-1123 label of at most 45 characters.
_STORAGE_ENTRY_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,43}[a-z0-9])?$")


@allows("storage:unmount")
def storage_unmount_volume(app: str, volume: str, container_path: str) -> Command:
    """Unmount a colon-form docker volume mount (`storage:unmount app VOLUME:/path`)."""
    app = v.app_name(app)
    if not storage_entries.DOCKER_VOLUME_RE.match(volume or ""):
        raise v.ValidationError("host_path", "A docker volume name is letters, digits, '_', '.' "
                                "and '-', two characters or more (plugins/storage VerifyPaths).")
    container = _mount_path(v.container_path(container_path), "container_path", "Container path")
    return _command("storage:unmount", app, f"{volume}:{container}", app=app, mutates=True)


@allows("storage:unmount")
def storage_unmount_entry(app: str, entry: str, container_path: str) -> Command:
    """Unmount a named storage entry (`storage:unmount app NAME --container-dir PATH`).

    The colon form cannot: Dokku derives a legacy-<hash> entry name from it
    (plugins/storage subcommands.go unmountLegacyColon), see storage_entries.
    """
    app = v.app_name(app)
    if not _STORAGE_ENTRY_RE.match(entry or ""):
        raise v.ValidationError("entry_name", "A storage entry name is a DNS-1123 label: "
                                "lowercase letters, digits and '-', at most 45 characters.")
    container = _mount_path(v.container_path(container_path), "container_path", "Container path")
    return _command("storage:unmount", app, entry, "--container-dir", container, app=app,
                    mutates=True)


# --- resources --------------------------------------------------------------

@allows("resource:limit", "resource:reserve")
def resource_set(kind: str, app: str, *, cpu: str = "", memory: str = "",
                 process_type: str | None = None) -> Command:
    """Set a cpu/memory limit or reservation, optionally per process type."""
    kind = v.choice(kind, ("limit", "reserve"), "kind", "Kind")
    app = v.app_name(app)
    args = [f"resource:{kind}"]
    if cpu:
        args += ["--cpu", v.cpu(cpu)]
    if memory:
        args += ["--memory", v.memory(memory)]
    if len(args) == 1:
        raise v.ValidationError("cpu", "Give a CPU or memory value.")
    if process_type:
        args += ["--process-type", v.process_type(process_type)]
    args.append(app)
    return _command(*args, app=app, mutates=True)


# Dokku's name for the settings of every process type (plugins/resource
# functions.go setResourceType: an empty --process-type is stored as this).
RESOURCE_DEFAULT_PROCESS = "_default_"


@allows("resource:limit-clear", "resource:reserve-clear")
def resource_clear(kind: str, app: str, process_type: str = RESOURCE_DEFAULT_PROCESS) -> Command:
    """Clear the limits or reservations of ONE process type (`_default_` = the all-process row).

    Always sends --process-type: without it Dokku's clearByResourceType
    (plugins/resource/functions.go) deletes every resource property of the
    app, limits and reservations of every process type alike.
    """
    kind = v.choice(kind, ("limit", "reserve"), "kind", "Kind")
    app = v.app_name(app)
    process_type = process_type or RESOURCE_DEFAULT_PROCESS
    if process_type != RESOURCE_DEFAULT_PROCESS:
        process_type = v.process_type(process_type)
    return _command(f"resource:{kind}-clear", "--process-type", process_type, app,
                    app=app, mutates=True)


def resource_clear_everything(app: str) -> Command:
    """Delete every limit and reservation of every process type (`resource:limit-clear <app>`).

    clearByResourceType with an empty process type removes all of the app's
    resource properties whichever of limit-clear/reserve-clear runs; the
    view asks for the typed app name first.
    """
    app = v.app_name(app)
    return _command("resource:limit-clear", app, app=app, mutates=True)


# --- network and docker options ------------------------------------------------

@allows("network:set")
def network_set(app: str, prop: str, value: str = "") -> Command:
    """Set (or, with no value, reset) a network property."""
    app = v.app_name(app)
    prop = v.choice(prop, NETWORK_PROPERTIES, "property", "Property")
    args = ["network:set", app, prop]
    if value:
        if prop == "bind-all-interfaces":
            args.append(v.choice(value, ("true", "false"), "value", "Value"))
        elif prop == "tld":
            args.append(v.hostname(value, field="value"))
        elif prop == "static-web-listener":
            host, sep, port = v._text("value", value, "Listener").rpartition(":")
            if not sep:
                raise v.ValidationError("value", "Listener must look like 127.0.0.1:5000.")
            args.append(f"{v.hostname(host, field='value')}:{v.port(port, field='value')}")
        else:
            args.append(v.network_name(value, field="value"))
    return _command(*args, app=app, mutates=True)


# Dokku evaluates docker options with bash when it builds the `docker run`
# line, so shell syntax in an option would run on the host.
_DOCKER_OPTION_SHELL = set("`$;|&<>\\")
_ECHO_WORD_RE = re.compile(r"^(-[neE]+|--help|--version)$")


def _docker_option(value) -> str:
    """Validate a docker option, refusing shell syntax and words echo would eat."""
    option = v.docker_option(value)
    bad = sorted(set(option) & _DOCKER_OPTION_SHELL)
    if bad:
        raise v.ValidationError(
            "option", "Docker option may not contain " + " ".join(bad)
            + " (Dokku evaluates options with bash on the host).")
    if option.count("'") % 2 or option.count('"') % 2:
        raise v.ValidationError("option", "Docker option has an unclosed quote.")
    if _ECHO_WORD_RE.match(option):
        raise v.ValidationError(
            "option", f"'{option}' cannot travel as a Dokku argument (echo would swallow it).")
    return option


def _phases(phases) -> list[str]:
    """Validate a list of phases (build, deploy, run), keeping Dokku's order."""
    chosen = {v.choice(p, PHASES, "phases", "Phase") for p in phases}
    return [p for p in PHASES if p in chosen]


@allows("docker-options:add", "docker-options:remove")
def docker_options_change(action: str, app: str, phases: list[str], option: str,
                          process: str | None = None) -> Command:
    """Add or remove a docker option for some phases (root-equivalent power).

    With process, the option is scoped to that process type (Dokku 0.38+,
    deploy phase only); `--process` goes before the app because Dokku's
    flag set stops at the first positional (SetInterspersed(false)).
    """
    action = v.choice(action, ("add", "remove"), "action", "Action")
    app = v.app_name(app)
    phases = _phases(phases)
    if not phases:
        raise v.ValidationError("phases", "Choose at least one phase.")
    option = _docker_option(option)
    scope = _docker_options_process(process, phases)
    return _command(f"docker-options:{action}", *scope, app, ",".join(phases), option,
                    app=app, mutates=True)


def _docker_options_process(process: str | None, phases: list[str]) -> list[str]:
    """Return ["--process", P] for a process scope, after Dokku's own checks (ValidateProcessFlag)."""
    if not process:
        return []
    if process == "_default_":
        raise v.ValidationError("process", "'_default_' is reserved by Dokku; leave the process "
                                "empty for options that apply to every process.")
    process = v.process_type(process, field="process")
    if phases != ["deploy"]:
        raise v.ValidationError("process", "Dokku scopes options to a process type in the deploy "
                                "phase only (plugins/docker-options ValidateProcessFlag).")
    return ["--process", process]


@allows("docker-options:clear")
def docker_options_clear(app: str, phases: list[str] | None = None,
                         process: str | None = None) -> Command:
    """Clear docker options, for some phases or all.

    Without process Dokku clears the default scope only (functions.go
    clearDefaultScope): options scoped to a process type stay. With process
    it clears that type's deploy options.
    """
    app = v.app_name(app)
    if process:
        chosen = _phases(phases or ["deploy"])
        scope = _docker_options_process(process, chosen)
        return _command("docker-options:clear", *scope, app, "deploy", app=app, mutates=True)
    extra = [",".join(_phases(phases))] if phases else []
    return _command("docker-options:clear", app, *extra, app=app, mutates=True)


# --- letsencrypt ------------------------------------------------------------

@allows("letsencrypt:list")
def letsencrypt_list() -> Command:
    """List apps with Let's Encrypt certificates and their expiry."""
    return _command("letsencrypt:list")


@allows("letsencrypt:active")
def letsencrypt_active(app: str) -> Command:
    """Say whether Let's Encrypt is active for an app."""
    app = v.app_name(app)
    return _command("letsencrypt:active", app, app=app)


@allows("letsencrypt:set")
def letsencrypt_set_email(app: str, address: str) -> Command:
    """Set the Let's Encrypt e-mail of an app."""
    app = v.app_name(app)
    return _command("letsencrypt:set", app, "email", v.email(address), app=app, mutates=True)


@allows("letsencrypt:enable", "letsencrypt:disable", "letsencrypt:auto-renew")
def letsencrypt_action(action: str, app: str) -> Command:
    """Enable, disable or renew Let's Encrypt for an app (talks to the ACME CA)."""
    action = v.choice(action, ("enable", "disable", "auto-renew"), "action", "Action")
    app = v.app_name(app)
    return _command(f"letsencrypt:{action}", app, app=app, mutates=True, long=True)


# --- logs -------------------------------------------------------------------

@allows("logs")
def logs(app: str, *, num: int = 100, process_type: str | None = None,
         tail: bool = False) -> Command:
    """Print (or follow) an app's logs. Long options only: echo eats `-n`."""
    app = v.app_name(app)
    num = v.count(num, field="lines", maximum=10000)
    args = ["logs", app, "--num", str(num)]
    if process_type:
        args += ["--ps", v.process_type(process_type)]
    if tail:
        args.append("--tail")
    return _command(*args, app=app, long=tail, timeout=0 if tail else None)


# --- plugins (root only except list) -----------------------------------------

@allows("plugin:list")
def plugin_list(*, json: bool = False) -> Command:
    """List installed plugins."""
    return _command("plugin:list", *(["--format", "json"] if json else []))


@allows("plugin:install")
def plugin_install(url: str, name: str | None = None) -> Command:
    """Install a plugin from a git or https URL (root only)."""
    args = ["plugin:install", v.plugin_url(url)]
    if name:
        args += ["--name", v.plugin_name(name)]
    return _command(*args, mutates=True, long=True, root=True)


@allows("plugin:update")
def plugin_update(name: str) -> Command:
    """Update a plugin to its latest version (root only)."""
    return _command("plugin:update", v.plugin_name(name), mutates=True, long=True, root=True)


@allows("plugin:enable", "plugin:disable", "plugin:uninstall")
def plugin_action(action: str, name: str) -> Command:
    """Enable, disable or uninstall a plugin (root only)."""
    action = v.choice(action, ("enable", "disable", "uninstall"), "action", "Action")
    return _command(f"plugin:{action}", v.plugin_name(name), mutates=True,
                    long=action == "uninstall", root=True)


# --- datastores ---------------------------------------------------------------

for _plugin in DATASTORE_PLUGINS:
    for _verb in DATASTORE_VERBS:
        ALLOWED[f"{_plugin}:{_verb}"] = f"{_verb.capitalize()} {_plugin} services."


def register_datastore(plugin: str) -> str:
    """Accept a non-official datastore plugin seen in plugin:list by name."""
    plugin = v.plugin_name(plugin, field="plugin")
    if plugin not in DATASTORE_PLUGINS:
        _DYNAMIC_DATASTORES.add(plugin)
    return plugin


def _datastore(plugin: str) -> str:
    """Validate that plugin is an official or a registered datastore plugin."""
    if plugin in DATASTORE_PLUGINS or plugin in _DYNAMIC_DATASTORES:
        return plugin
    raise v.ValidationError("plugin", f"{plugin!r} is not a known datastore plugin.")


def service_list(plugin: str) -> Command:
    """List the services of a datastore plugin."""
    return _command(f"{_datastore(plugin)}:list")


def service_info(plugin: str, name: str, flag: str | None = None) -> Command:
    """Show one service; the full info holds the DSN, so its output is redacted."""
    args = [f"{_datastore(plugin)}:info", v.existing_service_name(name)]
    if flag:
        args.append(v.choice(flag, ("--status", "--version", "--links", "--dsn"), "flag", "Flag"))
    return _command(*args, redact_output="service")


def service_create(plugin: str, name: str) -> Command:
    """Create a datastore service."""
    return _command(f"{_datastore(plugin)}:create", v.service_name(name), mutates=True,
                    long=True, redact_output="service")


def service_link(action: str, plugin: str, name: str, app: str, *,
                 restart: bool = True) -> Command:
    """Link or unlink a service to an app (sets DATABASE_URL; restarts the app)."""
    action = v.choice(action, ("link", "unlink"), "action", "Action")
    app = v.app_name(app)
    args = [f"{_datastore(plugin)}:{action}", v.existing_service_name(name), app]
    if not restart:
        args.append("--no-restart")
    return _command(*args, app=app, mutates=True, long=True, redact_output="service")


def service_destroy(plugin: str, name: str) -> Command:
    """Destroy a service (the caller confirms by typed name)."""
    return _command(f"{_datastore(plugin)}:destroy", v.existing_service_name(name), "--force",
                    mutates=True, long=True)


def service_exists(plugin: str, name: str) -> Command:
    """Say whether a service exists (exit code)."""
    return _command(f"{_datastore(plugin)}:exists", v.existing_service_name(name))
