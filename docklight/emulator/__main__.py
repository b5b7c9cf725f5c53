"""Allow ``python3 -m docklight.emulator``."""

import sys

from docklight.emulator.cli import main

sys.exit(main())
