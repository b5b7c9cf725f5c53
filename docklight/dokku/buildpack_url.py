"""The buildpack references Dokku accepts, by its own rule (plugins/buildpacks/functions.go).

``validBuildpackURL`` is called by buildpacks:add, buildpacks:set and
buildpacks:remove (subcommands.go) and accepts exactly two shapes:

* ``owner/name`` (``^([\\w-]+\\/[\\w-]+)$``, ASCII word characters and ``-``),
  stored expanded as ``https://github.com/<owner>/heroku-buildpack-<name>.git``
  with the owner ``heroku-community`` written as ``heroku``;
* a URL matching
  ``^(http|https|git)(:\\/\\/|@)([^\\/:]+)[\\/:]([^\\/:]+)\\/(.+)(.git(#derp)?)?$``:
  an ``http://``, ``https://`` or ``git://`` URL, or ``git@host:path``, with a
  host and at least two path parts (``https://github.com/owner/repo``).

Anything else fails with "Invalid buildpack specified". Docklight also keeps
the characters to a set that needs no quoting on the way to Dokku.
"""

from __future__ import annotations

import re

from docklight.dokku import validators
from docklight.dokku.validators import ValidationError

SHORTHAND_RE = re.compile(r"[\w-]+/[\w-]+", re.ASCII)
URL_RE = re.compile(r"(http|https|git)(://|@)([^/:]+)[/:]([^/:]+)/(.+)(.git(#derp)?)?")
SAFE_RE = re.compile(r"[A-Za-z0-9@%+=:,./_#~-]+")
RULE = (
    "Dokku accepts owner/name (letters, digits, '_' and '-'; it stands for "
    "https://github.com/owner/heroku-buildpack-name.git) or an http://, https:// or git:// URL "
    "or git@host:path with at least two path parts, such as https://github.com/owner/repo.git "
    "(validBuildpackURL in plugins/buildpacks/functions.go)"
)


def stored_form(reference: str) -> str:
    """Return what Dokku stores for an accepted reference (owner/name is expanded)."""
    if SHORTHAND_RE.fullmatch(reference):
        owner, name = reference.split("/", 1)
        owner = "heroku" if owner == "heroku-community" else owner
        return f"https://github.com/{owner}/heroku-buildpack-{name}.git"
    return reference


def buildpack(value, field: str = "url") -> str:
    """Return the reference if Dokku's validBuildpackURL accepts it, else raise ValidationError."""
    text = validators._text(field, value, "Buildpack")
    if any(c.isspace() for c in text):
        raise ValidationError(field, f"Buildpack may not contain spaces: {RULE}.")
    if not (SHORTHAND_RE.fullmatch(text) or URL_RE.fullmatch(text)):
        raise ValidationError(field, f"Dokku refuses this buildpack: {RULE}.")
    if not SAFE_RE.fullmatch(text):
        raise ValidationError(
            field, "Buildpack URL may hold only letters, digits and @%+=:,./_#~-.")
    return text
