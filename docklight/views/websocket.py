"""The one flask-sock object every WebSocket route hangs on.

Blueprints declare their routes with ``@sock.route(path, bp=bp)`` (the job
stream in views/jobs.py, the live logs in views/logs.py); the factory
registers those blueprints and calls ``sock.init_app(app)``, as in flask-sock's
blueprints example. The handshake's session and Origin are checked for every
request by docklight.security before a route runs.
"""

from flask_sock import Sock

sock = Sock()
