"""Build the Flask app: settings, logging, database, services, blueprints, WebSocket, CLI."""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface

from docklight import config
from docklight import body_deadline, db, forwarded, jsonlog, request_limits, saved_settings
from docklight import session_store, users

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


HOST_COOKIE_NAME = "__Host-docklight"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie (holding only the server-side session id).

    Over HTTPS it is ``__Host-docklight``: the browser then insists on
    Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or
    overwrite it (session fixation, forced logout). Plain http (development
    on 127.0.0.1) cannot use the prefix and keeps ``docklight_session``.
    """

    def get_cookie_secure(self, app) -> bool:
        # request.is_secure follows X-Forwarded-Proto only through the
        # trusted proxy hops ProxyFix was told about.
        return request.is_secure

    def get_cookie_name(self, app) -> str:
        return HOST_COOKIE_NAME if request.is_secure else app.config["SESSION_COOKIE_NAME"]

    def get_cookie_domain(self, app):
        return None

    def get_cookie_path(self, app) -> str:
        return "/"


def _environment(test_config):
    """Split test_config into environment-style settings and Flask overrides."""
    if test_config is None:
        return None, {}
    env = {k: str(v) for k, v in test_config.items() if k.startswith("DOCKLIGHT_") or k == "PORT"}
    overrides = {k: v for k, v in test_config.items() if k not in env}
    return env, overrides


def build_app(test_config=None) -> Flask:
    """Create the app; test_config holds DOCKLIGHT_* settings and Flask overrides."""
    env, overrides = _environment(test_config)
    environment = os.environ if env is None else env
    # Values saved on the Settings page lie under the environment's. Settings
    # are validated before anything else so a bad value stops start-up with
    # one line instead of a traceback (callers catch ConfigError).
    saved, saved_at = saved_settings.load(saved_settings.database_path(environment))
    settings = config.load(saved_settings.effective(environment, saved))
    jsonlog.configure(settings.log_level)

    app = Flask("docklight", template_folder=os.path.join(ROOT, "templates"),
                static_folder=os.path.join(ROOT, "static"))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE=settings.database,
        SESSION_COOKIE_NAME="docklight_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=int(settings.session_hours * 3600),
        SOCK_SERVER_OPTIONS={"ping_interval": 25},
        SETTINGS=settings,
        ENVIRONMENT=environment,
        LOG_LINGER_SECONDS=settings.log_linger_seconds,
        LOG_HEARTBEAT_SECONDS=settings.log_heartbeat_seconds,
        LOG_QUEUE_LINES=settings.log_queue_lines,
        HISTORY_READS_DAYS=settings.history_reads_days,
        HISTORY_CHANGES_DAYS=settings.history_changes_days,
        TEMPLATES_AUTO_RELOAD=False,
        MAX_CONTENT_LENGTH=request_limits.DEFAULT_BODY_LIMIT,
    )
    app.config.update(overrides)
    app.session_interface = SessionInterface()

    # X-Forwarded-* only from the configured proxies; Host checked against
    # DOCKLIGHT_ALLOWED_HOSTS before anything else runs.
    forwarded.init_app(app, settings.trusted_proxies, settings.allowed_hosts)
    # A slow body gets 408 instead of holding a worker connection for ever.
    app.wsgi_app = body_deadline.BodyDeadline(app.wsgi_app, settings.body_read_seconds)

    db.migrate(settings.database)
    # The first run creates the admin from DOCKLIGHT_PASSWORD (or the demo's
    # generated one); a new DOCKLIGHT_SECRET ends every session.
    users.ensure_admin(settings.database, settings.admin_user, settings.password)
    session_store.end_all_if_secret_changed(settings.database, settings.secret_key)

    from docklight import services

    services.init_app(app, settings)

    from docklight import access, security, sudo, templating
    from docklight.views import (account, app_page, apps, auth, databases, errors, health,
                                 history, host, jobs, logs, maintenance, plugins, tabs,
                                 websocket)
    from docklight.views import settings as settings_page
    from docklight.views import users as users_page

    # Body limits first: no check or view may read a body before its limit is set.
    request_limits.init_app(app)
    security.init_app(app)
    # After the login check, which sets g.user and g.role.
    access.init_app(app)
    # After the role check: only someone allowed at all is asked for a password.
    sudo.init_app(app)
    templating.init_app(app)
    # The tab modules add their routes to app_page.bp, which must happen
    # before the blueprint is first registered.
    tabs.load_all()
    for area in (auth, apps, health, jobs, app_page, databases, plugins, history, logs, host,
                 maintenance, settings_page, account, users_page):
        app.register_blueprint(area.bp)
    # The WebSocket routes (jobs.stream, logs.stream) are on the jobs and logs blueprints.
    websocket.sock.init_app(app)
    errors.init_app(app)
    settings_page.init_app(app, saved_at)

    from docklight import cli, retention, users_cli

    cli.init_app(app)
    users_cli.init_app(app)
    # Prunes old history at start-up and daily (one worker per day).
    retention.start_scheduler(app)

    @app.before_request
    def _start_timer():
        g.request_started = time.monotonic()

    @app.context_processor
    def _globals():
        return {"demo": settings.dokku.demo, "dokku_target": services.dokku().target,
                "running_jobs": services.get().jobs.running_count}

    return app
