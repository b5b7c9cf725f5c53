"""Official datastore plugins (postgres, mysql, mariadb, mongo, redis, ...): one template.

Modelled on dokku/dokku-postgres 1.48 (common-functions, functions, subcommands/*);
dokku-redis 1.43 and the other official plugins are generated from the same
template. They are bash plugins: arguments are positional, a missing service is
``<Service> service X does not exist`` with exit 1, and a link is found by
searching the app's ``config:show`` text for the service URL.

State: a service record (state.make_service) has ``status`` ``running``,
``exited`` (paused) or ``missing`` (its container removed by ``:stop``) and
``links`` (the LINKS file). Linking also adds ``--link <container>:<host>`` to
the app's build, deploy and run docker-options, as the plugin does.
"""

import re

from .. import state as store
from ..core import INFO2, VERBOSE, CommandExit
from . import config as config_cmds

# common-functions is_valid_service_name; the refusal names fewer characters than it accepts.
NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
BAD_NAME = "Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+"
NO_NAME = "Please specify a valid name for the service"
NO_APP = "Please specify an app to run the command on"
CONFIG_KEY_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # plugins/config config.go validateKey
COLOURS = ("AQUA", "BLACK", "BLUE", "FUCHSIA", "GRAY", "GREEN", "LIME", "MAROON", "NAVY",
           "OLIVE", "PURPLE", "RED", "SILVER", "TEAL", "WHITE", "YELLOW")
INFO_FLAGS = ("--config-dir", "--config-options", "--data-dir", "--dsn", "--exposed-ports", "--id",
              "--internal-ip", "--initial-network", "--links", "--post-create-network",
              "--post-start-network", "--service-root", "--status", "--version")
CREATES_DATABASE = ("postgres", "mysql", "mariadb")
# service_parse_args: long options become getopts letters; these take a value.
LONG_OPTIONS = {"--alias": "-a", "--config-options": "-c", "--custom-env": "-C", "--database": "-d",
                "--image-version": "-I", "--initial-network": "-N", "--image": "-i", "--memory": "-m",
                "--no-restart": "-n", "--password": "-p", "--post-create-network": "-P",
                "--post-start-network": "-S", "--querystring": "-q", "--restart-apps": "-R",
                "--root-password": "-r", "--shm-size": "-s", "--user": "-u"}
VALUE_OPTIONS = set("acCdiImNpPqRrsSu")


def label_of(plugin):
    """Return PLUGIN_SERVICE (``Postgres``, ``Redis``, ...)."""
    return store.DATASTORES[plugin][0]


def help_entries(plugin):
    """Return the ``<plugin>:help`` entries."""
    return [
        (f"{plugin}:app-links <app>", f"List all {plugin} service links for a given app"),
        (f"{plugin}:create <service> [--create-flags...]", f"Create a {plugin} service"),
        (f"{plugin}:destroy <service> [-f|--force]", f"Delete the {plugin} service/data/container if there are no links left"),
        (f"{plugin}:exists <service>", f"Check if the {plugin} service exists"),
        (f"{plugin}:info <service> [--single-info-flag]", "Print the service information"),
        (f"{plugin}:link <service> <app> [--link-flags...]", f"Link the {plugin} service to the app"),
        (f"{plugin}:links <service>", "List all apps linked to the service"),
        (f"{plugin}:list", f"List all {plugin} services"),
        (f"{plugin}:restart <service>", "Graceful shutdown and restart of the service container"),
        (f"{plugin}:start <service>", "Start a previously stopped service"),
        (f"{plugin}:stop <service>", "Stop a running service"),
        (f"{plugin}:unlink <service> <app>", f"Unlink the {plugin} service from the app"),
    ]


def parse_service_args(args):
    """Return the options service_parse_args (common-functions) reads, getopts-style.

    Parsing stops at the first word that is not an option, as getopts does.
    """
    words = [LONG_OPTIONS.get(a, a) for a in args]
    options, i = {}, 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-") or word in ("-", "--"):
            break
        letters, i = word[1:], i + 1
        for j, letter in enumerate(letters):
            if letter in VALUE_OPTIONS:
                value = letters[j + 1:]
                if not value and i < len(words):
                    value, i = words[i], i + 1
                options[letter] = value
                break
            options[letter] = True
    return options


