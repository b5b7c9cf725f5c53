"""The remote repositories git:sync talks to, modelled without a network.

Dokku's git:sync (plugins/git/internal-functions fn-git-clone, fn-git-fetch)
shells out to git; its behaviour depends on what the remote holds. The
emulator's remote is deterministic:

* a ref of 40 hex digits is a commit; one that looks like a version
  (``1.0.0``, ``v2.3``, ``2.0.0-annotated``) is a tag; anything else a branch;
* every ref exists, and resolves to a stable sha derived from repository + ref,
  unless settings.json's ``git_refs`` map (``{"<repository>#<ref>": "<sha>"}``)
  says otherwise (tests move a branch with it);
* a repository whose host ends in ``.invalid`` cannot be reached, and git fails
  the way git 2.39 does (exit 128, the URL shown without its user-info part,
  as git's transport_anonymize_url shows it).
"""

import re
from urllib.parse import urlsplit

from . import state as store

COMMIT_RE = re.compile(r"[0-9a-f]{40}")
TAG_RE = re.compile(r"v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?")
SCP_RE = re.compile(r"(?:[^@/:]+@)?([^/:]+):(?!//)")


class Target:
    """What a ref names on the remote: its kind and the commit it points at."""

    def __init__(self, kind, sha):
        self.kind = kind
        self.sha = sha


class RemoteError(Exception):
    """git failed talking to the remote: the lines it printed and its exit code."""

    def __init__(self, lines, code=128):
        super().__init__(lines)
        self.lines = lines
        self.code = code


def ref_kind(ref):
    """Return ``commit``, ``tag`` or ``branch`` for *ref* (see the module docstring)."""
    if COMMIT_RE.fullmatch(ref):
        return "commit"
    if TAG_RE.fullmatch(ref):
        return "tag"
    return "branch"


def host_of(remote):
    """Return the host part of an URL or of an scp-like ``user@host:path`` remote."""
    if "://" in remote:
        return urlsplit(remote).hostname or ""
    match = SCP_RE.match(remote)
    return match.group(1) if match else ""


def anonymize(remote):
    """Drop the ``user:password@`` part of an URL, as git shows remotes in messages."""
    if "://" not in remote:
        return remote
    scheme, rest = remote.split("://", 1)
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def unreachable_lines(remote, cloning):
    """Return what git prints when *remote*'s host does not resolve."""
    host = host_of(remote)
    lines = ["Cloning into '/tmp/dokku-clone'..."] if cloning else []
    if "://" in remote and not remote.startswith("ssh://"):
        url = anonymize(remote)
        return lines + [f"fatal: unable to access '{url.rstrip('/')}/': Could not resolve host: {host}"]
    return lines + [f"ssh: Could not resolve hostname {host}: Name or service not known",
                    "fatal: Could not read from remote repository.", "",
                    "Please make sure you have the correct access rights",
                    "and the repository exists."]


def resolve(ctx, remote, ref, cloning=True):
    """Return the :class:`Target` of *ref* on *remote*, or raise :class:`RemoteError`."""
    if host_of(remote).endswith(".invalid"):
        raise RemoteError(unreachable_lines(remote, cloning))
    kind = ref_kind(ref)
    moved = (ctx.settings.get("git_refs") or {}).get(f"{remote}#{ref}")
    if moved:
        return Target(kind, moved)
    return Target(kind, ref if kind == "commit" else store.hexid("git", remote, ref, length=40))


def fetch_lines(remote, ref, branch, old, new):
    """Return git fetch's report lines (stderr, tee'd to stdout by the build capture)."""
    shown = anonymize(remote)
    shown = shown[:-4] if shown.endswith(".git") else shown
    lines = [f"From {shown}"]
    if not ref:
        lines.append(f" * branch            {branch:<10} -> FETCH_HEAD")
    if old != new:
        lines.append(f"   {old[:7]}..{new[:7]}  {branch:<10} -> {branch}")
    return lines


def is_valid_branch_name(name):
    """Check the main rules of ``git check-ref-format --branch`` (fn-git-fetch, cmd-git-hook)."""
    if not name or name == "@" or name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")):
        return False
    if any(part in name for part in ("..", "@{", "//", "/.")) or name.startswith("."):
        return False
    return not any(c in " ~^:?*[\\\x7f" or ord(c) < 32 for c in name)
