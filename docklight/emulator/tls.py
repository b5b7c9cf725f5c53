"""What sits in an app's ``$DOKKU_ROOT/<app>/tls`` directory, as the emulator models it.

Dokku reads certificate facts with openssl from ``tls/server.crt``
(plugins/certs/report.go); dokku-letsencrypt's fn-letsencrypt-symlink-certs
(internal-functions) installs its certificate there and fn-letsencrypt-is-active
compares the two. The emulator keeps no files: a Let's Encrypt certificate is
``app["letsencrypt"]`` with ``enabled`` and ``expires_at`` (plus ``domains``,
the names it was issued for), and any other certificate an optional
``app["tls"]`` record ``{"subject", "hostnames", "issuer", "starts_at",
"expires_at", "verified"}`` (timestamps in unix seconds).
"""

import time

# Let's Encrypt certificates live 90 days less one second.
LE_LIFETIME = 90 * 86400 - 1
LE_ISSUER = "C = US, O = Let's Encrypt, CN = R11"


def openssl_date(ts):
    """Format like openssl's ``Not After :`` value: ``Feb  7 17:32:28 2027 GMT``."""
    t = time.gmtime(ts)
    return time.strftime("%b ", t) + f"{t.tm_mday:>2}" + time.strftime(" %H:%M:%S %Y GMT", t)


def letsencrypt_domains(app):
    """Return the names a new certificate covers (fn-letsencrypt-app-domains: no ``_``)."""
    domains = app["domains"] if app.get("domains_enabled", True) else []
    return [d for d in domains if d != "_"]


def installed_cert(app):
    """Return the certificate in the app's tls directory, or None when there is none."""
    le = app["letsencrypt"]
    if le.get("enabled") and le.get("expires_at"):
        names = le.get("domains") or letsencrypt_domains(app)
        expires = int(le["expires_at"])
        return {"letsencrypt": True, "subject": f"CN={names[0]}" if names else "",
                "hostnames": sorted(set(names)), "issuer": LE_ISSUER,
                "starts_at": expires - LE_LIFETIME, "expires_at": expires, "verified": True}
    custom = app.get("tls")
    if custom:
        return dict(custom, letsencrypt=False)
    return None


def remove(app):
    """Delete the tls directory and the plugin's certificates (letsencrypt:disable)."""
    app["letsencrypt"].update(enabled=False, expires_at=None)
    app["letsencrypt"].pop("domains", None)
    app.pop("tls", None)
