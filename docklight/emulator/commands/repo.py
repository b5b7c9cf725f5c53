"""repo:* commands (plugins/repo, a Go plugin: repo.go, subcommands.go)."""

from ..core import parse_flags

HELP = (
    ("repo:gc <app>", "Runs 'git gc --aggressive' against the application's repo"),
    ("repo:purge-cache <app>", "Deletes the contents of the build cache stored in the repository"),
)


def _app(ctx, command, args):
    _, pos = parse_flags(ctx, command, args)
    return ctx.verify_app(pos[0] if pos else "")


def cmd_gc(ctx, args):
    """repo:gc (subcommands.go CommandGc -> repo.go RepoGc): git gc --aggressive, silent on success."""
    _app(ctx, "repo:gc", args)
    return 0


def cmd_purge_cache(ctx, args):
    """repo:purge-cache (subcommands.go CommandPurgeCache -> repo.go PurgeCache).

    Removes the app's build-stage containers and its ``cache-APP`` volume;
    prints nothing of its own on success.
    """
    name = _app(ctx, "repo:purge-cache", args)["name"]
    with ctx.transaction() as st:
        st["apps"][name]["build_cache"] = False
    return 0


COMMANDS = {"repo:gc": cmd_gc, "repo:purge-cache": cmd_purge_cache}
