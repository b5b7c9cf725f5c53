"""Keep secrets out of history, logs and pages.

Dokku echoes config values in clear text (config:set prints every value,
datastore link/info print DSNs with passwords), and it keeps what git:sync was
given: plugins/git/internal-functions cmd-git-sync stores ``REMOTE#REF`` as the
app's deploy-source metadata (plugins/apps/triggers.go TriggerDeploySourceSet),
which every later ``apps:report`` prints. Everything a command printed passes
through ``redact_output`` before it is stored, logged or handed to a page;
revealing a value is a separate, explicit read whose output is never stored.

Credentials in URLs: an http(s) URL's whole user-info is a credential
(``https://TOKEN@``, ``user:TOKEN@``, ``oauth2:TOKEN@`` all become
``https://***@``); for other schemes (``postgres://user:pw@``, ``ssh://git@``)
only a password is one, so the user name stays. Token query parameters
(``?private_token=``, ``access_token=``, ``token=`` ...) lose their value.

Literal secrets (config values) are replaced wherever they occur when they
are at least MIN_LITERAL characters long. A multi-line value is replaced as a
whole and line by line; a line (or a value) shorter than that is replaced
where it stands as a whole line of output, which is how Dokku prints the
continuation lines of a multi-line value, because replacing a two-letter
string everywhere would garble every other line.
"""

from __future__ import annotations

import json
import re
import urllib.parse

from docklight.dokku.command import SECRET, Command

# scheme://userinfo@ in any output; userinfo ends at the last '@' before the
# host (it may hold '@' itself only percent-encoded, but be generous).
_URL_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/?#\"'<>\\]+)@")
# Schemes where a lone user name is itself the credential (a token).
_TOKEN_SCHEMES = ("http", "https", "ftp", "ftps")
# ?private_token=... &access_token=... in any URL.
_TOKEN_QUERY = re.compile(
    r"(?P<pre>[?&;](?:private_token|access_token|token|auth_token|oauth_token|api_key|apikey"
    r"|password|passwd)=)[^&#\s\"'<>]+",
    re.IGNORECASE,
)
# `       KEY:  value` lines printed by config:set (and by datastore link).
_CONFIG_LINE = re.compile(r"^(?P<pre>\s+[A-Za-z_][A-Za-z0-9_]*:\s+)\S.*$")
# Labelled secrets in datastore info output.
_SECRET_LABELS = re.compile(
    r"^(?P<pre>\s*(?:Dsn|Password|Root password|Url|[A-Z0-9_]*_URL):\s*)\S.*$",
    re.IGNORECASE,
)
# godotenv's parse errors quote the env file itself (parser.go extractVarValue:
# "unterminated quoted value <rest of the line>"; locateKeyName: "... in
# variable name near <rest of the file, %q>"), so a broken file's values would
# be printed by every config command of the app.
_ENV_FILE_ERROR = re.compile(r"(?P<pre>unterminated quoted value |in variable name near )\S.*$",
                             re.MULTILINE)
MIN_LITERAL = 4  # shorter literals are caught by the structured rules only
# dokku-letsencrypt 0.25.0 and later print the DNS provider's credentials
# (``letsencrypt:set --global dns-provider-CF_API_TOKEN ...``) in clear in
# letsencrypt:report unless LETSENCRYPT_REPORT_SANITIZE=true
# (internal-functions fn-letsencrypt-report-add-dns-provider-keys): as
# ``"computed-dns-provider-KEY":"value"`` in JSON and as
# ``Letsencrypt computed dns provider KEY:  value`` in text.
_DNS_PROVIDER_JSON = re.compile(
    r'(?P<pre>"(?:computed-|global-)?dns-provider-[^"\\]+"\s*:\s*")(?:[^"\\]|\\.)*"')
_DNS_PROVIDER_LINE = re.compile(
    r"^(?P<pre>\s*Letsencrypt (?:computed |global )?dns provider \S+:[ \t]+)\S.*$",
    re.MULTILINE | re.IGNORECASE)


