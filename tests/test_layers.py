"""Every import in docklight/ follows the layers docs/architecture.md draws.

The walk reads each module with ``ast`` and collects every import it holds,
at module level and inside functions alike: ``import x``, ``from x import y``
and relative imports. Each arrow that breaks a rule is named in the failure,
as ``importer -> imported (file:line): rule``.
"""

from __future__ import annotations

import ast
import os
import sys
import textwrap
from typing import NamedTuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Bottom to top; a module may import its own layer and the ones below it.
DOKKU, STORAGE, DOMAIN, WEB = "dokku", "storage", "domain", "web"
RANK = {DOKKU: 0, STORAGE: 1, DOMAIN: 2, WEB: 3}
EMULATOR = "emulator"  # a program of its own, outside the stack

# Modules outside docklight/dokku/, docklight/views/ and docklight/emulator/.
# A new one fails the walk until it is placed here (and in the document).
TOP_LEVEL = {
    "docklight.db": STORAGE,
    "docklight.connection_pool": STORAGE,
    "docklight.history": STORAGE,
    "docklight.history_query": STORAGE,
    "docklight.retention": STORAGE,
    "docklight.ratelimit": STORAGE,
    "docklight.private_files": STORAGE,
    "docklight.readshare": STORAGE,
    "docklight.users": STORAGE,
    "docklight.session_store": STORAGE,
    "docklight.login_policy": STORAGE,
    "docklight.second_factor": DOMAIN,
    "docklight.jobs": DOMAIN,
    "docklight.logstream": DOMAIN,
    "docklight.logstream.defaults": DOMAIN,
    "docklight.logstream.lease": DOMAIN,
    "docklight.logstream.relay": DOMAIN,
    "docklight.logstream.seats": DOMAIN,
    "docklight.logstream.shared": DOMAIN,
    "docklight.logstream.pump": DOMAIN,
    "docklight.logstream.registry": DOMAIN,
    "docklight.logstream.subscription": DOMAIN,
    "docklight.logstream.upstream": DOMAIN,
    "docklight.loglines": DOMAIN,
    "docklight.dashboard": DOMAIN,
    "docklight.datastores": DOMAIN,
    "docklight.jsonlog": DOMAIN,
    "docklight.templating": DOMAIN,
    "docklight.ansi": DOMAIN,
    "docklight.totp": DOMAIN,
    "docklight": WEB,
    "docklight.factory": WEB,
    "docklight.security": WEB,
    "docklight.request_limits": WEB,
    "docklight.forwarded": WEB,
    "docklight.body_deadline": WEB,
    "docklight.access": WEB,
    "docklight.sudo": WEB,
    "docklight.users_cli": WEB,
    "docklight.__main__": WEB,
    "docklight.services": WEB,
    "docklight.htmx": WEB,
    "docklight.cli": WEB,
    "docklight.config": WEB,
    "docklight.saved_settings": WEB,
}

WEB_FRAMEWORK = ("flask", "werkzeug", "flask_sock", "simple_websocket")
# Modules of docklight.dokku the emulator may import: each imports only the
# standard library (checked below), so the emulator still runs under a bare
# /usr/bin/python3 through sshd.
EMULATOR_MAY_IMPORT = ("docklight.dokku.validators", "docklight.dokku.envfile",
                       "docklight.dokku.shell_syntax", "docklight.dokku.sed_pattern")


class Import(NamedTuple):
    """One arrow: importer -> imported, where it is written."""

    importer: str
    imported: str
    path: str
    line: int


