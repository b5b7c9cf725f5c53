"""Config tab: keys with hidden values, reveal one value, set and unset vars.

Values never appear in the list: the tab reads ``config:export --format
json`` for the keys and shows ``••••``. Revealing is an explicit request per
key (``config:get``), recorded in history with its output redacted; the value
is only ever in that one response, which is not cached.

Setting takes several KEY=VALUE rows at once. Values travel base64
(``config:set --encoded``), so every byte arrives as typed. A change that
restarts the app runs as a job; with "don't restart" it runs inline.
"""

from __future__ import annotations

import re

from flask import g, make_response, redirect, request, url_for

from docklight.dokku import commands, parsers
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError, ascii_int, config_key, config_value
from docklight.htmx import wants_fragment
from docklight.request_limits import CONFIG_BODY_LIMIT, body_limit
from docklight.views.answers import run, start_job
from docklight.views.app_page import bp, changed, failure, render_tab

TEMPLATE = "app/_config.html"
FORM_TEMPLATE = "app/_config_form.html"
VALUE_TEMPLATE = "app/_config_value.html"
DEFAULT_ROWS = 3
MAX_ROWS = 50
ROW_FIELD = re.compile(r"^(?:key|value)-([0-9]{1,4})$")


def _rows(value, default: int = DEFAULT_ROWS) -> int:
    """Return how many key/value rows the form shows (1..MAX_ROWS)."""
    number = ascii_int(value)
    return default if number is None else min(max(number, 1), MAX_ROWS)


def _keys() -> list[str]:
    """Read the app's config keys (the values are read but never shown)."""
    return sorted(parsers.parse_config_export_json(run(commands.config_export(g.app)).stdout))


def _posted_rows(form) -> int:
    """Return how many rows the set form posted: its rows field, or more if fields say so."""
    declared = form.get("rows", "")
    counts = [n for n in (ascii_int(declared),) if n is not None]
    counts += [int(m.group(1)) + 1 for m in map(ROW_FIELD.match, form) if m]
    return _rows(max(counts)) if counts else DEFAULT_ROWS


def _context(**extra) -> dict:
    """Return what the tab shows: the keys and the size of the set form."""
    context = {"keys": _keys(), "rows": DEFAULT_ROWS, "revealed": {}, "ticked": ()}
    context.update(extra)
    return context


def _no_store(response):
    """Keep a response that may hold a value out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_only(status: int, **context):
    """Answer htmx with the set form alone (no Dokku read), else the whole tab."""
    if wants_fragment():
        response = render_tab("config", FORM_TEMPLATE, status, **context)
        response.headers["HX-Retarget"] = "#config-set"
        response.headers["HX-Reswap"] = "outerHTML"
        return _no_store(response)
    return _no_store(render_tab("config", TEMPLATE, status, **_context(**context)))


def _pairs_from_form(form, rows: int) -> tuple[dict[str, str], dict[str, str]]:
    """Return the KEY=VALUE pairs of the set form and the errors, by field.

    A row with neither key nor value is skipped. A key with an empty value
    is refused unless its row's "store an empty value" box is ticked: an
    edit that lost its value must not wipe the stored one. Browsers send
    textarea line breaks as CRLF; they are turned back into the LF a person
    typed.
    """
    pairs: dict[str, str] = {}
    errors: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for i in range(rows):
        key_field, value_field = f"key-{i}", f"value-{i}"
        raw_key = form.get(key_field, "")
        value = form.get(value_field, "").replace("\r\n", "\n")
        if not raw_key.strip():
            if value:
                errors[key_field] = "Give a key for this value."
            continue
        try:
            key = config_key(raw_key, field=key_field)
            value = commands.storable_config_value(value, field=value_field)
        except ValidationError as exc:
            errors[exc.field] = exc.message
            continue
        if value == "" and not form.get(f"empty-{i}"):
            errors[value_field] = (f"The value for {key} is empty. Tick \u201cStore an empty "
                                   "value\u201d to set it empty on purpose.")
            continue
        if key in first_row:
            errors[key_field] = f"{key} is already in row {first_row[key] + 1}; give each key once."
            continue
        first_row[key] = i
        pairs[key] = value
    if not pairs and not errors:
        errors["key-0"] = "Give at least one KEY and its value."
    return pairs, errors


def _largest_value_field(form, rows: int) -> str:
    """Return the value field a refusal of the whole set belongs next to (the largest value)."""
    sizes = [(len(form.get(f"value-{i}", "")), -i) for i in range(rows)]
    return f"value-{-max(sizes)[1]}" if sizes else "value-0"


@bp.get("/config")
def config():
    """List the app's config keys, values hidden, with the set and unset forms."""
    context = _context(rows=_rows(request.args.get("rows")))
    edit = request.args.get("edit", "")
    if edit:
        context["form"] = {"key-0": edit}
    return _no_store(render_tab("config", TEMPLATE, **context))


