"""A request body must arrive within a deadline, however slowly it trickles.

gunicorn's gevent worker bounds how long a request's headers may take (its
keepalive setting, see gunicorn.conf.py), but not its body: a client that
announces 100 bytes and sends one every minute holds a greenlet, a socket
and a worker connection for as long as it likes. This middleware gives the
whole body a deadline from the moment the request arrived; a read past it
ends in 408 (a readable page) and the connection is dropped.

The deadline needs cooperative sockets (gevent's, in the worker) to
interrupt a blocked read; under any other server the stream is left alone.
"""

from __future__ import annotations

import logging
import time

from werkzeug.exceptions import RequestTimeout

log = logging.getLogger("docklight.request")


def _gevent_timeout():
    """Return gevent.Timeout when the socket module is gevent's, else None."""
    try:
        from gevent import Timeout, monkey
    except ImportError:  # pragma: no cover - gevent is a requirement
        return None
    return Timeout if monkey.is_module_patched("socket") else None


class BodyTooSlow(RequestTimeout):
    """The body did not arrive within the deadline."""

    description = ("The request body did not arrive in time, so nothing was done. "
                   "Check the connection and send the form again.")


class DeadlineStream:
    """wsgi.input with one deadline for every read together."""

    def __init__(self, stream, deadline: float, timeout_class):
        self._stream = stream
        self._deadline = deadline
        self._timeout = timeout_class

    def _call(self, method, *args):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise BodyTooSlow()
        timer = self._timeout(remaining)
        timer.start()
        try:
            return method(*args)
        except self._timeout as exc:
            if exc is not timer:
                raise
            log.warning("request body too slow")
            raise BodyTooSlow() from None
        finally:
            timer.close()

    def read(self, *args):
        return self._call(self._stream.read, *args)

    def readline(self, *args):
        return self._call(self._stream.readline, *args)

    def readlines(self, *args):
        return self._call(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


class BodyDeadline:
    """WSGI middleware: wrap wsgi.input in a DeadlineStream of `seconds`."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds
        self.timeout_class = _gevent_timeout()

    def __call__(self, environ, start_response):
        if self.timeout_class is not None and "wsgi.input" in environ:
            environ["wsgi.input"] = DeadlineStream(
                environ["wsgi.input"], time.monotonic() + self.seconds, self.timeout_class)
        return self.app(environ, start_response)