def module_name(root: str, path: str) -> str:
    """Return the dotted name of the module at path (a package for __init__.py)."""
    parts = os.path.relpath(path, root)[:-len(".py")].split(os.sep)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: str) -> dict[str, str]:
    """Return {module name: path} for every .py file under root/docklight."""
    found = {}
    for folder, dirs, files in os.walk(os.path.join(root, "docklight")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found[module_name(root, path)] = path
    return found


def _nodes(tree: ast.AST, into_functions: bool):
    """Yield tree's nodes; without into_functions, skip what runs only when called."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if into_functions or not isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                todo.append(child)


def imports_of(name: str, path: str, known: dict[str, str],
               into_functions: bool = True) -> list[Import]:
    """Return the imports written in the module (by default, inside functions too)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = []
    for node in _nodes(tree, into_functions):
        if isinstance(node, ast.Import):
            out += [Import(name, alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            # `from docklight.dokku import executor` is an arrow to that module;
            # `from docklight.dokku.client import Dokku` one to the client.
            submodules = [f"{target}.{alias.name}" for alias in node.names
                          if f"{target}.{alias.name}" in known]
            if len(submodules) < len(node.names):
                out.append(Import(name, target, path, node.lineno))
            out += [Import(name, sub, path, node.lineno) for sub in submodules]
    return sorted(out, key=lambda arrow: arrow.line)


def layer_of(name: str) -> str | None:
    """Return the layer of a docklight module (None when it is in no layer)."""
    if name == "docklight.dokku" or name.startswith("docklight.dokku."):
        return DOKKU
    if name == "docklight.views" or name.startswith("docklight.views."):
        return WEB
    if name == "docklight.emulator" or name.startswith("docklight.emulator."):
        return EMULATOR
    return TOP_LEVEL.get(name)


def within(name: str, package: str) -> bool:
    """Return whether name is package or one of its modules."""
    return name == package or name.startswith(package + ".")


def is_stdlib(name: str) -> bool:
    """Return whether name is a standard library module."""
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


def check_arrow(arrow: Import) -> list[str]:
    """Return the rules arrow breaks, one message each."""
    importer, imported = arrow.importer, arrow.imported
    src = layer_of(importer)
    top = imported.split(".")[0]
    broken = []
    if src == EMULATOR:
        if not (is_stdlib(imported) or within(imported, "docklight.emulator")
                or imported in EMULATOR_MAY_IMPORT):
            broken.append("the emulator imports only the standard library, docklight.emulator "
                          f"and {', '.join(EMULATOR_MAY_IMPORT)}")
        return broken
    if top == "paramiko" and src != DOKKU:
        broken.append("only docklight/dokku/ imports paramiko")
    if top in WEB_FRAMEWORK and src != WEB:
        broken.append(f"only the web layer imports {top} (dokku, storage and domain run "
                      "outside requests)")
    if within(imported, "docklight.dokku.executor") and src != DOKKU:
        broken.append("only docklight/dokku/ imports docklight.dokku.executor (one road to Dokku)")
    if within(imported, "docklight.views") and not (
            within(importer, "docklight.views") or importer == "docklight.factory"):
        broken.append("only docklight/views/ and the factory import docklight.views")
    if within(imported, "docklight.emulator"):
        broken.append("nothing outside docklight/emulator/ imports it (the demo runs it as a "
                      "process)")
    dst = layer_of(imported) if top == "docklight" else None
    if dst in RANK and src in RANK and RANK[dst] > RANK[src]:
        broken.append(f"{src} may not import {dst} (it sits above)")
    return broken


def violations(root: str) -> list[str]:
    """Return one line per arrow under root/docklight that breaks a rule."""
    known = modules(root)
    found = []
    for name, path in known.items():
        if layer_of(name) is None:
            found.append(f"{name} ({os.path.relpath(path, root)}) is in no layer: place it in "
                         "TOP_LEVEL here and in docs/architecture.md")
            continue
        for arrow in imports_of(name, path, known):
            for rule in check_arrow(arrow):
                where = f"{os.path.relpath(arrow.path, root)}:{arrow.line}"
                found.append(f"{arrow.importer} -> {arrow.imported} ({where}): {rule}")
    for name in EMULATOR_MAY_IMPORT:
        # Importing name runs its packages' __init__ first (their top level only).
        for module, whole in (("docklight", False), ("docklight.dokku", False), (name, True)):
            for arrow in imports_of(module, known[module], known, into_functions=whole):
                if not is_stdlib(arrow.imported):
                    where = f"{os.path.relpath(arrow.path, root)}:{arrow.line}"
                    found.append(f"{module} -> {arrow.imported} ({where}): the emulator "
                                 f"imports {name}, which must need only the standard library")
    return found


# --- the code -----------------------------------------------------------------------

def test_every_import_in_docklight_follows_the_layers():
    found = violations(REPO)
    assert not found, "imports against the layers:\n" + "\n".join(found)


def test_the_walk_sees_every_module_and_the_arrows_that_matter():
    known = modules(REPO)
    assert {"docklight", "docklight.dokku.client", "docklight.views.tabs.logs",
            "docklight.emulator.commands.apps"} <= set(known)
    arrows = {(a.importer, a.imported) for name, path in known.items()
              for a in imports_of(name, path, known)}
    # Function-level, from-import of a module, and relative imports resolve.
    assert ("docklight", "docklight.factory") in arrows
    assert ("docklight.dokku.client", "docklight.dokku.executor") in arrows
    assert ("docklight.emulator.commands.apps", "docklight.emulator.report") in arrows


# --- the checker can fail -------------------------------------------------------------

BAD_TREE = {
    "docklight/__init__.py": "",
    "docklight/dokku/__init__.py": "",
    "docklight/dokku/executor.py": "import paramiko\n",
    "docklight/dokku/validators.py": "import re\n",
    "docklight/dokku/envfile.py": "import re\n",
    "docklight/dokku/shell_syntax.py": "from __future__ import annotations\n",
    "docklight/dokku/sed_pattern.py": "import re\n",
    "docklight/dokku/client.py": """
        def record():
            from docklight import history  # storage above the road to Dokku
            import flask
    """,
    "docklight/history.py": "from docklight import db\n",
    "docklight/db.py": "from flask import g\n",
    "docklight/logstream.py": """
        from .views import logs
        from docklight.dokku import executor
        import paramiko
    """,
    "docklight/views/__init__.py": "",
    "docklight/views/logs.py": "from docklight.dokku import client\n",
    "docklight/gadget.py": "",
    "docklight/emulator/__init__.py": "",
    "docklight/emulator/cli.py": """
        from . import core
        from docklight.dokku import validators
        from docklight.dokku.client import Dokku
        import flask
    """,
    "docklight/emulator/core.py": "import json\n",
}


def write_tree(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_checker_names_each_arrow_that_breaks_a_rule(tmp_path):
    write_tree(tmp_path, BAD_TREE)
    found = violations(str(tmp_path))
    arrows = sorted(line.split(" (")[0] for line in found)
    assert arrows == sorted([
        "docklight.dokku.client -> docklight.history",  # function-level
        "docklight.dokku.client -> flask",
        "docklight.db -> flask",
        "docklight.logstream -> docklight.views.logs",  # relative: views only
        "docklight.logstream -> docklight.views.logs",  # and the web layer sits above
        "docklight.logstream -> docklight.dokku.executor",
        "docklight.logstream -> paramiko",
        "docklight.gadget",
        "docklight.emulator.cli -> docklight.dokku.client",
        "docklight.emulator.cli -> flask",
    ])
    assert ("docklight.dokku.client -> docklight.history (docklight/dokku/client.py:3): "
            "dokku may not import storage (it sits above)") in found
    assert any(line.startswith("docklight.gadget (docklight/gadget.py) is in no layer")
               for line in found)


def test_the_emulator_may_use_only_pure_dokku_modules(tmp_path):
    write_tree(tmp_path, {**BAD_TREE,
                          "docklight/dokku/validators.py": "from docklight.dokku import parsers\n",
                          "docklight/dokku/parsers.py": "import re\n"})
    found = violations(str(tmp_path))
    assert ("docklight.dokku.validators -> docklight.dokku.parsers "
            "(docklight/dokku/validators.py:1): the emulator imports docklight.dokku.validators, "
            "which must need only the standard library") in found
