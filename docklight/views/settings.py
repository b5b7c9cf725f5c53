"""Settings (admin): where Dokku is, how to trust it, cache TTL and retention.

The page edits the saved half of docklight/saved_settings.py; variables the
environment sets are shown with their value and cannot be changed here.
"Test connection" runs `dokku version` with the values in the form (saved or
not) and reports the version, the round trip and any host-key problem; an
unknown host key can then be trusted by confirming its fingerprint.  Every
worker picks saved settings up within SETTINGS_CHECK_SECONDS.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, render_template, request, url_for

from docklight import config, saved_settings, services
from docklight.dokku import commands, host_keys
from docklight.dokku.client import connect
from docklight.dokku.errors import DokkuError
from docklight.htmx import page_or_fragment, redirect_to
from docklight.views.answers import current_actor

bp = Blueprint("settings", __name__)

SETTINGS_CHECK_SECONDS = 2.0


def environment():
    """Return the environment Docklight was started with (what wins over saved values)."""
    return current_app.config["ENVIRONMENT"]


def _page(status: int = 200, **context):
    env = environment()
    saved, saved_at = saved_settings.load(current_app.config["DATABASE"])
    context.setdefault("errors", {})
    context.setdefault("form", {name: value for name, (source, value)
                                in saved_settings.sources(env, saved).items() if source == "saved"})
    return render_template(
        "settings/index.html", fields=saved_settings.FIELDS,
        sources=saved_settings.sources(env, saved), saved_at=saved_at,
        current=services.get().settings, **context), status


@bp.get("/settings")
def index():
    """Show every setting, where its value comes from, and the connection test."""
    return _page(saved=request.args.get("saved") == "1")


@bp.post("/settings")
def save_POST():
    """Check and store the form's values; this worker applies them at once."""
    try:
        values, settings = saved_settings.validate(request.form, environment())
    except saved_settings.Invalid as exc:
        return _page(422, errors={exc.field or "form": exc.message}, form=request.form.to_dict())
    stamp = saved_settings.save(current_app.config["DATABASE"], values)
    _follow_state(current_app)["stamp"] = stamp
    apply(current_app, settings)
    return redirect_to(url_for("settings.index", saved=1))


def _probe(settings: config.Settings) -> list[dict]:
    """Run `version` on each configured target; describe each outcome."""
    client = connect(settings.dokku, services.get().history, cache_ttl=0)
    outcomes = []
    try:
        targets = [("Dokku", commands.version())]
        if settings.dokku.root_target is not None:
            targets.append(("Root", commands.version(root=True)))
        for label, command in targets:
            started = time.monotonic()
            outcome = {"label": label, "target": str(client.executors.for_command(command))}
            try:
                result = client.run(command, actor=current_actor())
                outcome.update(ok=result.ok, exit_code=result.exit_code,
                               output=(result.stdout or result.stderr).strip(),
                               latency_ms=round((time.monotonic() - started) * 1000))
            except DokkuError as exc:
                outcome.update(ok=False, error=exc)
            outcomes.append(outcome)
    finally:
        client.close()
    return outcomes


def _probe_answer(status: int, **context):
    """Answer a test or trust: the probe fragment for htmx, else its own page."""
    return page_or_fragment("settings/test.html", "settings/_probe.html", status, **context)


def _test_context(form) -> dict:
    try:
        _values, settings = saved_settings.validate(form, environment())
    except saved_settings.Invalid as exc:
        return {"errors": {exc.field or "form": exc.message}}
    return {"probes": _probe(settings), "errors": {}}


@bp.post("/settings/test")
def test_POST():
    """Try the form's values without saving them."""
    context = _test_context(request.form)
    return _probe_answer(422 if context["errors"] else 200, form=request.form.to_dict(),
                         **context)


@bp.post("/settings/trust")
def trust_POST():
    """Pin the host key whose fingerprint the admin confirmed, then test again."""
    form = request.form
    typed = form.to_dict()
    try:
        _values, settings = saved_settings.validate(form, environment())
    except saved_settings.Invalid as exc:
        return _probe_answer(422, errors={exc.field or "form": exc.message}, form=typed)
    if form.get("confirmed") != "1":
        return _probe_answer(422, form=typed, errors={
            "confirmed": "Compare the fingerprint, then tick the box."})
    which = form.get("which", "Dokku")
    target = settings.dokku.root_target if which == "Root" else settings.dokku.target
    ssh = settings.dokku.root_ssh if which == "Root" else settings.dokku.ssh
    if target is None:
        return _probe_answer(422, errors={"form": "There is no SSH target to trust."}, form=typed)
    try:
        trusted = host_keys.trust(target, ssh.known_hosts, form.get("fingerprint", ""),
                                  timeout=ssh.connect_timeout)
    except DokkuError as exc:
        return _probe_answer(409, trust_error=exc, errors={}, form=typed)
    return _probe_answer(200, trusted=f"{trusted} is now pinned in {ssh.known_hosts}.",
                         form=typed, **_test_context(form))


def apply(app, settings: config.Settings) -> None:
    """Make settings this worker's own: the Dokku client reconnects with them."""
    app.config["SETTINGS"] = settings
    app.config["HISTORY_READS_DAYS"] = settings.history_reads_days
    app.config["HISTORY_CHANGES_DAYS"] = settings.history_changes_days
    app.extensions[services.EXTENSION].reload(settings)


def _follow_state(app) -> dict:
    return app.extensions["saved-settings-follow"]


def follow_saved_settings(app) -> None:
    """Reload when another worker saved settings (checked every few seconds)."""
    state = _follow_state(app)
    now = time.monotonic()
    if now < state["next"]:
        return
    state["next"] = now + SETTINGS_CHECK_SECONDS
    stamp = saved_settings.stamp(app.config["DATABASE"])
    if stamp != state["stamp"]:
        state["stamp"] = stamp
        saved, _ = saved_settings.load(app.config["DATABASE"])
        env = app.config["ENVIRONMENT"]
        try:
            apply(app, config.load(saved_settings.effective(env, saved)))
        except config.ConfigError:
            app.logger.exception("saved settings no longer valid; keeping the current ones")


def init_app(app, saved_at: float) -> None:
    """Follow saved settings before every request; saved_at: the stamp app was built with."""
    app.extensions["saved-settings-follow"] = {"next": 0.0, "stamp": saved_at}
    app.before_request(lambda: follow_saved_settings(app))
