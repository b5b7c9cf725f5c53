"""git:* commands (plugins/git: report.go, subcommands/set, internal-functions cmd-git-sync).

git:report is Go; git:set and git:sync are bash, so they read their arguments
positionally and every app-name failure is ``App X does not exist`` (exit 20).
The remote side of git:sync is modelled by :mod:`docklight.emulator.git_remote`.
"""

import time

from .. import report
from .. import state as store
from ..core import INFO1, VERBOSE, CommandExit
from ..deploy import build_lines, deploy_lines
from . import config as config_cmds
from ..git_remote import RemoteError, fetch_lines, is_valid_branch_name, resolve
from ..report import ReportSpec, global_prop

HELP = (
    ("git:report [<app>] [<flag>]", "Displays a git report for one or more apps"),
    ("git:set <app> <property> (<value>)", "Set or clear a git property for an app"),
    ("git:sync [--build|--build-if-changes] [--skip-deploy-branch] <app> <repository> [<git-ref>]",
     "Clone or fetch an app from remote git repo"),
)

# subcommands/set VALID_KEYS -> key in the app's "git" record.
PROPS = {
    "archive-max-files": "archive_max_files",
    "archive-max-size": "archive_max_size",
    "deploy-branch": "deploy_branch",
    "keep-git-dir": "keep_git_dir",
    "rev-env-var": "rev_env_var",
    "source-image": "source_image",
}
INVALID_KEY = ("Invalid key specified, valid keys include: archive-max-files, archive-max-size, "
               "deploy-branch, keep-git-dir, rev-env-var, source-image")
DEFAULT_REV_ENV_VAR = "GIT_REV"


# ------------------------------------------------------------------ properties


def computed_deploy_branch(st, app):
    """Return the deploy branch (internal-functions fn-git-computed-deploy-branch)."""
    return app["git"]["deploy_branch"] or global_prop(st, "git", "deploy-branch") or "master"


def rev_env_var(app):
    """Return the GIT_REV variable name git_build uses; "" disables it.

    plugins/git/functions git_build: the property value, or ``GIT_REV`` only when
    the property file does not exist (None here); ``git:set <app> rev-env-var``
    without a value writes an empty file, which disables the variable.
    """
    value = app["git"].get("rev_env_var")
    return DEFAULT_REV_ENV_VAR if value is None else value


def report_flags(ctx, st, name, app, info):
    """Return git:report's flags (plugins/git/report.go ReportSingleApp)."""
    git = app["git"]
    g = lambda prop: global_prop(st, "git", prop)  # noqa: E731
    return {
        # reportComputedArchiveMax*: the global value or the default, never the app's.
        "--git-computed-archive-max-files": g("archive-max-files") or "10000",
        "--git-computed-archive-max-size": g("archive-max-size") or "1073741824",
        "--git-computed-deploy-branch": computed_deploy_branch(st, app),
        "--git-computed-keep-git-dir": git["keep_git_dir"] or g("keep-git-dir") or "false",
        "--git-deploy-branch": git["deploy_branch"],
        "--git-global-archive-max-files": g("archive-max-files"),
        "--git-global-archive-max-size": g("archive-max-size"),
        "--git-global-deploy-branch": g("deploy-branch"),
        "--git-global-keep-git-dir": g("keep-git-dir"),
        "--git-keep-git-dir": git["keep_git_dir"],
        "--git-last-updated-at": str(git["last_updated_at"]) if git["last_updated_at"] else "",
        "--git-rev-env-var": rev_env_var(app),
        "--git-sha": git["sha"],
        "--git-source-image": git["source_image"],
    }


# git:report was bash until 0.38.0, which is when it learnt --format json.
SPEC = ReportSpec("git", "git", report_flags, legacy=False, json_since=(0, 38, 0))


def cmd_report(ctx, args):
    """git:report (plugins/git/src/subcommands/subcommands.go report, report.go ReportSingleApp)."""
    return report.run(ctx, SPEC, args)


def cmd_set(ctx, args):
    """git:set (plugins/git/subcommands/set cmd-git-set).

    Any key may be set ``--global``; unsetting deletes the property except
    ``rev-env-var``, which is written empty (and so disables GIT_REV).
    """
    target, key, value = (list(args) + ["", "", ""])[:3]
    with ctx.transaction() as st:
        if target != "--global":
            app = ctx.verify_app_bash(target, st)
        if not key:
            ctx.fail("No key specified")
        if key not in PROPS:
            ctx.fail(INVALID_KEY)
        if target == "--global":
            bucket = st["global"].setdefault("props", {}).setdefault("git", {})
            if value:
                bucket[key] = value
            else:
                bucket.pop(key, None)
        elif value:
            app["git"][PROPS[key]] = value
        else:
            app["git"][PROPS[key]] = ""  # deleted; rev-env-var is written empty instead
    ctx.info2(f"Setting {key} to {value}" if value else f"Unsetting {key}", quiet=True)
    return 0


