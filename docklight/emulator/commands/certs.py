"""certs:report (Go plugin plugins/certs, report type ``ssl``) over the modelled tls directory."""

from .. import report
from ..report import ReportSpec
from ..tls import installed_cert, openssl_date

HELP = (("certs:report [<app>] [<flag>]", "Displays an ssl report for one or more apps"),)


def report_flags(ctx, st, name, app, info):
    """Return certs:report's flags (plugins/certs/report.go ReportSingleApp).

    Every field but dir and enabled is empty without tls/server.crt; verified is
    ``verified by a certificate authority`` or ``self signed`` (reportSSLVerified).
    """
    if name == "--global":
        return {}  # report.go registers no flag for --global: the JSON is {}
    cert = installed_cert(app)
    flags = {f"--ssl-{k}": "" for k in ("expires-at", "hostnames", "issuer", "starts-at",
                                         "subject", "verified")}
    flags["--ssl-dir"] = f"/home/dokku/{name}/tls"
    flags["--ssl-enabled"] = "true" if cert else "false"
    if cert:
        flags.update({
            "--ssl-expires-at": openssl_date(cert["expires_at"]),
            "--ssl-hostnames": " ".join(sorted(set(cert["hostnames"]))),
            "--ssl-issuer": cert["issuer"],
            "--ssl-starts-at": openssl_date(cert["starts_at"]),
            "--ssl-subject": cert["subject"],
            "--ssl-verified": "verified by a certificate authority" if cert["verified"] else "self signed",
        })
    return flags


SPEC = ReportSpec("certs", "ssl", report_flags, legacy=False, global_keys=())


def cmd_report(ctx, args):
    """certs:report (plugins/certs/src/subcommands/subcommands.go report, report.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


COMMANDS = {"certs:report": cmd_report}
