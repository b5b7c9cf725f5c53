"""plugin:* and ssh-keys:* commands (plugins/plugin, plugins/ssh-keys; plugn 0.17.1 bashenv/plugn.bash).

Every plugin:* command but plugin:list and plugin:help is root-only (the `dokku`
script; see cli.py). Installing follows subcommands/install and functions
download_and_enable_plugin: the source must be the FIRST argument and match the
case patterns ``https:* | git* | ssh:* | file:* | *.tar.gz | *.tgz``; plugn then
downloads a ``*.tar.gz``/``*.tgz`` basename with curl and git-clones anything
else. The remote side is modelled: a source whose host ends in ``.invalid``
cannot be fetched, a git source that is no URL (a local path) does not exist,
a git clone of an archive finds no repository, any other source holds a plugin.
"""

import re
from urllib.parse import urlsplit

from .. import state as store
from ..core import INFO1, CommandExit, go_json
from ..git_remote import SCP_RE, anonymize, host_of

HELP = (
    ("plugin:disable <name>", "Disable an installed plugin (third-party only)"),
    ("plugin:enable <name>", "Enable a previously disabled plugin"),
    ("plugin:install [--core|git-url] [--committish branch|commit|tag] [--name custom-plugin-name] [--skip-install-trigger]", "Optionally download git-url (and pin to the specified branch/commit/tag) & run install trigger for active plugins (or only core ones)"),
    ("plugin:installed <name>", "Checks if a plugin is installed"),
    ("plugin:install-dependencies [--core]", "Run install-dependencies trigger for active plugins (or only core ones)"),
    ("plugin:list [--format stdout|json]", "Print active plugins"),
    ("plugin:trigger <args...>", "Trigger an arbitrary plugin hook"),
    ("plugin:uninstall <name>", "Uninstall a plugin (third-party only)"),
    ("plugin:update [name [branch|commit|tag]]", "Optionally update named plugin from git (and pin to the specified branch/commit/tag) & run update trigger for active plugins"),
    ("ssh-keys:add <name> [/path/to/key]", "Add a new public key by pipe or path"),
    ("ssh-keys:list [--format text|json] [<name>]", "List of all authorized Dokku public ssh keys"),
    ("ssh-keys:remove [--fingerprint fingerprint|<name>]", "Remove SSH public key by name"),
)

AVAILABLE = "/var/lib/dokku/plugins/available"
SOURCE_RE = re.compile(r"(https:|git|ssh:|file:).*|.*\.tar\.gz|.*\.tgz", re.S)
TARBALL_RE = re.compile(r".*\.(tar\.gz|tgz)", re.S)
PLUGIN_NAME_RE = re.compile(r"[0-9a-zA-Z_-]+")  # internal-functions fn-is-valid-plugin
VERSION_TAG_RE = re.compile(r"v?(\d+(\.\d+)*)")
JSON_FIELDS = ("name", "version", "enabled", "core", "description", "source_url", "committish", "branch")
PRIMING = f"{INFO1}Priming bash-completion cache"


def find(st, name):
    """Return the plugin record called *name*, or None."""
    return next((p for p in st["plugins"] if p["name"] == name), None)


def cmd_list(ctx, args):
    """plugin:list (internal-functions cmd-plugin-list; plugin.go CommandList for JSON).

    JSON: plugin.go's PluginInfo fields in struct order; ``source_url`` is the
    clone's origin URL as given (credentials included), ``committish`` the HEAD
    sha, ``branch`` empty when pinned (detached HEAD).
    """
    fmt, i = "stdout", 0
    while ctx.version >= (0, 38, 22) and i < len(args):
        arg, i = args[i], i + 1
        if arg == "--format":
            fmt, i = (args[i], i + 1) if i < len(args) else ("", i)
        elif arg.startswith("--format="):
            fmt = arg[len("--format="):]
    if fmt not in ("stdout", "json"):
        ctx.fail("Invalid output format specified, supported formats: json, stdout")
    plugins = sorted(ctx.state["plugins"], key=lambda p: p["name"])
    if fmt == "json":
        rows = ["{" + ",".join(f'"{k}":{go_json(record_field(ctx, p, k))}' for k in JSON_FIELDS)
                + "}" for p in plugins]
        ctx.out("[" + ",".join(rows) + "]")
        return 0
    lines = ["plugn: dev"]
    lines += ["  %-20s %-5s %-10s %s" % (p["name"], ctx.plugin_version_of(p), "enabled" if p["enabled"] else "disabled",
                                        p["description"]) for p in plugins]
    ctx.lines(lines)
    return 0


