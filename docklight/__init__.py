"""Docklight: a web dashboard for a Dokku host."""


def create_app(test_config=None):
    """Create and configure the Flask app (flaskr's factory pattern).

    Heavy imports live inside the function so that ``import docklight.emulator``
    (run once per emulated Dokku command) stays cheap.
    """
    from docklight.factory import build_app

    return build_app(test_config)
