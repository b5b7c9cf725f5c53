"""How an app is reached: domains, ports, the proxy and Let's Encrypt."""

from __future__ import annotations

from collections.abc import Iterable

from docklight.dokku import validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import _command, allows
from docklight.dokku.sed_pattern import sed_line_regex
from docklight.dokku.validators import ValidationError


# --- domains ----------------------------------------------------------------

def sed_removes(domain: str, line: str) -> bool:
    """Say whether Dokku's ``sed -i "\\|^DOMAIN$|d"`` (plugins/domains/functions
    domains_remove) deletes line (see sed_pattern)."""
    return sed_line_regex(domain).fullmatch(line) is not None


def refuse_collateral_removal(domain: str, current: Iterable[str]) -> None:
    """Refuse a removal that would take other domains with it on a real host.

    current is the app's domains as Dokku lists them (domains:report).

    :raise ValidationError: naming every other domain the sed pattern deletes.
    """
    others = [d for d in current if d != domain and sed_removes(domain, d)]
    if others:
        raise ValidationError("domain", (
            f"Dokku removes a domain with a pattern in which each '.' matches any character, "
            f"so removing {domain} would also remove {', '.join(others)}. Use \"Replace all "
            f"domains with\" and list the domains to keep instead."))


@allows("domains:add", "domains:remove", "domains:set")
def domains_change(action: str, app: str, domains: list[str], *,
                   current: Iterable[str] = ()) -> Command:
    """Add, remove or set the domains of an app.

    For a removal, current (the app's domains now) is checked with
    :func:`refuse_collateral_removal`, so no removal deletes a domain it
    does not name.
    """
    action = validators.choice(action, ("add", "remove", "set"), "action", "Action")
    app = validators.app_name(app)
    domains = [validators.hostname(d) for d in domains]
    if not domains:
        raise ValidationError("domain", "Give at least one domain.")
    if action == "remove":
        current = list(current)
        for domain in domains:
            refuse_collateral_removal(domain, current)
    return _command(f"domains:{action}", app, *domains, app=app, mutates=True)


@allows("domains:clear", "domains:enable", "domains:disable")
def domains_toggle(action: str, app: str) -> Command:
    """Clear, enable or disable the domains of an app."""
    action = validators.choice(action, ("clear", "enable", "disable"), "action", "Action")
    app = validators.app_name(app)
    return _command(f"domains:{action}", app, app=app, mutates=True)

# --- ports and proxy --------------------------------------------------------

@allows("ports:add", "ports:remove", "ports:set")
def ports_change(action: str, app: str, mappings: list[str]) -> Command:
    """Add, remove or set port mappings scheme:host:container."""
    action = validators.choice(action, ("add", "remove", "set"), "action", "Action")
    app = validators.app_name(app)
    mappings = [validators.port_mapping(m) for m in mappings]
    if not mappings:
        raise ValidationError("mapping", "Give at least one port mapping.")
    return _command(f"ports:{action}", app, *mappings, app=app, mutates=True)


@allows("ports:clear")
def ports_clear(app: str) -> Command:
    """Clear all port mappings of an app."""
    app = validators.app_name(app)
    return _command("ports:clear", app, app=app, mutates=True)


@allows("proxy:enable", "proxy:disable")
def proxy_toggle(action: str, app: str) -> Command:
    """Enable or disable the proxy of an app."""
    action = validators.choice(action, ("enable", "disable"), "action", "Action")
    app = validators.app_name(app)
    return _command(f"proxy:{action}", app, app=app, mutates=True, long=True)

# --- letsencrypt ------------------------------------------------------------

@allows("letsencrypt:list")
def letsencrypt_list() -> Command:
    """List apps with Let's Encrypt certificates and their expiry."""
    return _command("letsencrypt:list")


@allows("letsencrypt:active")
def letsencrypt_active(app: str) -> Command:
    """Say whether Let's Encrypt is active for an app."""
    app = validators.app_name(app)
    return _command("letsencrypt:active", app, app=app)


@allows("letsencrypt:set")
def letsencrypt_set_email(app: str, address: str) -> Command:
    """Set the Let's Encrypt e-mail of an app."""
    app = validators.app_name(app)
    return _command("letsencrypt:set", app, "email", validators.email(address), app=app,
                    mutates=True)


@allows("letsencrypt:enable", "letsencrypt:disable", "letsencrypt:auto-renew")
def letsencrypt_action(action: str, app: str) -> Command:
    """Enable, disable or renew Let's Encrypt for an app (talks to the ACME CA)."""
    action = validators.choice(action, ("enable", "disable", "auto-renew"), "action", "Action")
    app = validators.app_name(app)
    return _command(f"letsencrypt:{action}", app, app=app, mutates=True, long=True)
