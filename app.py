"""Run Docklight with Flask's development server (production: `make run`, gunicorn)."""

from docklight import create_app
from docklight.config import exit_on_error

if __name__ == "__main__":
    app = exit_on_error(create_app)
    app.run(host="127.0.0.1", port=app.config["SETTINGS"].port)
