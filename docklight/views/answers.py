"""What every view answers with when it runs Dokku commands or refuses a form.

The dashboard, the app page's tabs, databases and plugins all run commands
for the person asking and refuse bad input the same way, so the pieces live
here rather than in any one blueprint:

- ``current_actor`` is who is asking (address and user), recorded with every
  command;
- ``run`` runs a command now; a non-zero exit raises CommandFailed, which the
  caller shows inline or leaves to the error handler;
- ``start_job`` runs a long command as a job and answers with its live panel,
  the busy message, or (without JavaScript) a redirect to the job page;
- ``refusal`` turns a ValidationError into the context that shows its message
  next to the form's field; ``fields`` renames the builder's field name to the
  form's where they differ (one mapping, or one name for every field);
- ``confirm_name`` is the typed-name check in front of destroy and uninstall
  (the form half is the ``confirm_name`` macro in templates/_form_macros.html).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import abort, g, make_response, render_template, request, url_for

from docklight import services
from docklight.dokku.actor import Actor
from docklight.dokku.command import Command, Result
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError
from docklight.htmx import is_htmx, redirect_to
from docklight.jobs import Busy

CONFIRM_FIELD = "confirm"
# How a form's field names differ from a builder's: {builder name: form name},
# or one form name for every field (the hidden fields of a table row).
FieldNames = Mapping[str, str] | str | None


def current_actor() -> Actor:
    """Return who is asking: the client address and the logged-in user, recorded with each command."""
    return Actor(request.remote_addr, g.get("user"))


def valid_or_404(validate, value: str, what: str) -> str:
    """Return validate(value) for a name taken from the URL, or answer 404 naming what."""
    try:
        return validate(value)
    except ValidationError:
        abort(404, f"'{value}' is not a valid {what}.")


def root_configured() -> bool:
    """Return whether root-only commands (plugin:*) have a target to run on."""
    return services.dokku().has_root


def run(command: Command) -> Result:
    """Run command now for the person asking.

    :raise CommandFailed: Dokku exited non-zero.
    """
    result = services.dokku().run(command, actor=current_actor())
    if not result.ok:
        raise CommandFailed(result)
    return result


def start_job(command: Command, title: str, lock_key: str | None = None):
    """Start command as a job; answer with its live panel or the busy message."""
    manager = services.get().jobs
    try:
        job = manager.start(command, title=title, actor=current_actor(), lock_key=lock_key)
    except Busy as busy:
        if is_htmx():
            body = render_template("jobs/_busy.html", job=busy.job)
            return make_response(body, 409, {"HX-Retarget": "#job-slot",
                                             "HX-Reswap": "innerHTML"})
        return make_response(render_template("errors/error.html", status=409, title="Busy",
                                             message=f"{busy.job.title} is running.",
                                             busy=busy.job), 409)
    if is_htmx():
        body = render_template("jobs/_panel.html", job=job, lines=[])
        return make_response(body, 202, {
            "HX-Retarget": "#job-slot", "HX-Reswap": "innerHTML",
            "HX-Trigger": json.dumps({"job-changed": {"id": job.id}})})
    return redirect_to(url_for("jobs.show", job_id=job.id))


def form_field(exc: ValidationError, fields: FieldNames = None) -> str:
    """Return the name of the form field exc is about (see FieldNames)."""
    if isinstance(fields, str):
        return fields
    return (fields or {}).get(exc.field, exc.field)


def refusal(exc: ValidationError, fields: FieldNames = None, form: dict | None = None) -> dict:
    """Return the context that shows exc next to its field and the form as typed."""
    return {"errors": {form_field(exc, fields): exc.message},
            "form": request.form.to_dict(flat=True) if form is None else form}


def confirm_name(name: str) -> None:
    """Check that the form's confirm field holds exactly name.

    :raise ValidationError: on the confirm field, for anything else.
    """
    if request.form.get(CONFIRM_FIELD, "") != name:
        raise ValidationError(CONFIRM_FIELD, f"Type {name} exactly to confirm.")
