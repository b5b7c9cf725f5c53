"""Per-argument validators: Dokku's own rules, plus the ones Dokku leaves to us.

Every user-supplied value passes one of these before it becomes part of a
command. Each raises ValidationError naming the form field it belongs to, so a
view can put the message next to that field.

Rules follow the Dokku sources (see ../shared/dokku-cli-reference.md, 0.5):
app names (plugins/common/common.go), hostnames (plugins/domains), config keys
(plugins/config), datastore service names (dokku-postgres common-functions).
On top of those, no positional value may begin with "-", and no free-text
value may hold a standalone global-flag word: the ``dokku`` script runs
parse_args (plugins/common/functions) over the words of the whole command
line as the forced-command shell split it on whitespace, before any quoting
is undone, so ``--force``, ``--quiet``, ``--trace`` or ``--app NAME`` inside a
value would change what the command does.
"""

from __future__ import annotations

import re
import urllib.parse


class ValidationError(ValueError):
    """A value was refused before anything reached Dokku."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# Dokku's rules, as its sources write them.
NEW_APP_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
EXISTING_APP_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # legacy names may hold "_"
HOSTNAME_RE = re.compile(r"^[a-z0-9.*-]*[a-z0-9*-]$")
CONFIG_KEY_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
SERVICE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
EXISTING_SERVICE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
# Rules Dokku leaves loose; ours are strict enough to be safe and loose enough
# for every real Procfile / plugin / network name.
PROCESS_TYPE_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$")
PLUGIN_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
NETWORK_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
GIT_REF_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./@+-]*$")
_EMAIL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
                      rf"(?:{_EMAIL_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})")
CPU_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
MEMORY_RE = re.compile(r"^[0-9]+(b|k|m|g|kb|mb|gb)?$", re.IGNORECASE)
SCP_URL_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9.-]+:[A-Za-z0-9_./~-][^\s]*$")
CONTAINER_PATH_RE = re.compile(r"^/[^\s:]*$")
ASCII_NUMBER_RE = re.compile(r"[0-9]{1,20}")

APP_NAME_MESSAGE = (
    "App name must begin with lowercase alphanumeric character, and may only "
    "contain lowercase alphanumerics, dots, and hyphens"
)
MAX_LEN = 255
PORT_SCHEMES = ("http", "https", "tcp", "udp", "grpc", "grpcs")
DOKKU_GLOBAL_FLAGS = ("--force", "--quiet", "--trace", "--app", "--global")


# plugins/common/functions parse_args: the words it acts on, wherever they stand.
GLOBAL_FLAG_WORDS = ("--force", "--quiet", "--trace", "--app")
GLOBAL_FLAG_RULE = (
    "Dokku reads every space-separated word of the whole command for its global flags "
    "--force, --quiet, --trace and --app, even inside a quoted value (parse_args in "
    "plugins/common/functions, called by the dokku script)"
)
_IFS_RE = re.compile(r"[ \t\n]+")


def no_global_flag_words(field: str, text: str, what: str) -> str:
    """Refuse text when one of its whitespace-separated words is a Dokku global flag."""
    for word in _IFS_RE.split(text):
        if word in GLOBAL_FLAG_WORDS:
            raise ValidationError(
                field, f"{what} may not contain the word '{word}': {GLOBAL_FLAG_RULE}.")
    return text


def _text(field: str, value, what: str) -> str:
    """Return value as a stripped string, refusing empties and control chars."""
    if not isinstance(value, str):
        raise ValidationError(field, f"{what} is required.")
    value = value.strip()
    if not value:
        raise ValidationError(field, f"{what} is required.")
    if len(value) > MAX_LEN:
        raise ValidationError(field, f"{what} is too long (at most {MAX_LEN} characters).")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError(field, f"{what} may not contain control characters or newlines.")
    if value.startswith("-"):
        raise ValidationError(
            field, f"{what} may not begin with '-' (Dokku would read it as a flag)."
        )
    return no_global_flag_words(field, value, what)


def app_name(value, field: str = "app") -> str:
    """Validate the name of an existing app (Dokku also accepts legacy '_')."""
    value = _text(field, value, "App name")
    if not EXISTING_APP_RE.match(value):
        raise ValidationError(field, APP_NAME_MESSAGE)
    return value


def new_app_name(value, field: str = "name") -> str:
    """Validate a name for a new app with Dokku's apps:create rule."""
    value = _text(field, value, "App name")
    if not NEW_APP_RE.match(value):
        raise ValidationError(field, APP_NAME_MESSAGE)
    return value


