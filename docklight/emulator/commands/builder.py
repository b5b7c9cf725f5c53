"""builder:* and buildpacks:* commands (Go plugins plugins/builder and plugins/buildpacks).

Buildpack lists are common.PropertyList* files: added values are trimmed, never
de-duplicated, and every URL passes buildpacks/functions.go validBuildpackURL,
which also expands the ``owner/name`` shorthand before it is stored.
"""

import re

from .. import report
from ..core import Flag, parse_flags
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop

HELP = (
    ("builder:report [<app>] [<flag>]", "Displays a builder report for one or more apps"),
    ("builder:set <app> <key> (<value>)", "Set or clear a builder property for an app"),
    ("buildpacks:add [--index 1] <app> <buildpack>", "Add new app buildpack while inserting into list of buildpacks if necessary"),
    ("buildpacks:clear <app>", "Clear all buildpacks set on the app"),
    ("buildpacks:detect <app> [--branch <branch-name>]", "Detect the buildpack for an app (if not specified, the branch flag defaults to the deploy branch)"),
    ("buildpacks:list <app>", "List all buildpacks for an app"),
    ("buildpacks:remove <app> <buildpack>", "Remove a buildpack set on the app"),
    ("buildpacks:report [<app>] [<flag>]", "Displays a buildpack report for one or more apps"),
    ("buildpacks:set [--index 1] <app> <buildpack>", "Set new app buildpack at a given position defaulting to the first buildpack if no index is specified"),
    ("buildpacks:set --replace <app> <buildpack> [<buildpack> ...]", "Replace the entire ordered buildpack list with the specified buildpacks"),
    ("buildpacks:set-property [--global|<app>] <key> <value>", "Set or clear a buildpacks property for an app"),
)

# The `dokku` script's default DOKKU_IMAGE, the last fallback of reportComputedStack.
DEFAULT_STACK = "gliderlabs/herokuish:latest-24"
BUILDER_PROPS = {"build-dir": ("builder", "build_dir"), "detected": ("builder", "detected"),
                 "selected": ("builder", "selected"), "skip-cleanup": ("builder", "skip_cleanup")}
BUILDER_GLOBAL_PROPS = ("build-dir", "selected", "skip-cleanup")
BUILDPACK_PROPS = {"stack": ("buildpacks_stack",)}

# validBuildpackURL's two regular expressions (Go RE2, `(?m)`, matched with Find).
SHORTHAND_RE = re.compile(r"^([\w-]+/[\w-]+)$", re.M | re.A)
URL_RE = re.compile(r"^(http|https|git)(://|@)([^/:]+)[/:]([^/:]+)/(.+)(.git(#derp)?)?$", re.M)
INDEX_FLAG = Flag("index", "int", usage="--index: the 1-based index of the URL in the list of URLs")


class InvalidBuildpack(Exception):
    """validBuildpackURL refused the value; the message is Dokku's."""


def valid_buildpack_url(buildpack):
    """Return the URL Dokku stores for *buildpack* (buildpacks/functions.go validBuildpackURL).

    ``owner/name`` (word characters and hyphens) becomes
    ``https://github.com/<owner>/heroku-buildpack-<name>.git``, with owner
    ``heroku-community`` rewritten to ``heroku``; otherwise the value must look
    like ``http|https|git`` + ``://`` or ``@`` + host + ``/`` or ``:`` + two
    more path segments, and is stored as given.
    """
    if buildpack == "":
        raise InvalidBuildpack("Must specify a buildpack url or reference")
    if SHORTHAND_RE.search(buildpack):
        owner, name = buildpack.split("/", 1)
        owner = "heroku" if owner == "heroku-community" else owner
        return f"https://github.com/{owner}/heroku-buildpack-{name}.git"
    if URL_RE.search(buildpack):
        return buildpack
    raise InvalidBuildpack(f"Invalid buildpack specified: {buildpack}")


def validated(ctx, buildpack):
    """Return the stored form of *buildpack* or fail with Dokku's message."""
    try:
        return valid_buildpack_url(buildpack)
    except InvalidBuildpack as exc:
        ctx.fail(str(exc))


