"""Databases tab: the datastore services linked to this app, link and unlink, their env vars.

The services and their links come from the Databases page's overview
(docklight/datastores.py, cached). Link and unlink post to that page's routes
(``databases.link_POST``), which run them as jobs holding the app's lock.

Which config key a link set is found the way dokku-postgres's service_link
(common-functions) finds an existing link: the key whose value holds the
service's URL. Docklight does not read the URL (a secret); it matches the
part of it that is not secret, ``@<service_dns_hostname>:``, where
service_dns_hostname is ``dokku-<plugin>-<service>`` with ``.`` and ``_``
turned into ``-``. Only the keys reach the page; values stay masked.
"""

from __future__ import annotations

import re

from flask import g

from docklight import datastores, services
from docklight.dokku import commands, parsers
from docklight.views.answers import current_actor, run
from docklight.views.app_page import bp, render_tab

TEMPLATE = "app/_linked_services.html"


def dns_hostname(plugin: str, name: str) -> str:
    """Return dokku-<plugin>'s service_dns_hostname for service name."""
    return re.sub(r"[._]", "-", f"dokku.{plugin}.{name}")


def link_keys(config: dict[str, str], plugin: str, name: str) -> list[str]:
    """Return the config keys whose value points at the service (sorted)."""
    needle = f"@{dns_hostname(plugin, name)}:"
    return sorted(k for k, v in config.items() if needle in v)


def _context() -> dict:
    overview = datastores.cached(services.dokku(), actor=current_actor())
    config = parsers.parse_config_export_json(run(commands.config_export(g.app)).stdout)
    linked, others = [], []
    for section in overview.sections:
        for service in section.services:
            if g.app in service.links:
                linked.append((service, link_keys(config, service.plugin, service.name)))
            elif not (service.error or service.unread):
                others.append(service)
    return {"overview": overview, "linked": linked, "others": others}


@bp.get("/databases")
def databases():
    """Show the services linked to the app and the ones it could link."""
    return render_tab("databases", TEMPLATE, **_context())
