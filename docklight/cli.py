"""Operator commands: ``flask --app wsgi docklight check|acl-commands|backup``.

They run where Docklight runs (on Dokku: ``dokku run docklight flask --app wsgi
docklight ...``), with the same settings, so ``check`` proves the deployed
configuration rather than a hand-typed copy of it. Failures print one line to
stderr and exit non-zero; an operator never has to read a traceback.
"""

from __future__ import annotations

import os
import secrets
import sqlite3

import click
from flask import current_app
from flask.cli import AppGroup

from docklight import db, services
from docklight.dokku import commands, parsers
from docklight.dokku.errors import DokkuError

group = AppGroup("docklight", help="Check the deployment, list ACL commands, back up history.")

# Subcommands Dokku runs only for root (reference 2, plugin:*): Docklight
# sends them through the optional root target, never through the dokku key.
_ROOT_PREFIXES = ("plugin:", "ssh-keys:")
_USER_READABLE = frozenset({"plugin:list", "plugin:help", "plugin:installed", "ssh-keys:list"})


def init_app(app) -> None:
    """Register the ``docklight`` command group on app.cli."""
    if group.name not in app.cli.commands:
        app.cli.add_command(group)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _fail(message: str, code: int = 1):
    """Print message as one line on stderr and exit with code."""
    click.echo(f"docklight: error: {_one_line(message)}", err=True)
    raise SystemExit(code)


def _describe(exc: DokkuError) -> str:
    parts = [exc.title]
    if exc.detail:
        parts.append(exc.detail)
    text = ": ".join(parts)
    if exc.target and exc.target not in text:
        text = f"{exc.target}: {text}"
    if exc.hint:
        text += f" Hint: {exc.hint}"
    return text


# --- check ------------------------------------------------------------------

@group.command("check")
def check() -> None:
    """Check the settings, reach Dokku (and root, if set) and run apps:list."""
    settings = current_app.config["SETTINGS"]
    dokku_settings = settings.dokku
    # Settings were validated when the app was created (a bad value never
    # gets this far); what is left to prove is that Dokku answers.
    click.echo(f"configuration: ok (data folder {settings.data_dir})")
    if dokku_settings.demo:
        click.echo("mode:          demo (bundled Dokku simulator, no SSH)")
    elif dokku_settings.target is None:
        click.echo(f"mode:          local ({' '.join(dokku_settings.local_argv)})")
    else:
        click.echo("mode:          ssh")
    dokku = services.dokku()
    try:
        if dokku_settings.target is not None:
            click.echo(f"user target:   {dokku_settings.target}")
            click.echo(f"  key:         {dokku_settings.ssh.key_path or '~/.ssh/id_*'}")
            click.echo(f"  known_hosts: {dokku_settings.ssh.known_hosts}")
            click.echo(f"  host key:    {dokku.host_key_fingerprint()}")
        version = dokku.version()
        click.echo(f"  dokku:       {version.raw or 'unknown'}")
        # One real read through the client, so it lands in history like
        # every other command Docklight runs.
        result = dokku.run(commands.apps_list())
        if not result.ok:
            message = parsers.parse_dokku_error(result.stderr) or result.stderr or result.stdout
            _fail(f"`{result.command.display}` exited {result.exit_code}: {message}")
        apps = parsers.parse_apps_list(result.stdout)
        click.echo(f"  apps:list:   ok ({len(apps)} app{'' if len(apps) == 1 else 's'})")
        if dokku_settings.root_target is not None and dokku.has_root:
            click.echo(f"root target:   {dokku_settings.root_target}")
            click.echo(f"  key:         {dokku_settings.root_ssh.key_path or '~/.ssh/id_*'}")
            # Connecting authenticates the key; nothing is run as root.
            click.echo(f"  host key:    {dokku.host_key_fingerprint(root=True)}")
        elif dokku_settings.target is not None:
            click.echo("root target:   not configured (plugin commands are disabled)")
    except DokkuError as exc:
        _fail(_describe(exc))
    except Exception as exc:  # a bug or an odd host: still one line, never a traceback
        _fail(f"unexpected {type(exc).__name__}: {exc}", 2)
    finally:
        dokku.close()
    click.echo("ok: Docklight reaches Dokku")


# --- acl-commands -----------------------------------------------------------

def root_only(subcommand: str) -> bool:
    """Return whether Dokku runs subcommand only for root."""
    return subcommand.startswith(_ROOT_PREFIXES) and subcommand not in _USER_READABLE


def acl_commands(user_only: bool = False) -> list[str]:
    """Return the sorted Dokku subcommands Docklight may run."""
    names = sorted(commands.ALLOWED)
    if user_only:
        names = [n for n in names if not root_only(n)]
    return names


@group.command("acl-commands", with_appcontext=False)
@click.option("--lines", is_flag=True, help="One subcommand per line.")
@click.option("--user-only", is_flag=True,
              help="Leave out root-only subcommands (plugin:install, ...).")
def acl_commands_command(lines: bool, user_only: bool) -> None:
    """Print the Dokku subcommands Docklight can run (for dokku-acl)."""
    names = acl_commands(user_only)
    click.echo("\n".join(names) if lines else " ".join(names))


# --- backup -----------------------------------------------------------------

@group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: str, force: bool) -> None:
    """Copy the database to FILE with sqlite's online backup, then verify it.

    The backup API copies a consistent snapshot while gunicorn keeps writing;
    copying the file (and its -wal) by hand would not.
    """
    source = current_app.config["DATABASE"]
    dest = os.path.abspath(file)
    if os.path.exists(dest) and not force:
        _fail(f"{dest} exists; pass --force to replace it")
    if os.path.exists(dest) and os.path.samefile(dest, source):
        _fail(f"{dest} is the live database")
    folder = os.path.dirname(dest)
    if not os.path.isdir(folder):
        _fail(f"folder {folder} does not exist")
    # Written aside and moved into place once verified: a failed backup
    # never leaves half a file, and --force keeps the old one until then.
    tmp = os.path.join(folder, f".{os.path.basename(dest)}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        _fail(f"cannot write to {folder}: {exc.strerror}")
    os.close(fd)
    try:
        rows, version = _copy_and_verify(source, tmp)
        if force:
            os.replace(tmp, dest)
        else:
            os.link(tmp, dest)  # fails rather than overwrite a file that just appeared
    except FileExistsError:
        _fail(f"{dest} exists; pass --force to replace it")
    except (sqlite3.Error, OSError) as exc:
        _fail(f"backup failed: {exc}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    click.echo(f"backup: {dest} (integrity ok, schema version {version}, "
               f"{rows} rows in commands)")


def _copy_and_verify(source: str, dest: str) -> tuple[int, int]:
    """Back source up into dest and return (commands rows, user_version)."""
    with db.connection(source) as src:
        out = sqlite3.connect(dest, isolation_level=None)
        try:
            src.backup(out)
            # One self-contained file: no -wal/-shm to carry along.
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    check = sqlite3.connect(f"file:{dest}?mode=ro", uri=True)
    try:
        problems = [r[0] for r in check.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"integrity_check: {'; '.join(problems[:3])}")
        rows = check.execute("SELECT count(*) FROM commands").fetchone()[0]
        version = check.execute("PRAGMA user_version").fetchone()[0]
    finally:
        check.close()
    return rows, version