# ------------------------------------------------------------------ reports


def builder_flags(ctx, st, name, app, info):
    """Return builder:report's flags (plugins/builder/report.go ReportSingleApp)."""
    b = app["builder"]
    g = lambda prop: global_prop(st, "builder", prop)  # noqa: E731
    return {
        "--builder-build-dir": b["build_dir"],
        "--builder-computed-build-dir": b["build_dir"] or g("build-dir"),
        "--builder-computed-selected": b["selected"] or g("selected"),
        "--builder-computed-skip-cleanup": b.get("skip_cleanup") or g("skip-cleanup") or "false",
        "--builder-detected": b["detected"],
        "--builder-global-build-dir": g("build-dir"),
        "--builder-global-selected": g("selected"),
        "--builder-global-skip-cleanup": g("skip-cleanup"),
        "--builder-selected": b["selected"],
        "--builder-skip-cleanup": b.get("skip_cleanup", ""),
    }


def computed_stack(ctx, st, app):
    """Return reportComputedStack: app, global, the app's DOKKU_IMAGE, then $DOKKU_IMAGE."""
    stack = app["buildpacks_stack"] or global_prop(st, "buildpacks", "stack")
    if not stack and app["config"].get("DOKKU_IMAGE"):
        ctx.warn("Deprecated: use buildpacks:set-property instead of specifying DOKKU_IMAGE environment variable")
        return app["config"]["DOKKU_IMAGE"]
    return stack or DEFAULT_STACK


def buildpacks_flags(ctx, st, name, app, info):
    """Return buildpacks:report's flags (plugins/buildpacks/report.go ReportSingleApp)."""
    return {
        "--buildpacks-computed-stack": computed_stack(ctx, st, app),
        "--buildpacks-global-stack": global_prop(st, "buildpacks", "stack"),
        "--buildpacks-list": ",".join(app["buildpacks"]),
        "--buildpacks-stack": app["buildpacks_stack"],
    }


BUILDER_SPEC = ReportSpec("builder", "builder", builder_flags, legacy=True, global_keys=(
    "--builder-global-selected", "--builder-global-build-dir", "--builder-global-skip-cleanup",
    "--builder-computed-skip-cleanup"))
BUILDPACKS_SPEC = ReportSpec("buildpacks", "buildpacks", buildpacks_flags, legacy=True,
                             global_keys=("--buildpacks-global-stack",))


def cmd_builder_report(ctx, args):
    """builder:report (plugins/builder/src/subcommands/subcommands.go report, report.go)."""
    return report.run(ctx, BUILDER_SPEC, args)


def cmd_buildpacks_report(ctx, args):
    """buildpacks:report (plugins/buildpacks/src/subcommands/subcommands.go report, report.go)."""
    return report.run(ctx, BUILDPACKS_SPEC, args)


# ------------------------------------------------------------------ properties


def cmd_builder_set(ctx, args):
    """builder:set (plugins/builder/subcommands.go CommandSet, common CommandPropertySet)."""
    values, pos = parse_flags(ctx, "builder:set", list(args), [Flag("global", usage="--global: set a global property")])
    if ((pos[:1] if values["global"] else pos[1:2]) or [""])[0] == "detected":
        ctx.warn("detected is a read-only property")
        return 0
    return cmd_property_set(ctx, "builder", args, BUILDER_PROPS, BUILDER_GLOBAL_PROPS)


def cmd_set_property(ctx, args):
    """buildpacks:set-property (plugins/buildpacks/subcommands.go CommandSetProperty)."""
    return cmd_property_set(ctx, "buildpacks", args, BUILDPACK_PROPS, tuple(BUILDPACK_PROPS),
                            command="buildpacks:set-property")


# ------------------------------------------------------------------ the list


def cmd_list(ctx, args):
    """buildpacks:list (plugins/buildpacks/subcommands.go CommandList)."""
    _, pos = parse_flags(ctx, "buildpacks:list", args)
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    ctx.info1(f"{name} buildpack urls", quiet=True)
    ctx.lines(["       " + url for url in app["buildpacks"]])
    return 0