def hostname(value, field: str = "domain") -> str:
    """Validate a domain the way Dokku's domains plugin does (lower-cased)."""
    value = _text(field, value, "Domain").lower()
    if value != "_" and not HOSTNAME_RE.match(value):
        raise ValidationError(field, f"{value} is not a valid domain name.")
    if ".." in value or len(value) > 253:
        raise ValidationError(field, f"{value} is not a valid domain name.")
    return value


def config_key(value, field: str = "key") -> str:
    """Validate an environment variable name (Dokku's config rule)."""
    value = _text(field, value, "Key")
    if not CONFIG_KEY_RE.match(value):
        raise ValidationError(
            field,
            f"Invalid key name: '{value}'. Keys start with a letter or '_' and "
            "hold only letters, digits and '_'.",
        )
    return value


def config_value(value, field: str = "value") -> str:
    """Accept any text as a config value: it travels base64-encoded.

    Only NUL is refused, because no process argument or environment
    variable can hold it.
    """
    if not isinstance(value, str):
        raise ValidationError(field, "Value is required.")
    if "\x00" in value:
        raise ValidationError(field, "Value may not contain a NUL character.")
    return value


def service_name(value, field: str = "name") -> str:
    """Validate a datastore service name (dokku-postgres and friends)."""
    value = _text(field, value, "Service name")
    if not SERVICE_RE.match(value):
        raise ValidationError(
            field,
            "Please specify a valid name for the service. Valid characters are: "
            "letters, digits, '_' and '-'.",
        )
    return value


def existing_service_name(value, field: str = "name") -> str:
    """Validate the name of a service that already exists.

    dokku-postgres (and its siblings) check the name rule only in
    ``service_create_container``'s caller (``functions``:
    ``is_valid_service_name``); every other subcommand only asks
    ``verify_service_name`` whether ``$PLUGIN_DATA_ROOT/<name>`` is a
    directory, and ``fn-services-list`` lists every directory there. So a
    service made by an older plugin or by hand, e.g. ``legacy.db``, is listed
    and driven by Dokku, and must be by us: we also accept dots here (still
    no '/', no whitespace, no leading '-', and not '.' or '..').
    """
    value = _text(field, value, "Service name")
    if not EXISTING_SERVICE_RE.match(value) or value in (".", ".."):
        raise ValidationError(
            field, "Service names hold only letters, digits, '.', '_' and '-'.")
    return value


def process_type(value, field: str = "process_type") -> str:
    """Validate a Procfile process type such as web or worker."""
    value = _text(field, value, "Process type")
    if not PROCESS_TYPE_RE.match(value):
        raise ValidationError(
            field, f"'{value}' is not a valid process type (letters, digits, '_' and '-')."
        )
    return value


def ascii_int(value) -> int | None:
    """Return value as a whole number if it is ASCII digits only (spaces around allowed).

    str.isdigit() and int() accept far more than 0-9: isdigit() says yes to
    '²' (which int() then refuses), int() takes '٣', '+3', '3_000' and
    ' 3 '. Every number typed into Docklight goes through here instead, so
    what we validate is what Dokku receives. Twenty digits at most.
    """
    text = str(value).strip() if value is not None else ""
    if not ASCII_NUMBER_RE.fullmatch(text):
        return None
    return int(text)


def whole_number(value, field: str, what: str, minimum: int = 0,
                 maximum: int | None = None) -> int:
    """Validate a whole number (ASCII digits) from minimum to maximum."""
    number = ascii_int(value)
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ValidationError(field, f"{what} must be a whole number {bound} (digits 0-9).")
    return number


def count(value, field: str = "count", maximum: int = 1000) -> int:
    """Validate a process count: a whole number from 0 to maximum."""
    return whole_number(value, field, "Count", 0, maximum)


def port(value, field: str = "port") -> int:
    """Validate a TCP/UDP port number."""
    number = ascii_int(value)
    if number is None or not 1 <= number <= 65535:
        raise ValidationError(field, "Port must be a number from 1 to 65535.")
    return number


def port_mapping(value, field: str = "mapping") -> str:
    """Validate a ports mapping scheme:host-port:container-port."""
    text = _text(field, value, "Port mapping")
    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in PORT_SCHEMES:
        raise ValidationError(
            field,
            "Port mapping must look like http:80:5000 (scheme one of "
            + ", ".join(PORT_SCHEMES)
            + ").",
        )
    return f"{parts[0]}:{port(parts[1], field)}:{port(parts[2], field)}"