def record_field(ctx, plugin, key):
    """Return one PluginInfo field; plugn list's description is re-joined on single spaces."""
    if key == "version":
        return ctx.plugin_version_of(plugin)
    value = plugin.get(key, "")
    return " ".join(value.split()) if key == "description" else value


def plugin_name_from_url(url):
    """Return functions plugin_name: last ``/`` segment, ``.git`` and then ``dokku-`` removed.

    Nothing else is stripped, so ``dokku-foo.tar.gz`` becomes ``foo.tar.gz``.
    """
    base = url.split("/")[-1]
    base = re.sub(r".git$", "", base, count=1)
    return base[len("dokku-"):] if base.startswith("dokku-") else base


def install_trigger_lines(new_plugin=""):
    """Return what `plugn trigger install` prints.

    A datastore's install trigger pulls its image when it is missing, which is
    only the case for the plugin just installed; nginx-vhosts/install runs
    `gpasswd -a dokku adm` every time.
    """
    lines = []
    if new_plugin in store.DATASTORES:
        image = store.DATASTORES[new_plugin][3]
        digest = store.hexid("digest", image)
        lines += [f"{image.split(':')[-1]}: Pulling from library/{image.split(':')[0]}",
                  f"{digest[:12]}: Pull complete", f"Digest: sha256:{digest}",
                  f"Status: Downloaded newer image for {image}", f"docker.io/library/{image}"]
    return lines + ["Adding user dokku to group adm"]


def parse_install_options(args):
    """Read download_and_enable_plugin's long options (getopts ":-:"), stopping at a plain word."""
    options, i = {}, 0
    while i < len(args) and args[i].startswith("-"):
        word, i = args[i], i + 1
        if word in ("--committish", "--name"):
            options[word[2:]] = args[i] if i < len(args) else ""
            i += 1
        elif word == "--skip-install-trigger":
            options["skip-install-trigger"] = True
    return options


def pinned_version(committish, default):
    """Return the plugin.toml version a checkout of *committish* carries in the model."""
    match = VERSION_TAG_RE.fullmatch(committish or "")
    return match.group(1) if match else default


def fetch_failure(url, name):
    """Return (lines, code) of curl/git failing to fetch *url*, or None when it holds a plugin.

    Besides unreachable hosts, two sources that pass cmd-plugin-install's case
    fail in plugn install's ``git clone``: one that is neither a URL nor
    ``user@host:path`` (``git*`` also matches ``github.com/o/r``, which git reads
    as a local directory that is not there), and an archive URL whose query
    string hides its ``.tar.gz`` from plugn's basename test (git finds no
    repository behind a file).
    """
    host = host_of(url)
    tarball = TARBALL_RE.fullmatch(url.split("/")[-1])
    if not tarball and "://" not in url and not SCP_RE.match(url):
        return [("err", f"fatal: repository '{url}' does not exist")], 128
    if not tarball and TARBALL_RE.fullmatch(urlsplit(url).path.split("/")[-1]):
        return [("err", f"Cloning into '{name}'..."),
                ("err", f"fatal: repository '{anonymize(url)}/' not found")], 128
    if not host.endswith(".invalid"):
        return None
    if tarball:
        return [("err", "gzip: stdin: unexpected end of file"),
                ("err", "tar: Child returned status 1"), ("err", "tar: Error is not recoverable: exiting now")], 2
    return [("err", f"Cloning into '{name}'..."),
            ("err", f"fatal: unable to access '{anonymize(url).rstrip('/')}/': Could not resolve host: {host}")], 128