def list_add(packs, value, index):
    """Insert like common.PropertyListAdd: before 1-based *index*, else append."""
    value = value.strip()
    out = []
    for i, line in enumerate(packs):
        if index != 0 and i == index - 1:
            out.append(value)
        out.append(line)
    if index == 0 or index > len(packs):
        out.append(value)
    return out


def list_set(packs, value, index):
    """Replace like common.PropertyListSet at 0-based *index*, appending past the end."""
    value = value.strip()
    if index >= len(packs):
        return packs + [value]
    return [value if i == index else line for i, line in enumerate(packs)]


def cmd_add(ctx, args):
    """buildpacks:add (plugins/buildpacks/subcommands.go CommandAdd)."""
    values, pos = parse_flags(ctx, "buildpacks:add", args, [INDEX_FLAG])
    name, buildpack = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    url = validated(ctx, buildpack)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["buildpacks"] = list_add(app["buildpacks"], url, values["index"])
    return 0


def cmd_set(ctx, args):
    """buildpacks:set (plugins/buildpacks/subcommands.go CommandSet, setBuildpackList)."""
    values, pos = parse_flags(ctx, "buildpacks:set", args, [
        INDEX_FLAG, Flag("replace", usage="--replace: replace the entire ordered buildpack list")])
    name, buildpacks = (pos[0] if pos else ""), pos[1:]
    ctx.verify_app(name)
    index = values["index"]
    if values["replace"]:
        if index != 0:
            ctx.fail("The --index flag cannot be used with --replace")
        if not buildpacks:
            ctx.fail("Must specify at least one buildpack, use buildpacks:clear to remove all buildpacks")
        urls = [validated(ctx, b).strip() for b in buildpacks]
        with ctx.transaction() as st:
            st["apps"][name]["buildpacks"] = urls
        return 0
    if len(buildpacks) > 1:
        ctx.fail("Setting multiple buildpacks requires the --replace flag")
    if not buildpacks:
        ctx.fail("Must specify a buildpack")
    url = validated(ctx, buildpacks[0])
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["buildpacks"] = list_set(app["buildpacks"], url, index - 1 if index > 0 else index)
    return 0


def cmd_remove(ctx, args):
    """buildpacks:remove (plugins/buildpacks/subcommands.go CommandRemove)."""
    values, pos = parse_flags(ctx, "buildpacks:remove", args, [INDEX_FLAG])
    name, buildpack = (pos + ["", ""])[:2]
    index = values["index"]
    app = ctx.verify_app(name)
    if index != 0 and buildpack != "":
        ctx.fail("Please choose either index or Buildpack, but not both")
    if index == 0 and buildpack == "":
        ctx.fail("Must specify a buildpack to remove, either by index or URL")
    if index == 0:
        buildpack = validated(ctx, buildpack)
    packs = app["buildpacks"]
    if not packs:
        ctx.fail(f"No buildpacks were found, next release on {name} will detect buildpack normally")
    if index != 0:
        if not 0 <= index - 1 < len(packs):
            ctx.fail("Index not found")
        buildpack = packs[index - 1]
    elif buildpack not in packs:
        ctx.fail("Value not found")
    ctx.info1(f"Removing {buildpack}", quiet=True)
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["buildpacks"] = [p for p in app["buildpacks"] if p != buildpack]
    return 0


def cmd_clear(ctx, args):
    """buildpacks:clear (plugins/buildpacks/subcommands.go CommandClear: PropertyDelete)."""
    _, pos = parse_flags(ctx, "buildpacks:clear", args)
    name = pos[0] if pos else ""
    ctx.verify_app(name)
    with ctx.transaction() as st:
        st["apps"][name]["buildpacks"] = []
    return 0


COMMANDS = {
    "builder:report": cmd_builder_report,
    "builder:set": cmd_builder_set,
    "buildpacks:report": cmd_buildpacks_report,
    "buildpacks:list": cmd_list,
    "buildpacks:add": cmd_add,
    "buildpacks:set": cmd_set,
    "buildpacks:remove": cmd_remove,
    "buildpacks:clear": cmd_clear,
    "buildpacks:set-property": cmd_set_property,
}
