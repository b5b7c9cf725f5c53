"""gunicorn entry point: gunicorn -c gunicorn.conf.py wsgi:app"""

from docklight import create_app
from docklight.config import exit_on_error

app = exit_on_error(create_app)
