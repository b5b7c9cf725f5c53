"""plugin:* and ssh-keys:* commands (root-only except list/help/installed)."""

import os
import re

from .. import state as store
from ..core import INFO1, go_json

HELP = (
    ("plugin:disable <name>", "Disable an installed plugin (third-party only)"),
    ("plugin:enable <name>", "Enable a previously disabled plugin"),
    ("plugin:install [--core|--git-url] [--committish branch|commit|commit] [--name custom-plugin-name]", "Optionally download git-url (and pin to the specified branch/commit/tag) & run install trigger for active plugins (or only core ones)"),
    ("plugin:installed <name>", "Checks if a plugin is installed"),
    ("plugin:list", "Print active plugins"),
    ("plugin:trigger <args...>", "Trigger an arbitrary plugin hook"),
    ("plugin:uninstall <name>", "Uninstall a plugin (third-party only)"),
    ("plugin:update [name [branch|commit|tag]]", "Optionally update named plugin from git (and pin to the specified branch/commit/tag) & run update trigger for active plugins"),
    ("ssh-keys:add <name> [/path/to/key]", "Add a new public key by pipe or path"),
    ("ssh-keys:list [--format text|json] [<name>]", "List of all authorized Dokku public ssh keys"),
    ("ssh-keys:remove [--fingerprint fingerprint|<name>]", "Remove SSH public key by name"),
)

AVAILABLE = "/var/lib/dokku/plugins/available"


def find(st, name):
    return next((p for p in st["plugins"] if p["name"] == name), None)


def cmd_list(ctx, args):
    plugins = sorted(ctx.state["plugins"], key=lambda p: p["name"])
    fmt = "stdout"
    if ctx.version >= (0, 38, 22) and "--format" in args:
        index = args.index("--format")
        fmt = args[index + 1] if index + 1 < len(args) else ""
    if fmt == "json":
        ctx.out(go_json(plugins))
        return 0
    if fmt != "stdout":
        ctx.fail("Invalid output format specified, supported formats: json, stdout")
    lines = ["plugn: dev"]
    lines += ["  %-20s %-5s %-10s %s" % (p["name"], p["version"], "enabled" if p["enabled"] else "disabled",
                                        p["description"]) for p in plugins]
    ctx.lines(lines)
    return 0


def plugin_name_from_url(url):
    """Derive plugn's plugin name: repo basename without ``.git`` and ``dokku-``."""
    base = os.path.basename(url.rstrip("/"))
    base = re.sub(r"\.(git|tar\.gz|tgz)$", "", base)
    return base[len("dokku-"):] if base.startswith("dokku-") else base


def install_trigger_lines(name):
    """Return install-trigger output (image pulls for datastores)."""
    if name not in store.DATASTORES:
        return []
    image = store.DATASTORES[name][3]
    tag = image.split(":")[-1]
    digest = store.hexid("digest", image)
    return [f"{tag}: Pulling from library/{image.split(':')[0]}",
            f"{digest[:12]}: Pull complete",
            f"Digest: sha256:{digest}",
            f"Status: Downloaded newer image for {image}",
            f"docker.io/library/{image}"]


def parse_install_args(args):
    url, name, committish = "", "", ""
    i = 0
    while i < len(args):
        if args[i] == "--name" and i + 1 < len(args):
            name, i = args[i + 1], i + 2
        elif args[i] == "--committish" and i + 1 < len(args):
            committish, i = args[i + 1], i + 2
        else:
            if not args[i].startswith("--"):
                url = url or args[i]
            i += 1
    return url, name, committish


def cmd_install(ctx, args):
    url, name, committish = parse_install_args(args)
    lines = []
    if url:
        name = name or plugin_name_from_url(url)
        target = f"{AVAILABLE}/{name}"
        with ctx.transaction() as st:
            if find(st, name):
                ctx.fail(f"Plugin {name} is already installed")
            if name in store.DATASTORES:
                version, desc = store.DATASTORES[name][4], f"dokku {name} service plugin"
            else:
                version, desc = store.COMMUNITY_PLUGINS.get(name, ("0.1.0", f"dokku {name} plugin"))
            record = store.community_plugin(name, version, desc, url)
            record["committish"] = committish
            st["plugins"] = sorted(st["plugins"] + [record], key=lambda p: p["name"])
            if name in store.DATASTORES:
                st["services"].setdefault(name, {})
        lines += [f"{INFO1}Cloning plugin repo {url} to {target}", ("err", f"Cloning into '{target}'...")]
        if committish:
            lines.append(("err", f"Note: switching to '{committish}'."))
        lines.append(f"{INFO1}Plugin {name} enabled")
    lines += install_trigger_lines(name) + ["Adding user dokku to group adm", f"{INFO1}Priming bash-completion cache"]
    ctx.stream(lines)
    return 0


