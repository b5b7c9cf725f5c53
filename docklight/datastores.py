"""Datastore plugins and their services, as the Databases and Plugins pages show them.

Which plugins are datastores (the rule, kept simple on purpose):

* the official ones, by name (``commands.DATASTORE_PLUGINS``: postgres,
  mysql, redis, ...), when installed and enabled;
* any other enabled plugin that is not a core plugin and whose description
  mentions "service", "datastore" or "database" (the official plugins all
  describe themselves as "dokku <name> service plugin", and community
  datastores built from the same template keep that wording). Such a plugin
  is accepted by name with ``commands.register_datastore``. If it does not
  answer ``<name>:list`` like a datastore, its section says so with Dokku's
  own message instead of hiding it. A name whose commands already mean
  something else (``apps``, ``config``, ``plugin``, ...) is never taken.

Core plugins are those ``plugin:list --format json`` flags ``core``; the
text listing (Dokku before 0.38.22) has no such column, so there a plugin
whose description starts with "dokku core" counts as core.

Everything is read concurrently (a small thread pool: greenlets under
gunicorn's gevent worker), in two rounds: every plugin's ``:list`` and the
apps list, then every service's ``:info``. A plugin or service that fails
keeps its error in its own section; the rest of the page still shows. The
result is cached briefly by the Dokku client, and connection strings never
enter it: ``:info`` prints the DSN, which is dropped right after parsing.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from docklight.dokku import commands, parsers
from docklight.dokku import client
from docklight.dokku.actor import NOBODY, Actor
from docklight.dokku.client import Dokku
from docklight.dokku.errors import CommandFailed, DokkuError
from docklight.dokku.validators import ValidationError

MAX_WORKERS = 6
CACHE_KEY = "databases"
PLUGINS_KEY = client.PLUGINS_KEY
OFFICIAL = commands.DATASTORE_PLUGINS
DATASTORE_WORDS = re.compile(r"\b(?:services?|datastores?|databases?)\b", re.IGNORECASE)
# `plugin:list --format json` since 0.38.22 (read by the client), `apps:list
# --format json` since 0.38.21 (reference section 1, History).
PLUGIN_LIST_JSON_SINCE = client.PLUGIN_LIST_JSON_SINCE
APPS_LIST_JSON_SINCE = (0, 38, 21)


def official_url(name: str) -> str:
    """Return the repository of an official datastore plugin."""
    return f"https://github.com/dokku/dokku-{name}.git"


def install_command(name: str = "postgres") -> str:
    """Return the shell command that installs an official datastore plugin."""
    return f"sudo dokku plugin:install {official_url(name)} {name}"


# --- plugins ------------------------------------------------------------------

def is_core(plugin: parsers.Plugin) -> bool:
    """Return whether plugin is part of Dokku itself (guessed from text listings)."""
    if plugin.core is not None:
        return plugin.core
    return plugin.description.lower().startswith("dokku core")


def _taken_prefixes() -> set[str]:
    """Return command prefixes other builders already use (apps, config, plugin, ...)."""
    return {name.split(":")[0] for name in commands.ALLOWED} - set(OFFICIAL)


def is_datastore(plugin: parsers.Plugin) -> bool:
    """Return whether plugin is a datastore plugin by the rule in this module's doc.

    A name whose commands mean something else to Dokku (``apps``: apps:destroy
    is real) is never taken for a datastore, whatever its description says.
    """
    if plugin.name in OFFICIAL:
        return True
    if plugin.name in _taken_prefixes():
        return False
    return not is_core(plugin) and bool(DATASTORE_WORDS.search(plugin.description))


def load_plugins(dokku: Dokku, *, actor: Actor = NOBODY) -> list[parsers.Plugin]:
    """Ask Dokku for the installed plugins (the client's cached plugin:list read).

    :raise DokkuError: Dokku cannot be reached.
    :raise CommandFailed: plugin:list failed.
    """
    return dokku.plugins(actor=actor)


def plugins(dokku: Dokku, *, actor: Actor = NOBODY,
            refresh: bool = False) -> list[parsers.Plugin]:
    """Return the installed plugins from the short-lived cache."""
    if refresh:
        dokku.forget(PLUGINS_KEY)
    return dokku.plugins(actor=actor)


def detect(installed: list[parsers.Plugin]) -> list[str]:
    """Return the enabled datastore plugins' names, registering unofficial ones."""
    names = []
    for plugin in installed:
        if plugin.enabled and is_datastore(plugin):
            try:
                names.append(commands.register_datastore(plugin.name))
            except ValueError:  # a name our validators refuse: leave it alone
                continue
    return names


def known_datastore(dokku: Dokku, name: str, *, actor: Actor = NOBODY) -> str | None:
    """Return name if it is an installed datastore plugin here, else None.

    Unofficial plugins are accepted only once plugin:list has shown them
    (in this worker), so a request naming one checks the list first.
    """
    try:
        commands.service_list(name)  # refuses names not (yet) accepted as datastores
        return name
    except ValueError:
        pass
    if name in detect(plugins(dokku, actor=actor)):
        return name
    return None


# --- apps -----------------------------------------------------------------------

def load_apps(dokku: Dokku, *, actor: Actor = NOBODY) -> list[str]:
    """Ask Dokku for the app names (JSON when the host has it)."""
    json = dokku.version(actor=actor).at_least(*APPS_LIST_JSON_SINCE)
    result = dokku.check_result(dokku.run(commands.apps_list(json=json), actor=actor))
    if json:
        return sorted(parsers.parse_apps_list_json(result.stdout))
    return sorted(parsers.parse_apps_list(result.stdout))


# --- services ---------------------------------------------------------------------

def dom_id(*parts: str) -> str:
    """Return an HTML id for parts (plugin names may hold dots, which CSS reads as classes)."""
    return "-".join(parts).replace(".", "_")


class _Failure:
    """Split ``error`` into the two kinds ``_dokku_error.html`` tells apart."""

    @property
    def dokku_error(self) -> DokkuError | None:
        """Return the error if Dokku could not be reached or timed out."""
        return self.error if isinstance(self.error, DokkuError) else None

    @property
    def failed(self) -> CommandFailed | None:
        """Return the error if Dokku ran the command and refused it."""
        return self.error if isinstance(self.error, CommandFailed) else None


@dataclass
class Service(_Failure):
    """One datastore service, without its connection details."""

    plugin: str
    name: str
    status: str = ""
    version: str = ""
    links: tuple[str, ...] = ()
    exposed_ports: tuple[str, ...] = ()
    error: DokkuError | CommandFailed | None = None
    unread: str = ""  # why Docklight did not ask Dokku about this service

    @property
    def dom_id(self) -> str:
        """Return the id of this service's table row."""
        return dom_id("service", self.plugin, self.name)


@dataclass
class Section(_Failure):
    """One datastore plugin and its services, or what went wrong reading them."""

    plugin: str
    version: str = ""
    official: bool = True
    services: list[Service] = field(default_factory=list)
    error: DokkuError | CommandFailed | None = None

    @property
    def dom_id(self) -> str:
        """Return the id of this plugin's section."""
        return dom_id("datastore", self.plugin)


@dataclass
class Overview:
    """What the Databases page shows."""

    sections: list[Section]
    disabled: list[str]
    apps: list[str]
    fetched_at: float
    apps_error: DokkuError | CommandFailed | None = None


def _service_names(dokku: Dokku, plugin: str, actor) -> list[str]:
    result = dokku.check_result(dokku.run(commands.service_list(plugin), actor=actor))
    return parsers.parse_service_list(result.stdout)


def _service(dokku: Dokku, plugin: str, name: str, actor) -> Service:
    """Read one service's status, version and links (its DSN is dropped here)."""
    try:
        command = commands.service_info(plugin, name)
    except ValidationError as exc:
        # Listed by Dokku, but not a name we may put on a command line: show
        # the row, say why it was not read, and read the rest of the page.
        return Service(plugin, name, unread=f"Not read: {exc.message}")
    try:
        result = dokku.check_result(dokku.run(command, actor=actor))
        info = parsers.parse_service_info(result.stdout)
    except (DokkuError, CommandFailed) as exc:
        return Service(plugin, name, error=exc)
    except parsers.ParseError as exc:
        return Service(plugin, name, error=DokkuError("Unreadable service information",
                                                      str(exc)))
    return Service(plugin, name, status=info.status, version=info.version,
                   links=tuple(sorted(info.links)), exposed_ports=info.exposed_ports)


def _guard(fn, *args, **kw):
    """Run fn, returning (value, None) or (None, the Dokku failure)."""
    try:
        return fn(*args, **kw), None
    except (DokkuError, CommandFailed) as exc:
        return None, exc
    except parsers.ParseError as exc:
        return None, DokkuError("Unreadable Dokku output", str(exc))


def load(dokku: Dokku, *, actor: Actor = NOBODY) -> Overview:
    """Read every datastore plugin's services, concurrently.

    :raise DokkuError: Dokku cannot be reached at all (plugin:list failed).
    :raise CommandFailed: plugin:list was refused.
    """
    installed = plugins(dokku, actor=actor)
    names = detect(installed)
    by_name = {p.name: p for p in installed}
    disabled = [p.name for p in installed if not p.enabled and is_datastore(p)]
    sections = [Section(plugin=n, version=by_name[n].version, official=n in OFFICIAL)
                for n in names]
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        apps_future = pool.submit(_guard, load_apps, dokku, actor=actor)
        lists = [pool.submit(_guard, _service_names, dokku, s.plugin, actor)
                 for s in sections]
        infos = []
        for section, future in zip(sections, lists):
            found, section.error = future.result()
            for name in found or ():
                infos.append((section, pool.submit(_service, dokku, section.plugin, name,
                                                   actor)))
        for section, future in infos:
            section.services.append(future.result())
        apps, apps_error = apps_future.result()
    return Overview(sections=sections, disabled=disabled, apps=apps or [],
                    fetched_at=time.time(), apps_error=apps_error)


def cached(dokku: Dokku, *, actor: Actor = NOBODY, refresh: bool = False) -> Overview:
    """Return the overview from the short-lived cache, loading it if needed."""
    if refresh:
        for key in (CACHE_KEY, PLUGINS_KEY):
            dokku.forget(key)
    return dokku.cached(CACHE_KEY, lambda: load(dokku, actor=actor))


def reveal_dsn(dokku: Dokku, plugin: str, name: str, *, actor: Actor = NOBODY) -> str:
    """Read a service's connection URL: an explicit read, stored redacted.

    :raise CommandFailed: Dokku refused (e.g. the service does not exist).
    """
    result = dokku.check_result(
        dokku.run(commands.service_info(plugin, name, "--dsn"), actor=actor))
    return result.stdout.strip()
