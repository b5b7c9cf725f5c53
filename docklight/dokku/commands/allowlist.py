"""The allowlist itself: ALLOWED, the @allows decorator and the one Command constructor.

Every builder module registers its subcommands here; ``_command`` refuses
any subcommand no builder registered, so nothing else can reach Dokku.
"""

from __future__ import annotations

import re

from docklight.dokku import redact, validators
from docklight.dokku.command import Command

ALLOWED: dict[str, str] = {}
"""subcommand -> one-line description, filled by the @allows decorator."""

REPORT_PLUGINS = (
    "apps", "builder", "buildpacks", "certs", "checks", "docker-options", "domains",
    "git", "letsencrypt", "logs", "network", "nginx", "ports", "proxy", "ps",
    "resource", "scheduler", "storage",
)
# The official datastore plugins share one command set (dokku-postgres's
# template); other plugins with the same set are accepted by name at run time.
DATASTORE_PLUGINS = (
    "postgres", "mysql", "mariadb", "mongo", "redis", "rabbitmq", "elasticsearch",
    "couchdb", "clickhouse", "memcached", "meilisearch", "nats", "rethinkdb",
    "solr", "typesense",
)
DATASTORE_VERBS = ("list", "create", "info", "link", "unlink", "destroy", "exists")
PHASES = ("build", "deploy", "run")
NETWORK_PROPERTIES = (
    "attach-post-create", "attach-post-deploy", "bind-all-interfaces",
    "initial-network", "static-web-listener", "tld",
)
BUILDERS = ("herokuish", "dockerfile", "pack", "lambda", "nixpacks", "railpack", "null")
CHECK_ACTIONS = ("enable", "disable", "skip")


def allows(*subcommands: str, doc: str = ""):
    """Register the subcommands a builder may produce in ALLOWED."""

    def decorate(fn):
        for name in subcommands:
            ALLOWED[name] = doc or (fn.__doc__ or "").strip().splitlines()[0]
        return fn

    return decorate


def _command(*args: str, shown=None, secrets=(), **kw) -> Command:
    """Build a Command, refusing any subcommand that is not allowlisted.

    Credentials in URL arguments (a token in a plugin or buildpack URL) never
    reach the shown form, and are scrubbed from the output as literals.
    """
    if args[0] not in ALLOWED and args[0].split(":")[0] not in _DYNAMIC_DATASTORES:
        raise ValueError(f"{args[0]} is not an allowlisted Dokku subcommand")
    for arg in args[1:]:
        if len(arg.split()) > 1:  # our own flags are single words; values were checked
            validators.no_global_flag_words("value", arg, "A value")
    if is_split_by_bash(args[0]):
        for arg in args:
            if not _GIT_WIRE_SAFE.match(arg):
                raise validators.ValidationError(
                    "value", f"'{arg}' cannot travel to {args[0]}: " + GIT_SPLIT_RULE)
    shown = tuple(redact.redact_urls(a) for a in (shown or args))
    secrets = tuple(secrets) + tuple(s for a in args for s in redact.url_secrets(a))
    command = Command(args=tuple(args), shown=shown, secrets=secrets, **kw)
    command.check_wire_size()
    return command


_DYNAMIC_DATASTORES: set[str] = set()

# The dokku script: `if [[ $1 =~ git-* ]] || [[ $1 =~ git:* ]]; then set -f;
# $0 $SSH_ORIGINAL_COMMAND`. Those are bash regexes, not globs: they match any
# first word holding "git". Such command lines skip xargs and are split by bash
# on whitespace alone, so quotes arrive literally: every argument must be made
# of characters that need no quoting at all.
_SPLIT_BY_BASH = (re.compile(r"git-*"), re.compile(r"git:*"))
_GIT_WIRE_SAFE = re.compile(r"^[A-Za-z0-9@%+=:,./_-]+$")
GIT_SPLIT_RULE = (
    "Dokku hands commands whose name matches its `git-*`/`git:*` regex to bash "
    "unquoted (the dokku script skips xargs for them), so only letters, digits "
    "and @%+=:,./_- arrive as typed")


def is_split_by_bash(subcommand: str) -> bool:
    """Return whether the dokku script splits this command line with bash, not xargs."""
    return any(rule.search(subcommand) for rule in _SPLIT_BY_BASH)