def cmd_update(ctx, args):
    st = ctx.state
    if args:
        plugin = find(st, args[0])
        if plugin is None:
            ctx.fail(f"Plugin ({args[0]}) is not currently installed")
        targets = [plugin]
    else:
        targets = [p for p in st["plugins"] if not p["core"]]
    lines = []
    for plugin in targets:
        if plugin["core"]:
            continue
        lines += [f"{INFO1}Updating {plugin['name']}", "Already up to date.", f"{INFO1}Plugin {plugin['name']} updated"]
    if len(args) > 1:
        with ctx.transaction() as st:
            find(st, args[0])["committish"] = args[1]
    ctx.stream(lines + [f"{INFO1}Priming bash-completion cache"])
    return 0


def _toggle(ctx, args, enable):
    name = args[0] if args else ""
    with ctx.transaction() as st:
        plugin = find(st, name)
        if plugin is None:
            ctx.fail("Plugin does not exist")
        if not enable and plugin["core"]:
            ctx.fail("Cannot disable a core plugin")
        if plugin["enabled"] == enable:
            ctx.fail("Plugin already enabled" if enable else "Plugin already disabled")
        plugin["enabled"] = enable
    ctx.info1(f"Plugin {name} {'enabled' if enable else 'disabled'}")
    return 0


def cmd_enable(ctx, args):
    return _toggle(ctx, args, True)


def cmd_disable(ctx, args):
    return _toggle(ctx, args, False)


def cmd_uninstall(ctx, args):
    name = args[0] if args else ""
    with ctx.transaction() as st:
        plugin = find(st, name)
        if plugin is not None and plugin["core"]:
            ctx.fail("Cannot uninstall a core plugin")
        if plugin is None:
            ctx.fail(f"Plugin ({name}) is not currently installed")
        st["plugins"].remove(plugin)
    ctx.info1(f"Plugin {name} uninstalled")
    return 0


def cmd_installed(ctx, args):
    return 0 if args and find(ctx.state, args[0]) else 1


# ------------------------------------------------------------------ ssh-keys


def cmd_keys_list(ctx, args):
    keys = ctx.state.get("ssh_keys", [])
    names = [a for a in args if not a.startswith("--")]
    if names:
        keys = [k for k in keys if k["name"] == names[0]]
    if not keys:
        ctx.fail("No public keys found.")
    if "json" in args:
        ctx.out(go_json([{"fingerprint": k["fingerprint"], "name": k["name"],
                          "SSHCOMMAND_ALLOWED_KEYS": "none"} for k in keys]))
        return 0
    ctx.lines([f'{k["fingerprint"]} NAME="{k["name"]}" SSHCOMMAND_ALLOWED_KEYS="none"' for k in keys])
    return 0


def cmd_keys_add(ctx, args):
    name = args[0] if args else ""
    if not name:
        ctx.fail("A name for the key is required")
    key = ctx.stdin.read() if len(args) < 2 else args[1]
    fingerprint = "SHA256:" + store.hexid("ssh-key", key, length=43)
    with ctx.transaction() as st:
        if any(k["name"] == name for k in st["ssh_keys"]):
            ctx.fail(f'Duplicate ssh key name: "{name}"')
        st["ssh_keys"].append({"name": name, "fingerprint": fingerprint})
    ctx.out(fingerprint)
    return 0


def cmd_keys_remove(ctx, args):
    name = args[-1] if args else ""
    with ctx.transaction() as st:
        kept = [k for k in st["ssh_keys"] if name not in (k["name"], k["fingerprint"])]
        if len(kept) == len(st["ssh_keys"]):
            ctx.fail(f"No matching ssh key found for {name}")
        st["ssh_keys"] = kept
    return 0


COMMANDS = {
    "plugin:list": cmd_list,
    "plugin:install": cmd_install,
    "plugin:update": cmd_update,
    "plugin:enable": cmd_enable,
    "plugin:disable": cmd_disable,
    "plugin:uninstall": cmd_uninstall,
    "plugin:installed": cmd_installed,
    "ssh-keys:list": cmd_keys_list,
    "ssh-keys:add": cmd_keys_add,
    "ssh-keys:remove": cmd_keys_remove,
}
