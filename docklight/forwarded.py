"""Who a request really comes from, and for which host: proxy headers and Host checks.

X-Forwarded-For/-Proto/-Host/-Port say who the client is, whether it used
HTTPS and which host it asked for. Anyone can send them, so they count only
when the direct peer is a proxy we were told about. Believing them from any
peer let a client forge the address the login throttle counts and history
records, and the host that links and redirects are built from.

``DOCKLIGHT_TRUSTED_PROXIES`` takes either

* a list of addresses and CIDR networks (``172.17.0.1, 10.0.0.0/8``): a
  request whose peer is in the list has its X-Forwarded-For walked from the
  right, past every address that is itself in the list (the way nginx's
  ``real_ip_recursive`` does), and the first one outside is the client; or
* a number of hops, as before (``1`` behind Dokku's nginx): believed only
  when the peer is a loopback or private address (Dokku's nginx reaches the
  container over the docker bridge), never from a public peer.

The Host a request names (after a trusted X-Forwarded-Host) must be in
``DOCKLIGHT_ALLOWED_HOSTS`` or be a loopback name; anything else gets a 400
page before any view runs, so no link or redirect is ever built from it.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from flask import abort, request

log = logging.getLogger("docklight.request")

MAX_HOPS = 10
# Where a reverse proxy on the same machine or docker network connects from.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Requests that must answer whatever Host they name: Dokku's checks call the
# container by its address.
HOST_EXEMPT_ENDPOINTS = frozenset({"health.healthz", "static"})


@dataclass(frozen=True)
class TrustedProxies:
    """Which peers may speak for the client, and through how many hops."""

    networks: tuple = ()
    hops: int = 0  # most X-Forwarded-For entries believed

    def __bool__(self) -> bool:
        return self.hops > 0 and bool(self.networks)

    def trusts(self, address: str | None) -> bool:
        """Return whether address is one of the trusted proxies."""
        ip = _ip(address)
        return ip is not None and any(ip in net for net in self.networks)


def _ip(text: str | None):
    try:
        ip = ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None
    return ip.ipv4_mapped or ip if isinstance(ip, ipaddress.IPv6Address) else ip


def parse_trusted_proxies(text: str) -> TrustedProxies:
    """Read DOCKLIGHT_TRUSTED_PROXIES: a hop count, or addresses and CIDRs.

    :raise ValueError: with the one-line reason.
    """
    text = (text or "").strip()
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
        hops = int(text)
        if not 0 <= hops <= MAX_HOPS:
            raise ValueError(f"must be from 0 to {MAX_HOPS}, got {hops}")
        return TrustedProxies(PRIVATE_NETWORKS if hops else (), hops)
    networks = []
    for item in filter(None, (part.strip() for part in text.replace(" ", ",").split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is neither a number of hops nor an IP address "
                             "or CIDR network such as 172.17.0.1 or 10.0.0.0/8") from None
    return TrustedProxies(tuple(networks), MAX_HOPS if networks else 0)


@dataclass(frozen=True)
class AllowedHosts:
    """The host names Docklight answers to (loopback names always)."""

    names: frozenset = frozenset()
    suffixes: tuple = ()  # ".example.com" allows example.com and its subdomains
    any_host: bool = False

    def allows(self, host: str) -> bool:
        """Return whether a Host header value (port optional) is allowed."""
        name = host_name(host)
        if not name:
            return False
        if self.any_host or name in LOOPBACK_HOSTS or name in self.names:
            return True
        return any(name == s[1:] or name.endswith(s) for s in self.suffixes)


def host_name(host: str) -> str:
    """Return the lower-cased name of a Host value, without port or IPv6 brackets."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def parse_allowed_hosts(text: str) -> AllowedHosts:
    """Read DOCKLIGHT_ALLOWED_HOSTS: names, '.example.com' for subdomains, or '*'.

    :raise ValueError: with the one-line reason.
    """
    names, suffixes, any_host = set(), [], False
    for item in filter(None, (p.strip().lower() for p in (text or "").replace(" ", ",").split(","))):
        if item == "*":
            any_host = True
        elif item.startswith("."):
            suffixes.append(item)
        elif any(c in item for c in "/@?#") or ("*" in item):
            raise ValueError(f"{item!r} is not a host name (use names such as "
                             "docklight.example.com, .example.com for subdomains, or *)")
        else:
            names.add(host_name(item))
    return AllowedHosts(frozenset(names), tuple(suffixes), any_host)


def _values(environ, key: str) -> list[str]:
    return [v.strip() for v in environ.get(key, "").split(",") if v.strip()]


class ForwardedHeaders:
    """WSGI middleware: apply X-Forwarded-* from trusted proxies, drop them otherwise."""

    HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
               "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")

    def __init__(self, app, proxies: TrustedProxies):
        self.app = app
        self.proxies = proxies

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR")
        environ["docklight.peer_addr"] = peer
        if self.proxies and self.proxies.trusts(peer):
            self._apply(environ)
        for key in self.HEADERS:
            # Nothing downstream may read a claim we did not check.
            environ.pop(key, None)
        return self.app(environ, start_response)

    def _apply(self, environ) -> None:
        chain = _values(environ, "HTTP_X_FORWARDED_FOR")
        # hops = how many entries, from the right, trusted proxies wrote.
        hops = 1
        while hops < min(len(chain), self.proxies.hops) and self.proxies.trusts(chain[-hops]):
            hops += 1
        if chain and _ip(chain[-hops]) is not None:
            environ["REMOTE_ADDR"] = chain[-hops].strip("[]")
        for key, apply in (("HTTP_X_FORWARDED_PROTO", self._proto),
                           ("HTTP_X_FORWARDED_HOST", self._host),
                           ("HTTP_X_FORWARDED_PORT", self._port)):
            values = _values(environ, key)
            if values:
                # The outermost trusted proxy's value (most proxies overwrite
                # these instead of appending, so there may be just one).
                apply(environ, values[-min(hops, len(values))])

    @staticmethod
    def _proto(environ, value: str) -> None:
        if value.lower() in ("http", "https"):
            environ["wsgi.url_scheme"] = value.lower()

    @staticmethod
    def _host(environ, value: str) -> None:
        environ["HTTP_HOST"] = value
        environ["SERVER_NAME"] = host_name(value)

    @staticmethod
    def _port(environ, value: str) -> None:
        if value.isascii() and value.isdigit():
            name = _without_port(environ.get("HTTP_HOST", ""))
            default = {"http": "80", "https": "443"}.get(environ.get("wsgi.url_scheme"))
            environ["HTTP_HOST"] = name if value == default else f"{name}:{value}"
            environ["SERVER_PORT"] = value


def _without_port(host: str) -> str:
    """Return a Host value without its port ([v6] keeps its brackets)."""
    if host.startswith("["):
        return host[:host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def init_app(app, proxies: TrustedProxies, allowed: AllowedHosts) -> None:
    """Install the middleware and the Host check."""
    app.wsgi_app = ForwardedHeaders(app.wsgi_app, proxies)

    @app.before_request
    def _allowed_host():
        if request.endpoint in HOST_EXEMPT_ENDPOINTS:
            return None
        host = request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME", "")
        if not allowed.allows(host):
            log.warning("request for a host not allowed", extra={
                "host": host[:200], "path": request.path})
            abort(400, f"This Docklight does not answer for the host {host[:100]!r}. "
                       "Its operator can add it to DOCKLIGHT_ALLOWED_HOSTS.")
        return None