def service_or_fail(ctx, plugin, name, st=None):
    """Return the service record or fail like the subcommands and verify_service_name."""
    st = st or ctx.state
    if not name:
        ctx.fail(NO_NAME)
    service = st["services"].get(plugin, {}).get(name)
    if service is None:
        ctx.fail(f"{label_of(plugin)} service {name} does not exist")
    return service


def container_name(plugin, name):
    """Return get_service_name: ``dokku.<plugin>.<service>``."""
    return f"dokku.{plugin}.{name}"


def dns_hostname(plugin, name):
    """Return service_dns_hostname: the container name with ``.`` and ``_`` turned into ``-``."""
    return container_name(plugin, name).replace(".", "-").replace("_", "-")


def service_url(plugin, name, service, app=None):
    """Return service_url, with the app's ``<PLUGIN>_DATABASE_SCHEME`` (update_plugin_scheme_for_app)."""
    url = store.service_dsn(plugin, name, service)
    scheme = (app or {}).get("config", {}).get(f"{plugin.upper()}_DATABASE_SCHEME")
    return scheme + url[url.index("://"):] if scheme else url


def info_values(plugin, name, service):
    """Return the ``--flag -> value`` map of <plugin>:info (common-functions service_info)."""
    root = f"/var/lib/dokku/services/{plugin}/{name}"
    running = service["status"] == "running"
    exists = service["status"] != "missing"
    return {
        "--config-dir": f"{root}/data" if plugin == "postgres" else f"{root}/config",
        "--config-options": service.get("config_options", ""),
        "--data-dir": f"{root}/data",
        "--dsn": store.service_dsn(plugin, name, service),
        "--exposed-ports": service.get("exposed_ports") or "-",
        "--id": service["id"],
        "--internal-ip": service["internal_ip"] if running else "",
        "--initial-network": service.get("initial_network", ""),
        "--links": "".join(a + " " for a in sorted(set(service["links"]))) or "-",
        "--post-create-network": service.get("post_create_network", ""),
        "--post-start-network": service.get("post_start_network", ""),
        "--service-root": root,
        "--status": service["status"],
        "--version": service["version"] if exists else "",
    }


def info_block(ctx, plugin, name, service):
    """Print the whole info block: ``printf "%-20s %-25s"`` rows under an info2 header."""
    values = info_values(plugin, name, service)
    ctx.info2(f"{name} {plugin} service information", quiet=True)
    ctx.lines([VERBOSE + "%-20s %-25s" % (flag[2:].replace("-", " ").capitalize() + ":", values[flag])
               for flag in INFO_FLAGS])


def config_text(name, app):
    """Return the `config:show` lines the plugin greps (config_all)."""
    lines = [f"=====> {name} env vars"]
    for key in sorted(app["config"]):
        lines += f"{key}:  {app['config'][key]}".split("\n")
    return lines


def linked_keys(name, app, url):
    """Return the keys whose config:show line contains *url* (`grep URL | cut -d: -f1`)."""
    return [line.split(":", 1)[0] for line in config_text(name, app) if url in line]


def in_use(name, app, alias):
    """Tell whether ``<ALIAS>_URL`` appears anywhere in config:show's text (a grep)."""
    return any(f"{alias}_URL" in line for line in config_text(name, app))


def link_docker_option(app, plugin, service_name, add):
    """Add or remove ``--link`` in the build/deploy/run docker-options of *app*."""
    option = f"--link {container_name(plugin, service_name)}:{dns_hostname(plugin, service_name)}"
    for phase in ("build", "deploy", "run"):
        options = app["docker_options"].setdefault(phase, [])
        if option in options:
            options.remove(option)
        if add:
            options.append(option)


