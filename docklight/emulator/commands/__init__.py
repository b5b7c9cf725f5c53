"""Command implementations, one module per Dokku plugin area.

Each module exposes ``COMMANDS`` (``"plugin:sub" -> handler(ctx, args)``), an
optional ``BARE`` map for commands run without a subcommand (``logs``), and
``HELP`` entries for ``<plugin>:help``.
"""
