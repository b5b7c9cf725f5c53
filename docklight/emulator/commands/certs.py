"""certs:report (Go plugin `certs`; report type `ssl`), backed by letsencrypt state."""

import time

from .. import report
from .. import state as store
from ..report import ReportSpec

HELP = (("certs:report [<app>] [<flag>]", "Displays an ssl report for one or more apps"),)

CERT_LIFETIME = 90 * 86400


def openssl_date(ts):
    """Format like openssl's notAfter: ``Feb  7 17:32:28 2027 GMT``."""
    t = time.gmtime(ts)
    return time.strftime("%b ", t) + f"{t.tm_mday:>2}" + time.strftime(" %H:%M:%S %Y GMT", t)


def fingerprint(name):
    digest = store.hexid("cert", name, length=40).upper()
    return "SHA1 Fingerprint=" + ":".join(digest[i:i + 2] for i in range(0, 40, 2))


def report_flags(ctx, st, name, app, info):
    le = app["letsencrypt"]
    flags = {f"--ssl-{k}": "" for k in ("expires-at", "fingerprint", "hostnames", "issuer", "serial",
                                         "starts-at", "subject", "verified")}
    flags["--ssl-dir"] = f"/home/dokku/{name}/tls"
    flags["--ssl-enabled"] = "true" if le["enabled"] else "false"
    if le["enabled"] and le.get("expires_at"):
        expires = int(le["expires_at"])
        flags.update({
            "--ssl-expires-at": openssl_date(expires),
            "--ssl-fingerprint": fingerprint(name),
            "--ssl-hostnames": " ".join(app["domains"]),
            "--ssl-issuer": "C=US, O=Let's Encrypt, CN=R11",
            "--ssl-serial": store.hexid("serial", name, length=36).upper(),
            "--ssl-starts-at": openssl_date(expires - CERT_LIFETIME + 1),
            "--ssl-subject": f"CN={app['domains'][0]}" if app["domains"] else "",
            "--ssl-verified": "verified by a certificate authority",
        })
    return flags


SPEC = ReportSpec("certs", "ssl", report_flags, legacy=False)


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


COMMANDS = {"certs:report": cmd_report}