def cmd_install(ctx, args):
    """plugin:install (subcommands/install cmd-plugin-install, functions download_and_enable_plugin,
    plugn install)."""
    source = args[0] if args else ""
    if source == "--core":
        if len(args) > 1:
            ctx.info1("Cannot install additional core plugins, running core plugin install trigger", quiet=True)
        ctx.stream([PRIMING])
        return 0
    if source and not SOURCE_RE.fullmatch(source):
        ctx.warn("First argument must be --core or url to plugin")
        ctx.warn("Valid prefixes: https:, git:, ssh:, file:")
        ctx.warn("Valid suffixes: .tar.gz, .tgz")
        ctx.fail("Please retry with valid arguments")
    if not source:
        ctx.stream(install_trigger_lines() + [PRIMING])
        return 0
    options = parse_install_options(args[1:])
    name = options.get("name") or plugin_name_from_url(source)
    tarball = bool(TARBALL_RE.fullmatch(source.split("/")[-1]))
    ctx.info1(f"Cloning plugin repo {source} to {AVAILABLE}/{name}", quiet=True)
    failure = fetch_failure(source, name)
    if failure:
        ctx.stream(failure[0])
        return failure[1]
    with ctx.transaction() as st:
        existing = find(st, name)
        fresh = existing is None
        if existing is not None and not tarball:
            plugn_refuse_existing(ctx, existing, source)
        if existing is not None and existing["enabled"]:
            ctx.fail("Plugin already enabled")
        lines = [] if tarball or existing else [("err", f"Cloning into '{name}'...")]
        if existing is None:
            existing = new_record(name, source, tarball)
            st["plugins"] = sorted(st["plugins"] + [existing], key=lambda p: p["name"])
        existing["enabled"] = True
        if name in store.DATASTORES:
            st["services"].setdefault(name, {})
        lines.append(f"{INFO1}Plugin {name} enabled")
        if options.get("committish"):
            lines += update_lines(existing, options["committish"])
        if not options.get("skip-install-trigger"):
            lines += install_trigger_lines(name if fresh else "")
    ctx.stream(lines + [PRIMING])
    return 0


def plugn_refuse_existing(ctx, existing, source):
    """Stop like plugn install does when the plugin directory already exists."""
    if existing["core"] or not existing.get("source_url"):
        ctx.err(f"{existing['name']} is already installed, but it does not seem to be a git repository")
        raise CommandExit(1)
    if existing["source_url"] != source:
        ctx.err(f"Plugin '{existing['name']}' is already installed, but with a different url. "
                "To install anyway, uninstall it first.")
        raise CommandExit(1)
    ctx.err(f"Plugin '{existing['name']}' is already installed.")


def new_record(name, source, tarball):
    """Return the plugin:list record of a freshly downloaded plugin."""
    if name in store.DATASTORES:
        version, desc = store.DATASTORES[name][4], f"dokku {name} service plugin"
    else:
        version, desc = store.COMMUNITY_PLUGINS.get(name, ("0.1.0", f"dokku {name} plugin"))
    record = store.community_plugin(name, version, desc, source)
    if tarball:
        record.update(source_url="", committish="", branch="")
    return record


def update_lines(plugin, committish):
    """Apply plugn update to *plugin*; return its output line(s)."""
    if not plugin.get("source_url"):
        return [f"Plugin ({plugin['name']}) not managed by git"]
    if not committish:
        if not plugin.get("branch"):
            return [f"Plugin pinned to {plugin.get('pinned', '')}"]
        return [f"Plugin ({plugin['name']}) updated"]
    plugin.update(committish=store.hexid("plugin", plugin["name"], committish, length=40),
                  branch="" if VERSION_TAG_RE.fullmatch(committish) or len(committish) == 40 else committish,
                  pinned=committish, version=pinned_version(committish, plugin["version"]))
    return [f"Plugin ({plugin['name']}) updated and pinned to {committish}"]


def cmd_update(ctx, args):
    """plugin:update (subcommands/update cmd-plugin-update, plugn update)."""
    name, committish = (list(args[:2]) + ["", ""])[:2]
    with ctx.transaction() as st:
        if name:
            if not PLUGIN_NAME_RE.fullmatch(name):
                ctx.fail("Invalid plugin name specified")
            plugin = find(st, name)
            if plugin is None or not plugin["enabled"]:
                ctx.fail("Specified plugin not enabled or installed")
            if plugin["core"]:
                ctx.fail("Cannot trigger plugin:update against core plugin, please update Dokku instead")
            lines = update_lines(plugin, committish)
        else:
            lines = []
            for plugin in sorted(st["plugins"], key=lambda p: p["name"]):
                if plugin["enabled"] and not plugin["core"]:
                    lines += update_lines(plugin, "")
    ctx.stream(lines + [PRIMING])
    return 0


def toggle(ctx, args, enable):
    """Enable or disable a plugin like functions enable_plugin/disable_plugin, in their check order."""
    verb = "enable" if enable else "disable"
    name = args[0] if args else ""
    if not name:
        ctx.fail(f"Please specify a plugin to {verb}")
    with ctx.transaction() as st:
        plugin = find(st, name)
        if not enable and plugin is not None and plugin["core"]:
            ctx.fail("Cannot disable a core plugin")
        if enable and plugin is not None and plugin["enabled"]:
            ctx.fail("Plugin already enabled")
        if not enable and (plugin is None or not plugin["enabled"]):
            ctx.fail("Plugin already disabled")
        if plugin is None:
            ctx.fail("Plugin does not exist")
        plugin["enabled"] = enable
    ctx.stream([f"{INFO1}Plugin {name} {verb}d", PRIMING] if not ctx.quiet else [])
    return 0