def git_url(value, field: str = "repository") -> str:
    """Validate a git remote: https://, http://, ssh://, git:// or git@host:path."""
    text = _text(field, value, "Repository URL")
    if any(c.isspace() for c in text):
        raise ValidationError(field, "Repository URL may not contain spaces.")
    if SCP_URL_RE.match(text):
        return text
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme not in ("https", "http", "ssh", "git") or not parsed.hostname:
        raise ValidationError(
            field, "Repository must be an https://, ssh://, git:// or git@host:path URL."
        )
    return text


def git_ref(value, field: str = "ref") -> str:
    """Validate a branch, tag or commit name."""
    text = _text(field, value, "Git ref")
    if not GIT_REF_RE.match(text) or ".." in text:
        raise ValidationError(field, f"'{text}' is not a valid branch, tag or commit.")
    return text


def plugin_name(value, field: str = "name") -> str:
    """Validate a Dokku plugin name."""
    text = _text(field, value, "Plugin name")
    if not PLUGIN_NAME_RE.match(text):
        raise ValidationError(
            field, "Plugin name may hold only lowercase letters, digits, '.', '_' and '-'."
        )
    return text


LETSENCRYPT_EMAIL_RULE = (
    "dokku-letsencrypt only checks that an e-mail is set (fn-letsencrypt-check-email), then "
    "passes it to lego as one word of a space-split command line and names a directory after "
    "it (fn-letsencrypt-config-string, fn-letsencrypt-shared-account-exists in "
    "internal-functions), and lego registers it with the CA as the account's mailto: contact"
)


def email(value, field: str = "email") -> str:
    """Validate the e-mail dokku-letsencrypt hands to lego (see LETSENCRYPT_EMAIL_RULE)."""
    text = _text(field, value, "E-mail")
    if len(text) > 254 or not EMAIL_RE.fullmatch(text):
        raise ValidationError(
            field, f"'{text}' cannot be used as the Let's Encrypt e-mail: write it as "
                   f"user@example.com, without spaces or '/' ({LETSENCRYPT_EMAIL_RULE}).")
    return text


def host_path(value, field: str = "host_path") -> str:
    """Validate an absolute host path for a storage mount."""
    text = _text(field, value, "Host path")
    if not CONTAINER_PATH_RE.match(text) or "/../" in text + "/" or text.endswith("/.."):
        raise ValidationError(
            field, "Host path must be absolute, without spaces, ':' or '..'."
        )
    return text


def container_path(value, field: str = "container_path") -> str:
    """Validate an absolute path inside the container."""
    text = _text(field, value, "Container path")
    if not CONTAINER_PATH_RE.match(text) or "/../" in text + "/":
        raise ValidationError(
            field, "Container path must be absolute, without spaces, ':' or '..'."
        )
    return text


def cpu(value, field: str = "cpu") -> str:
    """Validate a CPU quantity such as 1 or 0.5."""
    text = _text(field, value, "CPU")
    if not CPU_RE.match(text):
        raise ValidationError(field, "CPU must be a number such as 1 or 0.5.")
    return text


def memory(value, field: str = "memory") -> str:
    """Validate a memory quantity such as 512m or 1g."""
    text = _text(field, value, "Memory")
    if not MEMORY_RE.match(text):
        raise ValidationError(field, "Memory must be a number with an optional unit: 512m, 1g.")
    return text.lower()


def network_name(value, field: str = "network") -> str:
    """Validate a docker network name."""
    text = _text(field, value, "Network")
    if not NETWORK_NAME_RE.match(text):
        raise ValidationError(field, f"'{text}' is not a valid network name.")
    return text


def choice(value, choices, field: str, what: str) -> str:
    """Validate that value is one of a fixed set of choices."""
    text = value.strip() if isinstance(value, str) else ""
    if text not in choices:
        raise ValidationError(field, f"{what} must be one of: {', '.join(choices)}.")
    return text


def docker_option(value, field: str = "option") -> str:
    """Validate a docker option string such as '-v /a:/b' or '--restart=always'.

    This is the one value that is itself an option, so it must begin with
    '-'. It travels as a single argument; Dokku's docker-options plugin joins
    its arguments into one option line. What is refused: a bare Dokku global
    flag (Dokku would act on it instead of storing it), newlines (one option
    per line in Dokku's files) and empty options.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "Docker option is required.")
    text = value.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValidationError(field, "Docker option may not contain control characters.")
    if len(text) > 1000:
        raise ValidationError(field, "Docker option is too long.")
    if not text.startswith("-"):
        raise ValidationError(field, "Docker option must begin with '-', e.g. --restart=always.")
    first_word = text.split()[0]
    if first_word.split("=")[0] in DOKKU_GLOBAL_FLAGS:
        raise ValidationError(
            field, f"'{first_word}' is a Dokku global flag and cannot be a docker option."
        )
    return no_global_flag_words(field, text, "Docker option")