# ------------------------------------------------------------------ git:sync


def parse_sync_args(args):
    """Split git:sync's words like cmd-git-sync's loop: flags anywhere, the rest positional."""
    flag, skip_deploy_branch, rest = "", False, []
    for arg in args:
        if arg in ("--build", "--build-if-changes"):
            flag = arg
        elif arg == "--skip-deploy-branch":
            skip_deploy_branch = True
        else:
            rest.append(arg)
    app, remote, ref = (rest + ["", "", ""])[:3]
    return app, remote, ref, flag, skip_deploy_branch


def clone(ctx, st, app, remote, ref, skip_deploy_branch, out):
    """Model fn-git-clone: return the new deploy-branch head, updating deploy-branch."""
    ref = ref or computed_deploy_branch(st, app)
    target = resolve(ctx, remote, ref)
    if target.kind == "branch":
        if skip_deploy_branch:
            out.append(f"{VERBOSE}Detected branch {ref}, skipping deploy-branch setting")
        else:
            out.append(f"{VERBOSE}Detected branch, setting deploy-branch to {ref}")
            app["git"]["deploy_branch"] = ref
    return target.sha


def fetch(ctx, st, app, remote, ref, out):
    """Model fn-git-fetch: return the new deploy-branch head, or None when it refused."""
    branch = computed_deploy_branch(st, app)
    if not is_valid_branch_name(branch):
        out.append(f"{BANG_STDOUT}Invalid branch name '{branch}' specified via deploy-branch setting.")
        out.append(f"{BANG_STDOUT}For more details, please see the man page for 'git-check-ref-format.'")
        return None
    target = resolve(ctx, remote, ref or branch, cloning=False)
    out.extend(fetch_lines(remote, ref, branch, app["git"]["sha"], target.sha))
    return target.sha


# dokku_log_warn after dokku_setup_build_capture: stderr is tee'd into stdout.
BANG_STDOUT = " !     "


def cmd_sync(ctx, args):
    """git:sync (plugins/git/internal-functions cmd-git-sync, fn-git-clone, fn-git-fetch).

    Stores, only when it builds, deploy-source ``git-sync`` with metadata
    ``<repository>#<sha>`` (the repository exactly as given, credentials
    included) through the deploy-source-set trigger (plugins/apps/triggers.go
    TriggerDeploySourceSet); ``apps:report`` prints both on every later call.
    After dokku_setup_build_capture every line, errors included, leaves on stdout.
    """
    name, remote, ref, flag, skip_deploy_branch = parse_sync_args(args)
    ctx.verify_app_bash(name)
    if not remote:
        ctx.fail("Missing GIT_REMOTE parameter")
    now = int(time.time())
    out = []
    code = 0
    with ctx.transaction() as st:
        app = ctx.verify_app_bash(name, st)
        current = app["git"]["sha"]
        try:
            if not current:
                if not ctx.quiet:
                    out.append(f"{INFO1}Cloning {name} from {remote}#{ref}")
                updated = clone(ctx, st, app, remote, ref, skip_deploy_branch, out)
            else:
                out.append(f"{VERBOSE}Fetching remote code for {name} from {remote}#{ref}")
                updated = fetch(ctx, st, app, remote, ref, out)
        except RemoteError as exc:
            out.extend(exc.lines)
            code = exc.code
            updated = None
        if code == 0:
            updated = updated or current
            if updated != current:
                app["git"].update(sha=updated, last_updated_at=now, remote=remote)
            build = flag == "--build" or (flag == "--build-if-changes" and updated != current)
            if flag == "--build-if-changes" and updated == current:
                out.append(f"{VERBOSE}Skipping build as no changes were detected")
            if build:
                out += receive_app(st, name, app, updated, now)
                app["deploy_source"] = "git-sync"
                app["deploy_source_metadata"] = f"{remote}#{updated}"
    ctx.stream(out)
    if code:
        raise CommandExit(code)
    return 0


def receive_app(st, name, app, sha, now):
    """Build and deploy *sha* like git_receive_app -> git_build (plugins/git/functions)."""
    variable = rev_env_var(app)
    if variable:
        config_cmds.store_env(app, {**app["config"], variable: sha})  # config_set --no-restart, quietly
    lines = build_lines(name, app)
    store.mark_deployed(app, now, sha)
    return lines + deploy_lines(st, name, app)


COMMANDS = {
    "git:report": cmd_report,
    "git:set": cmd_set,
    "git:sync": cmd_sync,
}
