"""``python -m docklight users add|list|disable|enable|set-role|reset-password|reset-totp``.

The same commands as the Users page, for a shell on the host (``dokku run
docklight python -m docklight users list``) and for the first steps before
anyone can log in. They run with the app's settings and database, so they
change exactly what the web pages read. Passwords are asked for twice on the
terminal (never as an argument, which would land in the shell history and in
``ps``), or read from stdin with ``--password-stdin`` for scripts. Failures
print one line and exit 1.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from docklight import session_store, users

group = AppGroup("users", help="Add, list, disable and change Docklight users.")


def init_app(app) -> None:
    """Register the ``users`` command group on app.cli."""
    if group.name not in app.cli.commands:
        app.cli.add_command(group)


def _db() -> str:
    return current_app.config["DATABASE"]


def _fail(message: str):
    click.echo(f"docklight: error: {message}", err=True)
    raise SystemExit(1)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(change, done: str) -> None:
    try:
        change()
    except users.UserError as exc:
        _fail(exc.message)
    click.echo(done)


password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of stdin.")


@group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(users.ROLES), default="viewer", show_default=True)
@password_stdin
def add(name: str, role: str, password_stdin: bool) -> None:
    """Create user NAME with a role and a password."""
    password = _password(password_stdin)
    _run(lambda: users.add(_db(), name, password, role), f"added {name} ({role})")


@group.command("list")
def list_users() -> None:
    """List every user: name, role, state, two-step login, last login."""
    from docklight.templating import isotime

    for user in users.list_all(_db()):
        state = "disabled" if user.disabled else "enabled"
        totp = "totp" if user.totp_enabled else "-"
        last = isotime(user.last_login_at) if user.last_login_at else "never"
        click.echo(f"{user.name:<20} {user.role:<9} {state:<9} {totp:<5} last login {last}")


@group.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable NAME: they cannot log in, and their sessions end now."""
    _run(lambda: users.set_disabled(_db(), name, True), f"disabled {name}")


@group.command("enable")
@click.argument("name")
def enable(name: str) -> None:
    """Let a disabled NAME log in again."""
    _run(lambda: users.set_disabled(_db(), name, False), f"enabled {name}")


@group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(users.ROLES))
def set_role(name: str, role: str) -> None:
    """Give NAME the role ROLE (admin, operator or viewer)."""
    _run(lambda: users.set_role(_db(), name, role), f"{name} is now {role}")


@group.command("reset-password")
@click.argument("name")
@password_stdin
def reset_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME; their sessions end."""
    password = _password(password_stdin)
    _run(lambda: users.set_password(_db(), name, password),
         f"new password set for {name}; their sessions have ended")


@group.command("reset-totp")
@click.argument("name")
def reset_totp(name: str) -> None:
    """Turn NAME's two-step login off (a lost phone); they can set it up again."""
    def change():
        if users.get(_db(), name) is None:
            raise users.UserError("name", f"There is no user called {name}.")
        users.disable_totp(_db(), name)
        session_store.end_user(_db(), name)
    _run(change, f"two-step login is off for {name}")
