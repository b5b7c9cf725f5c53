"""The tabs of the app page; each module adds its routes to app_page.bp.

The factory calls ``load_all`` before it registers that blueprint, so adding
a tab means adding a module here.
"""

import importlib
import pkgutil


def load_all() -> None:
    """Import every tab module, so that each has added its routes to app_page.bp."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
