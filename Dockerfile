# Docklight for Dokku's Dockerfile builder (`git push dokku main`); see docs/deploy.md.
#
# Two stages: the builder compiles wheels and installs them into /opt/venv;
# the final image copies only that venv, so no compiler, header or wheel
# file is left in it. (A plain COPY, not `RUN --mount`, so it builds on
# hosts whose Docker still uses the classic builder.)

FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Only needed when a pinned package has no wheel for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libffi-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --wheel-dir /wheels -r /tmp/requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-index --find-links /wheels -r /tmp/requirements.txt


FROM python:3.11-slim

# PORT: Dokku maps http:80 (and https:443) to the EXPOSEd port and sets PORT
# to it. HOME=/app makes ~/.ssh the mounted /app/.ssh. DOCKLIGHT_DEMO=0: a
# missing DOCKLIGHT_DOKKU_SSH_TARGET stops start-up with one line instead of
# quietly serving the bundled simulator.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/app \
    PORT=3001 \
    FLASK_APP=wsgi \
    DOCKLIGHT_DATA_DIR=/app/data \
    DOCKLIGHT_DOKKU_SSH_KEY_PATH=/app/.ssh/id_ed25519 \
    DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS=/app/.ssh/known_hosts \
    DOCKLIGHT_DEMO=0

# uid/gid 1000: the owner the mounted data folder and key must have
# (docs/deploy.md, `chown 1000:1000`).
RUN groupadd --gid 1000 docklight \
    && useradd --uid 1000 --gid 1000 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin docklight

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv

# The code stays owned by root: the app user can read it, not change it.
COPY requirements.txt wsgi.py gunicorn.conf.py Procfile app.json ./
COPY docklight/ docklight/
COPY templates/ templates/
COPY static/ static/

# data: the sqlite database (a Dokku storage mount). .ssh: the mounted key
# and known_hosts. .gunicorn: gunicorn's control socket lives in $HOME.
RUN python -m compileall -q docklight \
    && mkdir -p /app/data /app/.ssh /app/.gunicorn \
    && chown 1000:1000 /app/data /app/.ssh /app/.gunicorn \
    && chmod 700 /app/data /app/.ssh /app/.gunicorn

USER 1000:1000
EXPOSE 3001

# The Procfile's web command, exactly (tests/test_deploy_files.py checks).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
