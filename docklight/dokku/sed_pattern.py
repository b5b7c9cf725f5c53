"""What a domain means inside Dokku's ``sed -i "\\|^DOMAIN$|d"``, shared with the emulator.

plugins/domains/functions (domains_remove, and the global variant) deletes
a domain from its VHOST file with that sed line, and sed reads DOMAIN as a
basic regular expression: each ``.`` is any character and a ``*`` after a
character repeats it (a leading ``*`` is literal). Hostnames Dokku accepts
hold no other special character. The product refuses a removal that would
take other domains with it (commands/domains.py); the emulator deletes what
sed would. Standard library only: the emulator imports it under a bare python3.
"""

from __future__ import annotations

import re


def sed_line_regex(domain: str) -> re.Pattern:
    """Return the Python regex of the lines ``sed "\\|^DOMAIN$|d"`` deletes (match it whole)."""
    parts = []
    for i, char in enumerate(domain):
        if char == ".":
            parts.append(".")
        elif char == "*" and i > 0:
            parts.append("*")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts))
