"""Dokku's env file, modelled: godotenv v1.5.1 Marshal and its parser, in Python.

Why: Dokku never stores a config value as given. plugins/config/environment.go
(``Env.Write``) writes the app's ``ENV`` file with ``godotenv.Write`` (Marshal
plus a newline) and every later command reads it back with ``godotenv.Read``
(``loadFromFile``). Marshal writes integers bare and everything else in double
quotes with ``doubleQuoteEscape``; the parser un-escapes only part of that. So
``007`` comes back as ``7``, ``say "hi"`` as ``say "hi\\``, and a value ending
in a backslash leaves a quote open that makes the whole file unreadable: every
later config command and deploy of the app fails. Docklight checks each value
with :func:`round_trip` before it sends ``config:set``, and the emulator keeps
its env storage through :func:`write_text` and :func:`parse`.

The functions follow /work/src/joho+godotenv v1.5.1 one to one: godotenv.go
(``Marshal``, ``doubleQuoteEscape``, ``Write``) and parser.go (``parseBytes``,
``getStatementStart``, ``locateKeyName``, ``extractVarValue``,
``expandEscapes``, ``expandVariables``, ``isSpace``). Go walks the file as
bytes and decodes runes only where the source says so; this port does the
same, so invalid UTF-8 and multi-byte keys behave as in Go. Standard library
only: the emulator imports this module under a bare python3.
"""

from __future__ import annotations

import re
import unicodedata

# godotenv.go: const doubleQuoteSpecialChars = "\\\n\r\"!$`"
DOUBLE_QUOTE_SPECIAL_CHARS = "\\\n\r\"!$`"

# parser.go: escapeRegex, expandVarRegex, unescapeCharsRegex. Go's "." does not
# match a newline and "[^$]" does, as in Python's re without flags.
ESCAPE_RE = re.compile(r"\\.")
EXPAND_VAR_RE = re.compile(r"(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?")
UNESCAPE_CHARS_RE = re.compile(r"\\([^$])")