def no_restart_requested(ctx, args, options=None):
    """Tell whether the app must not restart: a ``--no-restart`` word or ``-n``/``-R false``."""
    words = list(ctx.opts.leading) + list(args)
    return any("--no-restart" in w for w in words if w.startswith("--")) or bool(
        options and (options.get("n") is True or options.get("R") == "false"))


# ------------------------------------------------------------------ commands


def cmd_list(ctx, plugin, args):
    """<plugin>:list (subcommands/list, common-functions service_list)."""
    names = sorted(ctx.state["services"].get(plugin, {}))
    if not names:
        ctx.warn(f"There are no {label_of(plugin)} services")
        return 0
    ctx.info2(f"{label_of(plugin)} services", quiet=True)
    ctx.lines(names)
    return 0


def cmd_create(ctx, plugin, args):
    """<plugin>:create (subcommands/create, functions service_create, service_create_container)."""
    name = args[0] if args else ""
    if not NAME_RE.fullmatch(name):
        ctx.fail(BAD_NAME)
    options = parse_service_args(args[1:])
    with ctx.transaction() as st:
        services = st["services"].setdefault(plugin, {})
        if name in services:
            ctx.fail(f"{label_of(plugin)} service {name} already exists")
        service = services[name] = store.make_service(plugin, name)
        if options.get("p"):
            service["password"] = options["p"]
        if options.get("c"):
            service["config_options"] = options["c"]
        image = options.get("i") or service["version"].rsplit(":", 1)[0]
        service["version"] = f"{image}:{options.get('I') or service['version'].rsplit(':', 1)[1]}"
    if options.get("p"):
        ctx.warn("Specified password may not be as secure as the auto-generated password")
    lines = [f"{VERBOSE}Waiting for container to be ready"]
    if plugin in CREATES_DATABASE:
        lines.append(f"{VERBOSE}Creating container database")
    if plugin == "postgres":
        lines.append(f"{VERBOSE}Securing connection to database")
    if ctx.quiet:
        lines = []
    ctx.stream(lines + [f"{INFO2}{label_of(plugin)} container created: {name}"])
    info_block(ctx, plugin, name, service)
    return 0


def cmd_info(ctx, plugin, args):
    """<plugin>:info (subcommands/info, common-functions service_info)."""
    name = args[0] if args else ""
    service = service_or_fail(ctx, plugin, name)
    flag = args[1] if len(args) > 1 else ""
    if not flag:
        info_block(ctx, plugin, name, service)
        return 0
    values = info_values(plugin, name, service)
    if flag not in values:
        ctx.fail("Invalid flag passed, valid flags:" + "".join(" " + f for f in INFO_FLAGS))
    ctx.out(values[flag])
    return 0


def choose_alias(ctx, plugin, name, app, options):
    """Pick the config alias like service_link: -a, the default, or the first free colour."""
    if options.get("a"):
        alias = str(options["a"]).upper()
        alias = alias[:-len("_URL")] if alias.endswith("_URL") else alias
        if in_use(name, app, alias):
            ctx.fail(f"Specified alias {alias} already in use")
        return alias
    alias = store.DATASTORES[plugin][1]
    if in_use(name, app, alias):
        alias = next((f"DOKKU_{plugin.upper()}_{c}" for c in COLOURS
                      if not in_use(name, app, f"DOKKU_{plugin.upper()}_{c}")), "")
    if not alias:
        ctx.fail("Unable to use default or generated URL alias")
    return alias


def link_names(ctx, args):
    """Return ``(service, app)`` of link/unlink, the app defaulting to ``--app``; refuse blanks."""
    service_name, app_name = (list(args[:2]) + ["", ""])[:2]
    app_name = app_name or (ctx.opts.app or "")
    if not service_name:
        ctx.fail(NO_NAME)
    if not app_name:
        ctx.fail(NO_APP)
    return service_name, app_name


