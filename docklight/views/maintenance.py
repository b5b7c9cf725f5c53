"""Maintenance: Dokku's own clean-up commands, each as a confirmed job.

`dokku cleanup` removes exited and dead containers (a stopped app's
containers too) and dangling images, for every app or for one;
`repo:gc` compacts an app's git repository and `repo:purge-cache` deletes
its build cache, so the next build starts cold.  Each says what it will
remove before it runs and needs an explicit confirmation: the global clean-up
a typed word, the per-app actions a checkbox.  Dokku skips `cleanup` when the
builder's skip-cleanup property is set (common/docker.go DockerCleanup), and
the page says so rather than pretending it ran.
"""

from __future__ import annotations

from flask import Blueprint, request

from docklight import dashboard, services
from docklight.dokku import commands
from docklight.dokku.validators import ValidationError
from docklight.htmx import page_or_fragment
from docklight.views.answers import current_actor, refusal, start_job
from docklight.views.errors import attempt

bp = Blueprint("maintenance", __name__)

GLOBAL_WORD = "cleanup"
GLOBAL_LOCK = "maintenance:cleanup"
APP_ACTIONS = {
    "cleanup": ("Clean up containers and images",
                "Removes the app's exited and dead containers (all of them while the app is "
                "stopped; `ps:start` then recreates them from the image), its dangling images "
                "and the images no container uses."),
    "gc": ("Compact the git repository",
           "Runs `git gc --aggressive` in the app's repository on the host. Nothing is "
           "lost; it can take a while for a large history."),
    "purge-cache": ("Purge the build cache",
                    "Deletes the app's build cache volume: the next build downloads and "
                    "compiles its dependencies again and takes longer."),
}


def _apps() -> tuple[list[str], dict]:
    overview, failure, _status = attempt(
        lambda: dashboard.cached(services.dokku(), actor=current_actor()))
    return ([row.name for row in overview.apps] if overview else []), failure


def _page(status: int = 200, **context):
    apps, failure = _apps()
    context.setdefault("errors", {})
    context.setdefault("form", {})
    return page_or_fragment("maintenance/index.html", "maintenance/_forms.html", status,
                            fragment_headers={"HX-Retarget": "#maintenance-forms",
                                              "HX-Reswap": "outerHTML"},
                            apps=apps, actions=APP_ACTIONS, word=GLOBAL_WORD, **failure,
                            **context)


def _command_for(action: str, app: str):
    if action == "cleanup":
        return commands.cleanup(app)
    return commands.repo_action(action, app)


@bp.get("/maintenance")
def index():
    """Show what each clean-up removes, with its confirmation."""
    return _page()


@bp.post("/maintenance/cleanup")
def cleanup_POST():
    """Run `dokku cleanup` for every app, once the word is typed."""
    if request.form.get("confirm", "").strip() != GLOBAL_WORD:
        return _page(422, errors={"confirm": f"Type {GLOBAL_WORD} to confirm."})
    return start_job(commands.cleanup(), "Clean up every app", lock_key=GLOBAL_LOCK)


@bp.post("/maintenance/app")
def app_POST():
    """Run one app's clean-up, garbage collection or cache purge."""
    action = request.form.get("action", "")
    app = request.form.get("app", "")
    try:
        if action not in APP_ACTIONS:
            raise ValidationError("action", "Choose one of the actions listed.")
        command = _command_for(action, app)
        if request.form.get("understood") != "1":
            raise ValidationError("understood", "Tick the box to confirm what this removes.")
    except ValidationError as exc:
        return _page(422, **refusal(exc))
    return start_job(command, f"{APP_ACTIONS[action][0]}: {app}")
