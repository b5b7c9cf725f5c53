"""JSON-lines logging on stdout through the standard logging module.

Configured with dictConfig before the app is created (Flask docs, logging).
Fields passed as ``extra=`` become JSON keys; nothing here ever logs a
command's output, so no secret can reach the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which gunicorn worker
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def configure(level: str = "info") -> None:
    """Send every logger's records to stdout as JSON lines."""
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JSONFormatter}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stdout"}},
        "root": {"level": level.upper(), "handlers": ["stdout"]},
        "loggers": {
            # paramiko logs every channel open at INFO; keep its warnings only.
            "paramiko": {"level": "WARNING"},
            "werkzeug": {"level": "WARNING"},
        },
    })