def cmd_link(ctx, plugin, args):
    """<plugin>:link (subcommands/link, common-functions service_parse_args, service_link).

    Order: alias checks, then ``Already linked as KEY`` (any config line holding the
    URL), then the LINKS file and docker-options, then config:set of ``<ALIAS>_URL``
    with the URL (plus ``?querystring``); the key is not checked before that.
    """
    service_name, app_name = link_names(ctx, args)
    app = ctx.verify_app_bash(app_name)
    service = service_or_fail(ctx, plugin, service_name)
    options = parse_service_args(args[2:])
    url = service_url(plugin, service_name, service, app)
    alias = choose_alias(ctx, plugin, app_name, app, options)
    linked = linked_keys(app_name, app, url)
    if linked:
        ctx.fail("Already linked as " + "\n".join(linked))
    with ctx.transaction() as st:
        links = service_or_fail(ctx, plugin, service_name, st)["links"]
        if app_name not in links:
            links.append(app_name)
            links.sort()
        link_docker_option(st["apps"][app_name], plugin, service_name, add=True)
    query = str(options.get("q") or "").lstrip("?")
    key = f"{alias}_URL"
    if not CONFIG_KEY_RE.fullmatch(key):
        ctx.fail(f"Invalid key name: '{key}'")  # config_set refuses it, after the link was recorded
    no_restart = no_restart_requested(ctx, args, options)
    config_cmds.set_vars(ctx, app_name, {key: url + (f"?{query}" if query else "")}, no_restart)
    if no_restart:
        ctx.verbose("Skipping restart of linked app")
    return 0


def cmd_unlink(ctx, plugin, args):
    """<plugin>:unlink (subcommands/unlink, common-functions service_unlink).

    No option parsing: only a ``--no-restart`` word (DOKKU_GLOBAL_FLAGS) skips the
    restart. The LINKS entry and docker-option go before the config check, so an
    app that is not linked is still cleaned up, then refused.
    """
    service_name, app_name = link_names(ctx, args)
    service = service_or_fail(ctx, plugin, service_name)
    app = ctx.verify_app_bash(app_name)
    keys = linked_keys(app_name, app, service_url(plugin, service_name, service, app))
    with ctx.transaction() as st:
        links = service_or_fail(ctx, plugin, service_name, st)["links"]
        while app_name in links:
            links.remove(app_name)
        link_docker_option(st["apps"][app_name], plugin, service_name, add=False)
    if not keys:
        ctx.fail(f"Not linked to app {app_name}")
    no_restart = no_restart_requested(ctx, args)
    config_cmds.unset_vars(ctx, app_name, keys, no_restart)
    if no_restart:
        ctx.verbose("Skipping restart of linked app")
    return 0


def pause_lines(ctx, service):
    """Print service_pause's lines; return whether a container was there to pause."""
    if service["status"] == "missing":
        ctx.warn("Service is already paused")
        return False
    ctx.stream([] if ctx.quiet else [f"{INFO2}Pausing container", f"{VERBOSE}Container paused"])
    return True


def cmd_destroy(ctx, plugin, args):
    """<plugin>:destroy (subcommands/destroy): ``-f``/``--force``/``force`` only as 2nd word."""
    name = args[0] if args else ""
    if not name:
        ctx.fail(NO_NAME)
    service = service_or_fail(ctx, plugin, name)
    if service["links"]:
        ctx.fail("Cannot delete linked service")
    force = ctx.force or (len(args) > 1 and args[1] in ("force", "-f", "--force"))
    if not force:
        ctx.warn("WARNING: Potentially Destructive Action")
        ctx.warn(f"This command will destroy {name} {label_of(plugin)} service.")
        ctx.warn(f'To proceed, type "{name}"')
        ctx.out("")
        if ctx.stdin.isatty():
            ctx.err_write("> ")  # bash `read -p` prompts on stderr, and only on a tty
        if ctx.stdin.readline().strip(" \t\n") != name:  # `read` trims IFS whitespace
            ctx.warn(f"Confirmation did not match {name}. Aborted.")
            raise CommandExit(1)
    ctx.info2(f"Deleting {name}", quiet=True)
    if pause_lines(ctx, service) and not ctx.quiet:
        ctx.verbose("Removing container")
    with ctx.transaction() as st:
        service_or_fail(ctx, plugin, name, st)
        del st["services"][plugin][name]
    ctx.stream(([] if ctx.quiet else [f"{VERBOSE}Removing data"])
               + [f"{INFO2}{label_of(plugin)} container deleted: {name}"])
    return 0


