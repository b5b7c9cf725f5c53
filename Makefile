# Docklight: `make run` starts it, `make test` installs what is missing and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Same command line as the Procfile. Without DOCKLIGHT_DOKKU_SSH_TARGET and
# without `dokku` on PATH it starts the demo against the bundled simulator.
run: $(VENV)/.runtime
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The tests need a real sshd and Chromium; as root they are installed here.
system-deps:
	@missing=""; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v ssh-keygen >/dev/null || missing="$$missing openssh-client"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/bin/python3 ] || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "missing:$$missing (run 'sudo apt-get install$$missing' or run make test as root)"; exit 1; \
	  fi; \
	fi

test: system-deps $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: system-deps $(VENV)/.dev
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/logs.py
	$(BIN)/python bench/history.py

clean:
	rm -rf $(VENV) .pytest_cache
