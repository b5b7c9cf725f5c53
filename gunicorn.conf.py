"""gunicorn settings: gevent workers for WebSockets and long jobs.

The settings are validated here, in the master, so a bad environment stops
start-up with one line and exit code 1 instead of workers crash-looping.
"""

import os
import resource
import sys

from docklight.config import bind_address, load_or_exit

settings = load_or_exit()

# The demo listens on loopback only unless DOCKLIGHT_BIND says otherwise.
bind = bind_address(settings)
worker_class = "gevent"


def default_workers() -> int:
    """Return the worker count for this host: one gevent worker per core, 2 to 8.

    A gevent worker serves many requests at once but runs Python on one core,
    so one per core uses the host. At least two, so one busy worker (a large
    page, a slow parse) never stalls every user, and so the paths that cross
    workers are the ones always in use; at most eight, as each holds its own
    SSH connection to Dokku. Everything workers share is in sqlite or the data
    folder (history, jobs and their locks, cached reads and their leases,
    sessions, rate limits, live-log fan-out).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(2, min(cores or 1, 8))


# WEB_CONCURRENCY (the usual PaaS setting) overrides the host-based default.
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
# Slow clients (slowloris): each open connection, however idle, holds one of
# worker_connections. The limits below keep a pile of them from starving
# everyone else; nginx in front (docs/deploy.md) is the first line.
# - worker_connections: room for many idle or trickling connections at once
#   (a greenlet and a socket each, a few KiB), DOCKLIGHT_WORKER_CONNECTIONS.
# - keepalive: the gevent worker reads every request's headers, the first
#   one too, under a deadline of this many seconds (gevent.Timeout around
#   the parser, gunicorn/workers/ggevent.py timeout_ctx), and closes a kept-
#   alive connection idle for as long. Dokku's nginx opens a fresh upstream
#   connection per request unless proxy-keepalive is set.
# - the body: DOCKLIGHT_BODY_READ_SECONDS (docklight/body_deadline.py), 408
#   when a body trickles in slower than that.
# - request line and header sizes: gunicorn's limits (4094 bytes a line, 100
#   fields of 8190 bytes), kept.
worker_connections = settings.worker_connections
keepalive = 10
# gevent workers heartbeat from their event loop, so long requests and open
# WebSockets do not trip this; it only catches a blocked loop.
timeout = 60
graceful_timeout = int(os.environ.get("DOCKLIGHT_GRACEFUL_TIMEOUT", "30"))
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


def _raise_open_file_limit(wanted: int) -> None:
    """Let a worker hold worker_connections sockets (a soft limit of 1024 is common)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# Sockets, plus sqlite, SSH channels, logs and the listening socket.
_raise_open_file_limit(worker_connections + 256)


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