def cmd_exists(ctx, plugin, args):
    """<plugin>:exists (subcommands/exists)."""
    name = args[0] if args else ""
    service_or_fail(ctx, plugin, name)
    ctx.info1(f"Service {name} exists")
    return 0


def set_status(ctx, plugin, name, status):
    """Store a service's container status."""
    with ctx.transaction() as st:
        service_or_fail(ctx, plugin, name, st)["status"] = status


def start(ctx, plugin, name, service):
    """Model functions service_start: restart a paused container or recreate a removed one."""
    previous = service["status"]
    if previous == "running":
        ctx.warn("Service is already started")
        return
    ctx.info2("Starting container", quiet=True)
    set_status(ctx, plugin, name, "running")
    service["status"] = "running"
    if previous == "exited":
        ctx.info2("Container started")
        return
    lines = [] if ctx.quiet else [f"{VERBOSE}Waiting for container to be ready"]
    if plugin in CREATES_DATABASE and not ctx.quiet:
        lines += [f"{VERBOSE}Creating container database", f"{VERBOSE}Already exists"]
    if plugin == "postgres" and not ctx.quiet:
        lines.append(f"{VERBOSE}Securing connection to database")
    ctx.stream(lines + [f"{INFO2}{label_of(plugin)} container created: {name}"])
    info_block(ctx, plugin, name, service)


def cmd_start(ctx, plugin, args):
    """<plugin>:start (subcommands/start, functions service_start)."""
    name = args[0] if args else ""
    start(ctx, plugin, name, service_or_fail(ctx, plugin, name))
    return 0


def cmd_stop(ctx, plugin, args):
    """<plugin>:stop (subcommands/stop, common-functions service_container_rm): the container goes."""
    name = args[0] if args else ""
    service = service_or_fail(ctx, plugin, name)
    if pause_lines(ctx, service):
        if not ctx.quiet:
            ctx.verbose("Removing container")
        set_status(ctx, plugin, name, "missing")
    return 0


def cmd_restart(ctx, plugin, args):
    """<plugin>:restart (subcommands/restart): service_pause, service_start, then a hint."""
    name = args[0] if args else ""
    service = service_or_fail(ctx, plugin, name)
    if pause_lines(ctx, service):
        set_status(ctx, plugin, name, "exited")
        service["status"] = "exited"
    start(ctx, plugin, name, service)
    ctx.info1("Please call dokku ps:restart on all linked apps")
    return 0


def cmd_links(ctx, plugin, args):
    """<plugin>:links (subcommands/links, common-functions service_links)."""
    service = service_or_fail(ctx, plugin, args[0] if args else "")
    ctx.lines(sorted(set(service["links"])))
    return 0


def cmd_app_links(ctx, plugin, args):
    """<plugin>:app-links (subcommands/app-links, common-functions service_app_links)."""
    name = (args[0] if args else "") or (ctx.opts.app or "")
    if not name:
        ctx.fail(NO_APP)
    ctx.verify_app_bash(name)
    ctx.lines(sorted(s for s, rec in ctx.state["services"].get(plugin, {}).items() if name in rec["links"]))
    return 0


SUBCOMMANDS = {
    "list": cmd_list, "create": cmd_create, "info": cmd_info, "link": cmd_link,
    "unlink": cmd_unlink, "destroy": cmd_destroy, "exists": cmd_exists, "start": cmd_start,
    "stop": cmd_stop, "restart": cmd_restart, "links": cmd_links, "app-links": cmd_app_links,
}


def dispatch(ctx, plugin, sub, args):
    """Run ``<plugin>:<sub>``; NotImplemented means 'not a dokku command'."""
    handler = SUBCOMMANDS.get(sub)
    if handler is None:
        return NotImplemented
    return handler(ctx, plugin, args)