def cmd_enable(ctx, args):
    """plugin:enable (subcommands/enable, functions enable_plugin)."""
    return toggle(ctx, args, True)


def cmd_disable(ctx, args):
    """plugin:disable (subcommands/disable, functions disable_plugin): an unknown name is
    ``Plugin already disabled``, the enabled-path check coming first."""
    return toggle(ctx, args, False)


def cmd_uninstall(ctx, args):
    """plugin:uninstall (subcommands/uninstall, functions uninstall_plugin, plugn uninstall)."""
    name = args[0] if args else ""
    if not name:
        ctx.fail("Please specify a plugin to uninstall")
    with ctx.transaction() as st:
        plugin = find(st, name)
        if plugin is not None and plugin["core"]:
            ctx.fail("Cannot uninstall a core plugin")
        if plugin is None:
            ctx.fail(f"Plugin ({name}) is not currently installed")
        st["plugins"].remove(plugin)
    ctx.stream([f"{INFO1}Plugin {name} uninstalled", PRIMING] if not ctx.quiet else [])
    return 0


def cmd_installed(ctx, args):
    """plugin:installed (internal-functions cmd-plugin-installed): `grep -q "^NAME$"` over names."""
    name = args[0] if args else ""
    pattern = re.compile(name) if name else None
    names = [p["name"] for p in ctx.state["plugins"]]
    try:
        return 0 if pattern and any(pattern.fullmatch(n) for n in names) else 1
    except re.error:
        return 1


# ------------------------------------------------------------------ ssh-keys


def cmd_keys_list(ctx, args):
    """ssh-keys:list (plugins/ssh-keys/subcommands/list): ``--format`` only as first word."""
    name, fmt = (args[0] if args else ""), "text"
    if name == "--format":
        fmt, name = (list(args[1:3]) + ["", ""])[:2]
    if fmt not in ("text", "json"):
        ctx.fail("Invalid output format specified, supported formats: json, text")
    keys = ctx.state.get("ssh_keys", [])
    if name:
        keys = [k for k in keys if k["name"] == name]
    if fmt == "json":
        ctx.out(go_json([{"fingerprint": k["fingerprint"], "name": k["name"],
                          "SSHCOMMAND_ALLOWED_KEYS": "none"} for k in keys]))
        return 0
    if not keys:
        ctx.fail("No public keys found.")
    ctx.lines([f'{k["fingerprint"]} NAME="{k["name"]}" SSHCOMMAND_ALLOWED_KEYS="none"' for k in keys])
    return 0


def cmd_keys_add(ctx, args):
    """ssh-keys:add (plugins/ssh-keys/subcommands/add; the key itself is not parsed here)."""
    name = args[0] if args else ""
    if not name:
        ctx.fail("A name for the key is required")
    key = ctx.stdin.read() if len(args) < 2 else args[1]
    if not key.strip():
        ctx.fail("Empty key was specified")
    fingerprint = "SHA256:" + store.hexid("ssh-key", key, length=43)
    with ctx.transaction() as st:
        if any(k["name"] == name for k in st["ssh_keys"]):
            ctx.fail(f'Duplicate ssh key name: "{name}"')
        st["ssh_keys"].append({"name": name, "fingerprint": fingerprint})
    ctx.out(fingerprint)
    return 0


def cmd_keys_remove(ctx, args):
    """ssh-keys:remove (plugins/ssh-keys/subcommands/remove)."""
    name, fingerprint = (list(args[:2]) + ["", ""])[:2]
    if name == "--fingerprint" and not fingerprint:
        ctx.fail("A fingerprint is required to remove a key, ie: dokku ssh-keys:remove --fingerprint FINGERPRINT")
    if not name:
        ctx.fail("A name is required to remove a key, ie: dokku ssh-keys:remove <name>")
    target, field = (fingerprint, "fingerprint") if name == "--fingerprint" else (name, "name")
    with ctx.transaction() as st:
        kept = [k for k in st["ssh_keys"] if k[field] != target]
        if len(kept) == len(st["ssh_keys"]):
            ctx.fail(f"No matching ssh key found for {target}")
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
