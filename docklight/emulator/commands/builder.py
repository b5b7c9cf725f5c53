"""builder:* and buildpacks:* commands (Go plugins `builder` and `buildpacks`)."""

from .. import report
from ..core import Flag, parse_flags
from ..props import cmd_property_set
from ..report import ReportSpec, global_prop, triple

HELP = (
    ("builder:report [<app>] [<flag>]", "Displays a builder report for one or more apps"),
    ("builder:set <app> <key> (<value>)", "Set or clear a builder property for an app"),
    ("buildpacks:add [--index 1] <app> <buildpack>", "Add new app buildpack while inserting into list of buildpacks if necessary"),
    ("buildpacks:clear <app>", "Clear all buildpacks set on the app"),
    ("buildpacks:list <app>", "List all buildpacks for an app"),
    ("buildpacks:remove <app> <buildpack>", "Remove a buildpack set on the app"),
    ("buildpacks:report [<app>] [<flag>]", "Displays a buildpack report for one or more apps"),
    ("buildpacks:set [--index 1] <app> <buildpack>", "Set new app buildpack at a given position defaulting to the first buildpack if no index is specified"),
    ("buildpacks:set-property [--global|<app>] <key> <value>", "Set or clear a buildpacks property for an app"),
)

DEFAULT_STACK = "gliderlabs/herokuish:latest-24"
BUILDER_PROPS = {"selected": ("builder", "selected"), "build-dir": ("builder", "build_dir")}
BUILDPACK_PROPS = {"stack": ("buildpacks_stack",)}


def builder_flags(ctx, st, name, app, info):
    b = app["builder"]
    flags = {}
    flags.update(triple("builder", "build-dir", b["build_dir"], global_prop(st, "builder", "build-dir")))
    flags.update(triple("builder", "selected", b["selected"], global_prop(st, "builder", "selected")))
    return flags


def buildpacks_flags(ctx, st, name, app, info):
    flags = {"--buildpacks-list": ",".join(app["buildpacks"])}
    flags.update(triple("buildpacks", "stack", app["buildpacks_stack"],
                        global_prop(st, "buildpacks", "stack"), DEFAULT_STACK))
    return flags


BUILDER_SPEC = ReportSpec("builder", "builder", builder_flags, legacy=True)
BUILDPACKS_SPEC = ReportSpec("buildpacks", "buildpacks", buildpacks_flags, legacy=True)


def cmd_builder_report(ctx, args):
    return report.run(ctx, BUILDER_SPEC, args)


def cmd_buildpacks_report(ctx, args):
    return report.run(ctx, BUILDPACKS_SPEC, args)


def cmd_builder_set(ctx, args):
    return cmd_property_set(ctx, "builder", args, BUILDER_PROPS, tuple(BUILDER_PROPS))


def cmd_set_property(ctx, args):
    return cmd_property_set(ctx, "buildpacks", args, BUILDPACK_PROPS, tuple(BUILDPACK_PROPS))


def cmd_list(ctx, args):
    _, pos = parse_flags(ctx, "buildpacks:list", args)
    name = pos[0] if pos else ""
    app = ctx.verify_app(name)
    ctx.info2(f"{name} buildpack urls", quiet=True)
    ctx.lines(app["buildpacks"])
    return 0


def _edit(ctx, command, args, edit, need_url=True):
    values, pos = parse_flags(ctx, command, args, [Flag("index", "int", usage="the 1-based index of the buildpack")])
    name, url = (pos + ["", ""])[:2]
    ctx.verify_app(name)
    if need_url and not url and not values["index"]:
        ctx.fail("Must specify a buildpack to add")
    with ctx.transaction() as st:
        app = st["apps"][name]
        app["buildpacks"] = edit(list(app["buildpacks"]), url, values["index"])
    return 0


def _add(packs, url, index):
    if url in packs:
        return packs
    if index and index <= len(packs):
        packs.insert(max(index, 1) - 1, url)
    else:
        packs.append(url)
    return packs


def _set(packs, url, index):
    index = max(index or 1, 1)
    if index <= len(packs):
        packs[index - 1] = url
    else:
        packs.append(url)
    return packs


def cmd_add(ctx, args):
    return _edit(ctx, "buildpacks:add", args, _add)


def cmd_set(ctx, args):
    return _edit(ctx, "buildpacks:set", args, _set)


def cmd_remove(ctx, args):
    def remove(packs, url, index):
        if index and 1 <= index <= len(packs):
            return packs[:index - 1] + packs[index:]
        if url not in packs:
            ctx.fail(f"Unable to remove buildpack {url}: not found")
        return [p for p in packs if p != url]
    return _edit(ctx, "buildpacks:remove", args, remove)


def cmd_clear(ctx, args):
    return _edit(ctx, "buildpacks:clear", args, lambda packs, url, index: [], need_url=False)


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
