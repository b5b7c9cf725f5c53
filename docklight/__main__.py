"""``python -m docklight COMMAND``: the app's command line without naming wsgi.

The same commands as ``flask --app wsgi ...`` (``users ...``, ``docklight
check``, ...), with the settings of the environment; a bad setting prints one
line and exits 1, as the server does.
"""

from flask.cli import FlaskGroup

from docklight import create_app
from docklight.config import exit_on_error


def main() -> None:
    """Run the command line."""
    FlaskGroup(create_app=lambda: exit_on_error(create_app), add_default_commands=False,
               load_dotenv=False).main(prog_name="python -m docklight")


if __name__ == "__main__":
    main()