_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_ASCII_INT_RE = re.compile(r"[+-]?[0-9]+")
_RUNE_ERROR = "\ufffd"
# unicode.White_Space above Latin-1 (Go's unicode.IsSpace falls back to it).
_WHITE_SPACE_ABOVE_LATIN1 = frozenset(
    "\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class EnvFileError(ValueError):
    """godotenv could not parse the env file; the message is godotenv's own."""


# --------------------------------------------------------------------------- writing


def atoi(value: str) -> int | None:
    """Return *value* as Go's ``strconv.Atoi`` reads it (base 10, int64), else None.

    An optional ``+``/``-`` and ASCII digits only: no spaces, no underscores
    (those need base 0), no other scripts' digits.
    """
    if not _ASCII_INT_RE.fullmatch(value):
        return None
    number = int(value)
    return number if _INT64[0] <= number <= _INT64[1] else None


def double_quote_escape(value: str) -> str:
    """Escape like godotenv.go ``doubleQuoteEscape``: one replace per special char, in order."""
    for char in DOUBLE_QUOTE_SPECIAL_CHARS:
        replacement = {"\n": "\\n", "\r": "\\r"}.get(char, "\\" + char)
        value = value.replace(char, replacement)
    return value


def marshal_line(key: str, value: str) -> str:
    """Return the one line godotenv.go ``Marshal`` writes for *key*."""
    number = atoi(value)
    if number is not None:
        return f"{key}={number}"
    return f'{key}="{double_quote_escape(value)}"'


def marshal(env: dict[str, str]) -> str:
    """godotenv.go ``Marshal``: one line per key, the lines sorted as strings."""
    return "\n".join(sorted(marshal_line(k, v) for k, v in env.items()))


def write_text(env: dict[str, str]) -> str:
    """Return the file godotenv.go ``Write`` leaves on disk (Marshal plus a newline)."""
    return marshal(env) + "\n"


# --------------------------------------------------------------------------- runes


def _decode_rune(src: bytes, i: int) -> tuple[str, int]:
    """Return the rune at byte *i* and its width, as Go's utf8.DecodeRune (RuneError, 1)."""
    lead = src[i]
    if lead < 0x80:
        return chr(lead), 1
    width = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
    if width:
        try:
            return src[i:i + width].decode("utf-8"), width
        except UnicodeDecodeError:
            pass
    return _RUNE_ERROR, 1


def _runes(src: bytes):
    """Yield ``(byte index, rune, width)`` over *src* as Go's range over a string."""
    i = 0
    while i < len(src):
        rune, width = _decode_rune(src, i)
        yield i, rune, width
        i += width


def _index_func(src: bytes, test) -> int:
    """bytes.IndexFunc: byte index of the first rune for which *test* holds, or -1."""
    for i, rune, _ in _runes(src):
        if test(rune):
            return i
    return -1


def _trim_left_func(src: bytes, test) -> bytes:
    """bytes.TrimLeftFunc."""
    for i, rune, _ in _runes(src):
        if not test(rune):
            return src[i:]
    return b""


def _trim_right_func(src: bytes, test) -> bytes:
    """bytes.TrimRightFunc (runes decoded forwards; same cut for valid and invalid UTF-8)."""
    end = 0
    for i, rune, width in _runes(src):
        if not test(rune):
            end = i + width
    return src[:end]


def go_is_space(rune: str) -> bool:
    """Go's ``unicode.IsSpace`` (Latin-1 table, then the White_Space property)."""
    if ord(rune) <= 0xFF:
        return rune in "\t\n\v\f\r \x85\xa0"
    return rune in _WHITE_SPACE_ABOVE_LATIN1


def is_space(rune: str) -> bool:
    """parser.go ``isSpace``: a space but not a line break."""
    return rune in "\t\v\f\r \x85\xa0"


def _is_line_end(rune: str) -> bool:
    """parser.go ``isLineEnd``."""
    return rune in "\n\r"


def _go_string(raw: bytes) -> str:
    """A Go string of *raw*: the bytes kept, invalid ones as surrogate escapes."""
    return raw.decode("utf-8", "surrogateescape")


def go_quote(text: str) -> str:
    """Go's ``%q`` (strconv.Quote) for the error messages godotenv prints."""
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an invalid byte kept by surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in '"\\':
            out.append("\\" + char)
        elif char in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t", "\v": "\\v"}[char])
        elif char == " " or (char.isprintable() and unicodedata.category(char)[0] != "Z"):
            out.append(char)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------- parsing


def expand_escapes(text: str) -> str:
    """parser.go ``expandEscapes``: ``\\n``/``\\r`` become line breaks, then ``\\X`` -> ``X`` unless X is ``$``."""

    def one(match: re.Match) -> str:
        char = match.group(0)[1:]
        return {"n": "\n", "r": "\r"}.get(char, match.group(0))

    return UNESCAPE_CHARS_RE.sub(r"\1", ESCAPE_RE.sub(one, text))


def expand_variables(text: str, seen: dict[str, str], used: list[str] | None = None) -> str:
    """parser.go ``expandVariables``: ``$VAR``/``${VAR}`` from the keys parsed so far.

    ``\\$`` stays a literal ``$``. Go's code tests ``submatch[2] == "("``,
    which is always ``$``, so ``$(VAR`` expands like ``$VAR``; ported as is.
    Each name expanded is appended to *used* when given.
    """

    def one(match: re.Match) -> str:
        whole, escaped, dollar, name = match.group(0), match.group(1), match.group(2), match.group(4)
        if escaped == "\\" or dollar == "(":
            return whole[1:]
        if name:
            if used is not None:
                used.append(name)
            return seen.get(name, "")
        return whole

    return EXPAND_VAR_RE.sub(one, text)


def _statement_start(src: bytes) -> bytes | None:
    """parser.go ``getStatementStart``: skip blank space and comment lines."""
    while True:
        pos = _index_func(src, lambda r: not go_is_space(r))
        if pos == -1:
            return None
        src = src[pos:]
        if src[:1] != b"#":
            return src
        pos = src.find(b"\n")
        if pos == -1:
            return None
        src = src[pos:]


def _locate_key_name(src: bytes) -> tuple[str, bytes]:
    """parser.go ``locateKeyName``: the key (``export`` dropped) and the rest after ``=``/``:``."""
    src = _trim_left_func(src, is_space)
    if src.startswith(b"export"):
        trimmed = src[len(b"export"):]
        if _index_func(trimmed, is_space) == 0:
            src = _trim_left_func(trimmed, is_space)
    key, offset = b"", 0
    for i, byte in enumerate(src):  # bytes, each taken as a rune, as Go's loop does
        rune = chr(byte)
        if is_space(rune):
            continue
        if rune in "=:":
            key, offset = src[:i], i + 1
            break
        if rune == "_" or rune == "." or rune.isalpha() or unicodedata.category(rune)[0] == "N":
            continue
        raise EnvFileError(f"unexpected character {go_quote(rune)} in variable name near "
                           f"{go_quote(_go_string(src))}")
    if not src:
        raise EnvFileError("zero length string")
    name = _go_string(key)
    while name and go_is_space(name[-1]):
        name = name[:-1]
    return name, _trim_left_func(src[offset:], is_space)


def _extract_var_value(src: bytes, seen: dict[str, str],
                       used: list[str] | None = None) -> tuple[str, bytes | None]:
    """parser.go ``extractVarValue``: one value and the rest of the file."""
    quote = src[:1] if src[:1] in (b'"', b"'") else b""
    if not quote:
        end_of_line = _index_func(src, _is_line_end)
        if end_of_line == -1:
            end_of_line = len(src)
            if end_of_line == 0:
                return "", None
        line = [rune for _, rune, _ in _runes(src[:end_of_line])]  # []rune(string(...))
        end_of_var = len(line)
        if end_of_var == 0:
            return "", src[end_of_line:]
        for i in range(end_of_var - 1, -1, -1):  # "value # comment": cut at the last one
            if line[i] == "#" and i > 0 and is_space(line[i - 1]):
                end_of_var = i
                break
        trimmed = "".join(line[:end_of_var])
        start, stop = 0, len(trimmed)
        while start < stop and is_space(trimmed[start]):
            start += 1
        while stop > start and is_space(trimmed[stop - 1]):
            stop -= 1
        return expand_variables(trimmed[start:stop], seen, used), src[end_of_line:]
    for i in range(1, len(src)):
        if src[i:i + 1] != quote or src[i - 1:i] == b"\\":
            continue
        is_quote = lambda r: r == quote.decode()  # noqa: E731 - Go's isCharFunc(quote)
        value = _go_string(_trim_left_func(_trim_right_func(src[:i], is_quote), is_quote))
        if quote == b'"':
            value = expand_variables(expand_escapes(value), seen, used)
        return value, src[i + 1:]
    end = src.find(b"\n")
    end = len(src) if end == -1 else end
    raise EnvFileError(f"unterminated quoted value {_go_string(src[:end])}")


def parse(text: str, expansions: dict[str, list[str]] | None = None) -> dict[str, str]:
    """parser.go ``parseBytes`` over a whole env file; raises :class:`EnvFileError`.

    Keys come back in file order (a later duplicate overwrites, as Go's map
    assignment does); values see only the keys parsed before them.
    *expansions*, when given, receives the variable names each key's value
    had expanded (a paste preview says so: ``$NAME`` of no earlier key
    becomes nothing).
    """
    src = text.encode("utf-8", "surrogateescape").replace(b"\r\n", b"\n")
    out: dict[str, str] = {}
    cutset: bytes | None = src
    while True:
        cutset = _statement_start(cutset)
        if cutset is None:
            return out
        key, rest = _locate_key_name(cutset)
        used: list[str] = []
        value, cutset = _extract_var_value(rest, out, used)
        out[key] = value
        if expansions is not None and used:
            expansions[key] = used
        if cutset is None:
            return out


# --------------------------------------------------------------------------- checking


def round_trip(key: str, value: str) -> tuple[str | None, str | None]:
    """Return ``(what a later read gives back, godotenv's error)`` for one stored value.

    Each line Marshal writes stands alone unless a value breaks its quote,
    so one key decides; ``None`` as the value means the file becomes
    unreadable and the error says how.
    """
    try:
        return parse(write_text({key: value})).get(key, ""), None
    except EnvFileError as exc:
        return None, str(exc)


def refusal(value: str) -> str | None:
    """Return why *value* cannot be stored byte-exact by Dokku (and what it would become), or None.

    The message names the cause, read from Marshal and extractVarValue, and
    shows what a later read would give, so a person can type that or
    something else instead.
    """
    readback, error = round_trip("K", value)
    if error is not None:
        return ("Dokku cannot store a value that ends in a backslash: godotenv writes it as \\\\ "
                "before the closing quote, which then no longer closes (\"unterminated quoted "
                "value\"), and every later config command and deploy of the app fails. "
                "Not sent.")
    if readback == value:
        return None
    if atoi(value) is not None:
        cause = "godotenv writes a value Go reads as a whole number as that number"
    elif value.endswith('"'):
        cause = ("godotenv's parser strips a value's last double quote together with the "
                 "closing one, leaving the backslash that escaped it")
    else:
        cause = "godotenv's Marshal and parser do not give it back unchanged"
    return f"Dokku would store {readback!r} instead ({cause}). Not sent."
