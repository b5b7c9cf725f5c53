"""The tabs of the app page; each module adds its routes to app_page.bp.

Every module in this package is imported here, before the factory registers
the blueprint, so adding a tab means adding a module.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
