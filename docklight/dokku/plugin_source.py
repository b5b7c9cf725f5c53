"""Which sources `dokku plugin:install` can really install, by Dokku's and plugn's rules.

Three programs decide, one after the other, and a source must pass all three:

* Dokku's ``plugins/plugin/subcommands/install`` (``cmd-plugin-install``)
  takes the first argument as the source only when it matches the bash case
  patterns ``https:* | git* | ssh:* | file:* | *.tar.gz | *.tgz``; anything
  else fails with "Please retry with valid arguments". So a plain ``http://``
  git URL is refused, while ``http://host/x.tgz`` is taken.
* ``plugins/plugin/functions`` (``download_and_enable_plugin``,
  ``plugin_name``) names the plugin after the last ``/`` part of the source,
  dropping ``.git`` and a leading ``dokku-`` and nothing else, unless
  ``--name`` is given; ``plugin:update`` later accepts only names matching
  ``fn-is-valid-plugin`` (``internal-functions``: letters, digits, ``_``, ``-``).
  ``--committish`` pins through ``plugn update``, which pins only a git clone.
* plugn's ``install`` (dokku/plugn ``bashenv/plugn.bash``, v0.17.1 as Dokku
  0.38.27 pins it in contrib/dependencies.json) downloads the
  source with ``curl -sfL | tar xz`` when the text after its last ``/``
  ends in ``.tar.gz`` or ``.tgz`` — a query string after it turns it into a
  ``git clone`` of the archive — and git-clones anything else, where git
  reads a source that is neither a URL nor ``user@host:path`` as a local
  directory.

Docklight sends only what passes all three, and says which rule refused it.
"""

from __future__ import annotations

import re
import urllib.parse

from docklight.dokku import validators
from docklight.dokku.validators import ValidationError

SOURCE_FILE = "plugins/plugin/subcommands/install"
DOKKU_RULE = (
    "dokku plugin:install takes a source that starts with https:, git, ssh: or file:, "
    "or ends in .tar.gz or .tgz (cmd-plugin-install in plugins/plugin/subcommands/install)"
)
PLUGN_RULE = (
    "plugn install (dokku/plugn bashenv/plugn.bash) downloads a source whose last part "
    "ends in .tar.gz or .tgz with curl and git-clones every other source"
)
NAME_RULE = (
    "plugin:update accepts only names of letters, digits, '_' and '-' "
    "(fn-is-valid-plugin in plugins/plugin/internal-functions)"
)
_DOKKU_CASE_RE = re.compile(r"(https:|git|ssh:|file:).*|.*\.tar\.gz|.*\.tgz", re.S)
_ARCHIVE_RE = re.compile(r".*\.(tar\.gz|tgz)", re.S)
_VALID_PLUGIN_RE = re.compile(r"[0-9a-zA-Z_-]+")
# git's scp-like form: [user@]host:path with no '/' before the ':'.
_SCP_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9.-]+:[^\s]+")
GIT_SCHEMES = ("https", "ssh", "git", "git+ssh", "file")
ARCHIVE_SCHEMES = ("https", "http", "file")


def dokku_default_name(source: str) -> str:
    """Return the name Dokku gives a plugin installed without --name (functions plugin_name)."""
    base = source.split("/")[-1]
    base = re.sub(r".git$", "", base, count=1)  # sed -e "s:.git$::g": '.' is any character
    return base[len("dokku-"):] if base.startswith("dokku-") else base


def is_archive(source: str) -> bool:
    """Return whether plugn downloads *source* as an archive instead of cloning it."""
    return bool(_ARCHIVE_RE.fullmatch(source.split("/")[-1]))


def plugin_source(value, field: str = "url") -> str:
    """Return the source if Dokku and plugn would install it, else raise ValidationError."""
    text = validators._text(field, value, "Plugin source")
    if any(c.isspace() for c in text):
        raise ValidationError(field, "Plugin source may not contain spaces.")
    if not _DOKKU_CASE_RE.fullmatch(text):
        raise ValidationError(field, f"Dokku refuses this source: {DOKKU_RULE}.")
    parsed = urllib.parse.urlsplit(text)
    if is_archive(text):
        if parsed.scheme not in ARCHIVE_SCHEMES or (parsed.scheme != "file" and not parsed.hostname):
            raise ValidationError(
                field, f"An archive source must be an https://, http:// or file:// URL that curl "
                       f"can download: {PLUGN_RULE}.")
        return text
    if _ARCHIVE_RE.fullmatch(parsed.path.split("/")[-1]):
        raise ValidationError(
            field, f"This archive URL does not end in .tar.gz or .tgz (the query string comes "
                   f"after it), so plugn would git-clone it instead of downloading it: {PLUGN_RULE}.")
    if _SCP_RE.fullmatch(text):
        return text
    if parsed.scheme not in GIT_SCHEMES or (parsed.scheme != "file" and not parsed.hostname) \
            or not parsed.path.strip("/"):
        raise ValidationError(
            field, "A repository source must be an https://, ssh://, git:// or file:// URL, or "
                   f"git@host:path; git reads anything else as a local directory: {PLUGN_RULE}.")
    return text


def install_name(name, source: str, field: str = "name") -> str | None:
    """Validate the --name (or the name Dokku would derive); return the --name to send.

    None means "send no --name": Dokku's own name for the source is usable.
    """
    if name:
        text = validators.plugin_name(name, field)
        if not _VALID_PLUGIN_RE.fullmatch(text):
            raise ValidationError(field, f"Plugin name '{text}' is not usable: {NAME_RULE}.")
        return text
    derived = dokku_default_name(source)
    if not _VALID_PLUGIN_RE.fullmatch(derived) or derived.startswith("-"):
        raise ValidationError(
            field, f"Give this plugin a name: Dokku would call it '{derived}' (plugin_name in "
                   f"plugins/plugin/functions keeps everything after the last '/' except '.git' "
                   f"and 'dokku-'), and {NAME_RULE}.")
    return None


def committish(value, source: str, field: str = "committish") -> str | None:
    """Validate --committish; refuse it for an archive, which plugn update cannot pin."""
    if not value or not str(value).strip():
        return None
    if is_archive(source):
        raise ValidationError(
            field, "A version can be pinned only for a git source: plugn update answers "
                   "'not managed by git' for an archive and leaves it as downloaded "
                   "(update_plugin in plugins/plugin/functions, plugn bashenv/plugn.bash update).")
    return validators.git_ref(value, field)
