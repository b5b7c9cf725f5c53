"""git:* commands (plugin `git`): report, set and sync."""

import re
import time

from .. import report
from .. import state as store
from ..core import INFO1, Flag, parse_flags
from ..deploy import build_lines, deploy_lines
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("git:report [<app>] [<flag>]", "Displays a git report for one or more apps"),
    ("git:set [--global|<app>] <key> (<value>)", "Set or clear a git property for an app"),
    ("git:sync [--build|--build-if-changes] <app> <repository> [<git-ref>]", "Clone or fetch an app from remote git repo"),
)

PROPS = {
    "deploy-branch": ("git", "deploy_branch"),
    "keep-git-dir": ("git", "keep_git_dir"),
    "rev-env-var": ("git", "rev_env_var"),
    "source-image": ("git", "source_image"),
    "archive-max-files": ("git", "archive_max_files"),
    "archive-max-size": ("git", "archive_max_size"),
}
GLOBAL_PROPS = ("deploy-branch", "keep-git-dir", "rev-env-var", "archive-max-files", "archive-max-size")


def report_flags(ctx, st, name, app, info):
    git = app["git"]
    g = lambda prop, default="": global_prop(st, "git", prop, default)  # noqa: E731
    flags = {
        "--git-last-updated-at": str(git["last_updated_at"]) if git["last_updated_at"] else "",
        "--git-rev-env-var": git["rev_env_var"] or g("rev-env-var", "GIT_REV"),
        "--git-sha": git["sha"],
        "--git-source-image": git["source_image"],
    }
    flags.update(triple("git", "deploy-branch", git["deploy_branch"], g("deploy-branch", "master"), "master"))
    flags.update(triple("git", "keep-git-dir", git["keep_git_dir"], g("keep-git-dir", "false"), "false"))
    flags.update(triple("git", "archive-max-files", git["archive_max_files"], g("archive-max-files"), "1000"))
    flags.update(triple("git", "archive-max-size", git["archive_max_size"], g("archive-max-size"), "104857600"))
    return flags


# git:report was bash until 0.38.0, which is when it learnt --format json.
SPEC = ReportSpec("git", "git", report_flags, legacy=False, json_since=(0, 38, 0))


def cmd_report(ctx, args):
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    return cmd_property_set(ctx, "git", args, PROPS, GLOBAL_PROPS)


def cmd_sync(ctx, args):
    """Clone or fetch a remote repository into the app, optionally building it."""
    values, pos = parse_flags(ctx, "git:sync", args, [
        Flag("build", usage="build the app after syncing"),
        Flag("build-if-changes", usage="build the app only if the sync changed the code"),
        Flag("skip-deploy-branch", usage="do not set the deploy branch")])
    name = pos[0] if pos else ""
    ctx.verify_app_bash(name)
    if len(pos) < 2:
        ctx.fail("Please specify a remote repository")
    repo, ref = pos[1], (pos[2] if len(pos) > 2 else "")
    now = int(time.time())
    with ctx.transaction() as st:
        app = ctx.verify_app_bash(name, st)
        first = not app["git"]["sha"]
        sha = ref if re.fullmatch(r"[0-9a-f]{40}", ref) else store.hexid("git", repo, ref, length=40)
        changed = sha != app["git"]["sha"]
        app["git"].update(remote=repo, sha=sha, last_updated_at=now)
        target = f"{repo}#{ref}" if ref else repo
        lines = [f"{INFO1}Cloning {name} from {target}" if first else f"{INFO1}Fetching remote code for {name} from {target}"]
        build = values["build"] or (values["build-if-changes"] and changed)
        if values["build-if-changes"] and not changed:
            lines.append(f"{INFO1}Skipping build as no changes were detected")
        if build:
            lines += build_lines(name, app)
            app["deploy_source"] = "git"
            app["deploy_source_metadata"] = ref or app["git"]["deploy_branch"] or "master"
            store.mark_deployed(app, now, sha)
            lines += deploy_lines(st, name, app)
    ctx.stream(lines)
    return 0


COMMANDS = {
    "git:report": cmd_report,
    "git:set": cmd_set,
    "git:sync": cmd_sync,
}
