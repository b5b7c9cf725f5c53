"""The tabs of the app page; each module adds its routes to app_page.bp."""

# Importing the modules registers their routes; the factory imports this
# package before it registers the blueprint.
from docklight.views.tabs import overview  # noqa: F401
