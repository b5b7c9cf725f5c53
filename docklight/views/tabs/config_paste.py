"""Config tab: paste a whole .env file, see what it would set, then set it in one command.

People keep their config as .env files (``KEY=value`` lines, quotes,
``export`` prefixes, comments). The paste is read with godotenv's parser
(docklight.dokku.envfile), the reader Dokku's own ``config:import`` uses, so
the preview shows exactly the keys Dokku would get, and where godotenv
changed a value (``$NAME`` expanded). Each value then passes the same check
as the set form: one that Dokku would not give back byte-exact refuses the
whole paste. Only a second, explicit press sends it: one ``config:set`` for
every key, values base64 as always.

The pasted text holds secrets: the preview carries it in a hidden field, so
those answers are ``no-store`` and marked ``hx-history="false"``; the values
themselves are never shown, only their length.
"""

from __future__ import annotations

from flask import g, request

from docklight.dokku import commands, envfile
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError, config_key
from docklight.request_limits import CONFIG_BODY_LIMIT, body_limit
from docklight.views.answers import run, start_job
from docklight.views.app_page import bp, changed, failure, render_tab
from docklight.views.tabs.config import TEMPLATE, _context, _keys, _no_store

FIELD = "envfile"


def read_paste(text: str, existing: set[str]) -> tuple[list[dict], dict[str, str], str | None]:
    """Return the preview rows, the pairs to set, and a refusal for the whole paste (or None)."""
    expansions: dict[str, list[str]] = {}
    try:
        parsed = envfile.parse(text.replace("\r\n", "\n"), expansions)
    except envfile.EnvFileError as exc:
        return [], {}, f"This is not a .env file godotenv can read: {exc}."
    if not parsed:
        return [], {}, "No KEY=value lines found."
    rows, pairs, refused = [], {}, 0
    for key, value in parsed.items():
        row = {"key": key, "length": len(value), "replaces": key in existing, "notes": []}
        try:
            config_key(key, field=FIELD)
            commands.storable_config_value(value, field=FIELD)
        except ValidationError as exc:
            row["refused"] = exc.message
            refused += 1
        if expansions.get(key):
            names = ", ".join(f"${name}" for name in expansions[key])
            row["notes"].append(f"godotenv expanded {names} (a key earlier in the paste, or "
                                "nothing); put the value in single quotes to keep it literal.")
        if value == "":
            row["notes"].append("empty value")
        rows.append(row)
        pairs[key] = value
    problem = f"{refused} of {len(rows)} keys cannot be set as pasted; fix them first." if refused else None
    return rows, pairs, problem


def _paste_answer(status: int, **context):
    """Answer with the whole tab (paste preview or refusal), kept out of every cache."""
    return _no_store(render_tab("config", TEMPLATE, status, **_context(**context)))


@bp.post("/config/paste")
@body_limit(CONFIG_BODY_LIMIT)
def config_paste_POST():
    """Preview a pasted .env file; with ``apply`` set every key of it in one config:set."""
    text = request.form.get(FIELD, "")
    no_restart = bool(request.form.get("no_restart"))
    paste = {"text": text, "no_restart": no_restart}
    rows, pairs, problem = read_paste(text, set(_keys()))
    paste["rows"] = rows
    if problem:
        return _paste_answer(422, paste=paste, errors={FIELD: problem})
    if not request.form.get("apply"):
        return _paste_answer(200, paste=paste)
    try:
        command = commands.config_set(g.app, pairs, restart=not no_restart)
    except ValidationError as exc:
        return _paste_answer(422, paste=paste, errors={FIELD: exc.message})
    if not no_restart:
        return start_job(command, f"Set {len(pairs)} keys from a pasted .env on {g.app}")
    try:
        result = run(command)
    except CommandFailed as exc:
        return _no_store(failure("config", TEMPLATE, exc, **_context(paste=paste)))
    done = {"command": result.command.display,
            "message": f"Set {', '.join(pairs)} without restarting {g.app}."}
    return _no_store(changed(render_tab("config", TEMPLATE, **_context(done=done))))