def _config_json(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        lines = [line for line in text.split("\n") if line.strip()]
        if lines and all(line.startswith(" !     ") for line in lines):
            return redact_env_file_errors(text)  # Dokku's refusal, shown with values scrubbed
        return SECRET if text.strip() else text
    if isinstance(data, dict):
        return json.dumps({k: SECRET for k in data}, sort_keys=True)
    return SECRET


def _config_value_line(line: str) -> str:
    """Redact one line of config:set's value listing.

    plugins/config/environment.go prettyPrintEnvEntries prints ``KEY:  value``
    through columnize, so the later lines of a multi-line value follow as raw
    lines of their own: every such line is a piece of a value.
    """
    match = _CONFIG_LINE.match(line)
    if match:
        return match["pre"] + SECRET
    return SECRET if line.strip() else line


def _config_set(text: str) -> str:
    lines, inside = [], False
    for line in text.split("\n"):
        if line.startswith("-----> Setting config vars"):
            inside = True
        elif line.startswith("----->") or line.startswith("=====>"):
            inside = False
        elif inside:
            line = _config_value_line(line)
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


def _userinfo(match: re.Match) -> str:
    scheme, userinfo = match["scheme"], match["userinfo"]
    if scheme[:-3].lower() in _TOKEN_SCHEMES:
        return f"{scheme}{SECRET}@"
    user, colon, _password = userinfo.partition(":")
    return f"{scheme}{user}:{SECRET}@" if colon else match[0]


def redact_urls(text: str) -> str:
    """Replace the credentials of every URL in text by *** (see the module docstring)."""
    if not text:
        return text
    # Each pattern needs a literal its text lacks most of the time (a report
    # of 200 apps has no "://"); testing for it is far cheaper than a scan.
    if "://" in text:
        text = _URL_USERINFO.sub(_userinfo, text)
    if "=" in text and ("?" in text or "&" in text or ";" in text):
        text = _TOKEN_QUERY.sub(lambda m: m["pre"] + SECRET, text)
    return text


def url_secrets(text: str) -> tuple[str, ...]:
    """Return the credentials the URLs in text carry, as literals to scrub from output.

    Tools print a URL's parts on their own (git shows the user, percent-decoded
    forms appear in messages), so the user-info, its parts and token values
    are scrubbed as literals too.
    """
    found: list[str] = []
    for match in _URL_USERINFO.finditer(text or ""):
        scheme, userinfo = match["scheme"][:-3].lower(), match["userinfo"]
        user, colon, password = userinfo.partition(":")
        parts = [userinfo, password] if scheme in _TOKEN_SCHEMES else [password]
        if scheme in _TOKEN_SCHEMES and user not in ("git", "oauth2", "x-access-token"):
            parts.append(user)
        for part in parts:
            if part:
                found += [part, urllib.parse.unquote(part)]
    for match in _TOKEN_QUERY.finditer(text or ""):
        value = match[0][len(match["pre"]):]
        found += [value, urllib.parse.unquote(value)]
    return tuple(dict.fromkeys(p for p in found if len(p) >= MIN_LITERAL))


def _literals(secrets) -> tuple[list[str], set[str]]:
    """Split secrets into long literals (replaced anywhere) and short whole lines."""
    long, short = set(), set()
    for secret in secrets:
        if not secret:
            continue
        parts = [secret]
        if "\n" in secret or "\r" in secret:
            parts += secret.splitlines()
        for part in parts:
            if len(part) >= MIN_LITERAL:
                long.add(part)
            elif part.strip():
                short.add(part.strip())
    return sorted(long, key=len, reverse=True), short


def redact_env_file_errors(text: str) -> str:
    """Replace the env file text godotenv's parse errors quote by ***."""
    if "quoted value" not in text and "variable name near" not in text:
        return text
    return _ENV_FILE_ERROR.sub(lambda m: m["pre"] + SECRET, text)


def redact_dns_provider_credentials(text: str) -> str:
    """Replace the values of letsencrypt:report's dns-provider-* rows by ***."""
    if "dns-provider-" not in text and "dns provider " not in text.lower():
        return text
    text = _DNS_PROVIDER_JSON.sub(lambda m: m["pre"] + SECRET + '"', text)
    return _DNS_PROVIDER_LINE.sub(lambda m: m["pre"] + SECRET, text)


def redact_text(text: str, secrets=()) -> str:
    """Scrub URL credentials, env file quotes, DNS provider keys and literal secrets from text."""
    if not text:
        return text
    text = redact_dns_provider_credentials(redact_env_file_errors(text))
    long, short = _literals(secrets)
    for secret in long:
        text = text.replace(secret, SECRET)
    if short:
        text = "\n".join(_short_line(line, short) for line in text.split("\n"))
    return redact_urls(text)


def _short_line(line: str, short: set[str]) -> str:
    """Return line, or *** when it is (apart from spacing) one of the short secrets."""
    bare = line.strip()
    if bare in short:
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        return line[:lead] + SECRET + line[trail:]
    return line


def redact_output(command: Command, text: str) -> str:
    """Return command's output as it may be stored: secrets replaced by ***."""
    if not text:
        return text
    if command.redact_output:
        text = _REDACTORS[command.redact_output](text)
    return redact_text(text, command.secrets)


def for_caller(command: Command, text: str) -> str:
    """Return output as views may use it: redacted unless the command is a reveal.

    Commands with an output redactor (config:get, config:export, datastore
    info) are the explicit reads whose answer the caller asked to see; every
    other answer (reports, lists) is scrubbed like history is, so a page never
    shows a credential Dokku keeps, such as git:sync's deploy-source metadata.
    """
    if command.redact_output:
        return redact_env_file_errors(text) if text else text
    return redact_text(text, command.secrets)


def caller_sees_stored(command: Command) -> bool:
    """Return whether for_caller(command, text) is redact_output(command, text) for any text.

    True for every command without an output redactor: both then scrub with
    redact_text(text, command.secrets) alone.
    """
    return not command.redact_output


def redact_line(command: Command, line: str, state: dict) -> str:
    """Redact one streamed line; state carries context between lines."""
    if line.startswith("-----> Setting config vars"):
        state["config"] = True
    elif line.startswith("----->") or line.startswith("=====>"):
        state["config"] = False
    elif state.get("config") and command.redact_output in ("config_set", "service"):
        line = _config_value_line(line)
    if command.redact_output == "service":
        line = _SECRET_LABELS.sub(lambda m: m["pre"] + SECRET, line)
    elif command.redact_output in ("all", "config_json"):
        line = SECRET if line.strip() else line
    return redact_text(line, command.secrets)