@bp.post("/config/edit")
def config_edit_POST():
    """Load a key and its current value into the set form (read on purpose, like Reveal).

    The value is in this one response only: not cached, and the form is
    marked hx-history="false" so htmx keeps no copy of the page.
    """
    key = request.form.get("edit", "")
    try:
        key = config_key(key, field="key-0")
        command = commands.config_get(g.app, key)
    except ValidationError as exc:
        return _form_only(422, form={"key-0": key}, rows=1, errors={"key-0": exc.message})
    try:
        stdout = run(command).stdout
    except CommandFailed as exc:
        if exc.result.exit_code == 1 and not exc.message:  # config:get of a key that is gone
            return _form_only(422, form={"key-0": key}, rows=1,
                              errors={"key-0": f"{key} is not set any more."})
        return _no_store(failure("config", TEMPLATE, exc, **_context()))
    value = stdout[:-1] if stdout.endswith("\n") else stdout  # config:get adds one newline
    form = {"key-0": key, "value-0": value, "rows": "1"}
    if value == "":
        form["empty-0"] = "1"  # it is empty now; keeping it so is no accident
    return _form_only(200, form=form, rows=1, editing=key, edit_command=command.display)


@bp.post("/config")
@body_limit(CONFIG_BODY_LIMIT)
def config_POST():
    """Set several config vars: a job that restarts the app, or inline with --no-restart."""
    form = request.form
    rows = _posted_rows(form)
    typed = form.to_dict(flat=True)
    if form.get("add_row"):
        typed["rows"] = str(min(rows + 1, MAX_ROWS))
        return _form_only(200, form=typed, rows=min(rows + 1, MAX_ROWS))
    pairs, errors = _pairs_from_form(form, rows)
    no_restart = bool(form.get("no_restart"))
    if errors:
        return _form_only(422, form=typed, rows=rows, errors=errors)
    try:
        command = commands.config_set(g.app, pairs, restart=not no_restart)
    except ValidationError as exc:
        return _form_only(422, form=typed, rows=rows, errors={_largest_value_field(form, rows): exc.message})
    if not no_restart:
        return start_job(command, f"Set {', '.join(pairs)} on {g.app}")
    try:
        result = run(command)
    except CommandFailed as exc:
        return _no_store(failure("config", TEMPLATE, exc, **_context(form=typed, rows=rows)))
    done = {"command": result.command.display,
            "message": f"Set {', '.join(pairs)} without restarting {g.app}."}
    return _no_store(changed(render_tab("config", TEMPLATE, **_context(done=done))))


@bp.post("/config/unset")
def config_unset_POST():
    """Unset the checked keys: a job that restarts the app, or inline with --no-restart."""
    keys = request.form.getlist("unset")
    no_restart = bool(request.form.get("no_restart"))
    try:
        if not keys:
            raise ValidationError("unset", "Tick at least one key to unset.")
        keys = [config_key(k, field="unset") for k in keys]
        command = commands.config_unset(g.app, keys, restart=not no_restart)
    except ValidationError as exc:
        return render_tab("config", TEMPLATE, 422, errors={"unset": exc.message},
                          **_context(ticked=keys))
    if not no_restart:
        return start_job(command, f"Unset {', '.join(keys)} on {g.app}")
    try:
        result = run(command)
    except CommandFailed as exc:
        return failure("config", TEMPLATE, exc, **_context())
    done = {"command": result.command.display,
            "message": f"Unset {', '.join(keys)} without restarting {g.app}."}
    return changed(render_tab("config", TEMPLATE, **_context(done=done)))


@bp.post("/config/reveal")
def config_reveal_POST():
    """Show one value, read on purpose with `config:get` (history keeps only ***).

    htmx gets just that value's fragment; without JavaScript the tab comes
    back whole with the one value shown.
    """
    key = request.form.get("key", "")
    try:
        key = config_key(key, field="key")
        command = commands.config_get(g.app, key)
    except ValidationError as exc:
        return _revealed({"key": key, "refused": exc.message}, 422)
    item = {"key": key, "value": "", "command": command.display}
    try:
        result = run(command)
        # config:get prints the value and one newline of its own.
        item["value"] = result.stdout[:-1] if result.stdout.endswith("\n") else result.stdout
    except CommandFailed as exc:
        # A missing key exits 1 without a word (reference 0.4).
        if exc.result.exit_code == 1 and not exc.message:
            item["missing"] = True
        else:
            item["failed"] = exc
            if not wants_fragment():
                return _no_store(failure("config", TEMPLATE, exc, **_context()))
            return _revealed(item, 422)
    return _revealed(item)


def _revealed(item: dict, status: int = 200):
    """Answer a reveal: htmx gets the one value's fragment, a plain form the whole tab."""
    if wants_fragment():
        return _no_store(render_tab("config", VALUE_TEMPLATE, status, item=item))
    return _no_store(render_tab("config", TEMPLATE, status,
                                **_context(revealed={item["key"]: item})))


@bp.get("/config/masked")
def config_masked():
    """Hide a revealed value again (no Dokku call)."""
    if not wants_fragment():
        return redirect(url_for("app.config"), 303)
    key = request.args.get("key", "")
    try:
        key = config_key(key, field="key")
    except ValidationError:
        return make_response("", 400)
    return render_tab("config", VALUE_TEMPLATE, item={"key": key, "hidden": True})
