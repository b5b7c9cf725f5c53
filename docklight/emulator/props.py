"""The shared ``<plugin>:set`` property machinery (plugins/common/properties.go CommandPropertySet)."""

from .core import Flag, parse_flags


def set_path(app, path, value):
    """Store *value* at *path*; an empty value means unset (readers default to "")."""
    node = app
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def cmd_property_set(ctx, plugin, args, props, global_props=(), bash=False, command=None):
    """Set or unset one property of an app or, with ``--global``, of the host.

    *props* maps property name -> key path inside the app record; *command*
    names the flag set when it is not ``<plugin>:set``.
    """
    values, pos = parse_flags(ctx, command or f"{plugin}:set", args,
                              [Flag("global", usage="--global: set a global property")])
    if values["global"]:
        target, rest = "--global", pos
    else:
        target, rest = (pos[0] if pos else ""), pos[1:]
    prop = rest[0] if rest else ""
    value = rest[1] if len(rest) > 1 else ""
    with ctx.transaction() as st:
        if target != "--global":
            app = ctx.verify_app_bash(target, st) if bash else ctx.verify_app(target, st)
        elif prop not in global_props:
            ctx.fail("Property cannot be specified globally")
        if not prop:
            ctx.fail("No property specified")
        if prop not in props:
            ctx.fail("Invalid property specified, valid properties include: " + ", ".join(sorted(props)))
        if target == "--global":
            bucket = st["global"].setdefault("props", {}).setdefault(plugin, {})
            if value:
                bucket[prop] = value
            else:
                bucket.pop(prop, None)
        else:
            set_path(app, props[prop], value)
    if value:
        ctx.info2(f"Setting {prop} to {value}", quiet=True)
    else:
        ctx.info2(f"Unsetting {prop}", quiet=True)
    return 0
