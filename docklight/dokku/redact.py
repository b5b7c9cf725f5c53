"""Keep secrets out of history, logs and pages.

Dokku echoes config values in clear text (config:set prints every value,
datastore link/info print DSNs with passwords). Everything a command printed
passes through ``redact_output`` before it is stored or logged; revealing a
value is a separate, explicit read whose output is never stored.
"""

from __future__ import annotations

import json
import re

from docklight.dokku.command import SECRET, Command

# scheme://user:password@host -> scheme://user:***@host, in any output.
_URL_CREDENTIALS = re.compile(r"(?P<pre>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)")
# `       KEY:  value` lines printed by config:set (and by datastore link).
_CONFIG_LINE = re.compile(r"^(?P<pre>\s+[A-Za-z_][A-Za-z0-9_]*:\s+)\S.*$")
# Labelled secrets in datastore info output.
_SECRET_LABELS = re.compile(
    r"^(?P<pre>\s*(?:Dsn|Password|Root password|Url|[A-Z0-9_]*_URL):\s*)\S.*$",
    re.IGNORECASE,
)
MIN_LITERAL = 4  # shorter literals are caught by the structured rules only


def _config_json(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return SECRET if text.strip() else text
    if isinstance(data, dict):
        return json.dumps({k: SECRET for k in data}, sort_keys=True)
    return SECRET


def _config_set(text: str) -> str:
    lines, inside = [], False
    for line in text.split("\n"):
        if line.startswith("-----> Setting config vars"):
            inside = True
        elif line.startswith("----->") or line.startswith("=====>"):
            inside = False
        elif inside:
            line = _CONFIG_LINE.sub(lambda m: m["pre"] + SECRET, line)
        lines.append(line)
    return "\n".join(lines)


def _service(text: str) -> str:
    text = _config_set(text)
    return "\n".join(_SECRET_LABELS.sub(lambda m: m["pre"] + SECRET, line)
                     for line in text.split("\n"))


_REDACTORS = {
    "config_json": _config_json,
    "config_set": _config_set,
    "service": _service,
    "all": lambda text: SECRET if text.strip() else text,
}


def redact_text(text: str, secrets=()) -> str:
    """Scrub URL passwords and the given literal secrets from text."""
    if not text:
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_LITERAL:
            text = text.replace(secret, SECRET)
    return _URL_CREDENTIALS.sub(lambda m: m["pre"] + SECRET, text)


def redact_output(command: Command, text: str) -> str:
    """Return command's output as it may be stored: secrets replaced by ***."""
    if not text:
        return text
    if command.redact_output:
        text = _REDACTORS[command.redact_output](text)
    return redact_text(text, command.secrets)


def redact_line(command: Command, line: str, state: dict) -> str:
    """Redact one streamed line; state carries context between lines."""
    if line.startswith("-----> Setting config vars"):
        state["config"] = True
    elif line.startswith("----->") or line.startswith("=====>"):
        state["config"] = False
    elif state.get("config") and command.redact_output in ("config_set", "service"):
        line = _CONFIG_LINE.sub(lambda m: m["pre"] + SECRET, line)
    if command.redact_output == "service":
        line = _SECRET_LABELS.sub(lambda m: m["pre"] + SECRET, line)
    elif command.redact_output in ("all", "config_json"):
        line = SECRET if line.strip() else line
    return redact_text(line, command.secrets)
