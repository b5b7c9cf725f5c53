"""gunicorn settings: gevent workers for WebSockets and long jobs.

The settings are validated here, in the master, so a bad environment stops
start-up with one line and exit code 1 instead of workers crash-looping.
"""

import os
import sys

from docklight.config import load_or_exit

settings = load_or_exit()

bind = f"0.0.0.0:{settings.port}"
worker_class = "gevent"
# One worker by default: live-log fan-out and the job registry live in the
# worker's memory. Everything shared (history, rate limits) is in sqlite, so
# more workers are safe if WEB_CONCURRENCY asks for them.
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_connections = 1000
# gevent workers heartbeat from their event loop, so long requests and open
# WebSockets do not trip this; it only catches a blocked loop.
timeout = 60
graceful_timeout = int(os.environ.get("DOCKLIGHT_GRACEFUL_TIMEOUT", "30"))
keepalive = 75  # longer than nginx's upstream keepalive, so nginx closes first
# The app logs one JSON line per request itself (with its request id), so
# gunicorn's own access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = settings.log_level
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "docklight.jsonlog.JSONFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                            "stream": "ext://sys.stdout"}},
    "root": {"level": settings.log_level.upper(), "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": settings.log_level.upper(), "handlers": ["stdout"],
                           "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stdout"], "propagate": False},
    },
}
# X-Forwarded-* is handled in one place, the app's ProxyFix, for exactly
# DOCKLIGHT_TRUSTED_PROXIES hops; gunicorn must not trust it on its own.
forwarded_allow_ips = ""


def on_starting(server):
    """In the demo, say where to open it and where its generated password is kept."""
    if settings.password_generated:
        kept = os.path.join(os.path.abspath(settings.data_dir), "demo-password")
        sys.stderr.write(
            f"Docklight demo: open http://127.0.0.1:{settings.port}/ and log in with "
            f"password {settings.password} (kept in {kept}; delete it for a new one)\n")
        sys.stderr.flush()
    elif settings.dokku.demo:
        sys.stderr.write(f"Docklight demo: open http://127.0.0.1:{settings.port}/ and log in "
                         "with DOCKLIGHT_PASSWORD\n")
        sys.stderr.flush()


def worker_exit(server, worker):
    """Let running jobs finish briefly, then interrupt and record them."""
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("docklight")
    if services is not None:
        services.jobs.shutdown(wait=float(os.environ.get("DOCKLIGHT_JOB_SHUTDOWN_WAIT", "5")))
