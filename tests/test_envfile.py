"""The godotenv model against values worked out by hand from the Go source.

Each row: the value a user types, the line godotenv v1.5.1 ``Marshal`` writes
(``doubleQuoteEscape`` replaces ``\\ \\n \\r " ! $ ` `` in that order;
``strconv.Atoi`` values are written bare with ``%d``), and what
``extractVarValue`` reads back. The expected columns were derived by walking
parser.go by hand (noted per row), not by running the model, so a wrong port
fails here. No Go toolchain is installed on this machine to run real godotenv.
"""

import pytest

from docklight.dokku import envfile

BROKEN = None  # the file no longer parses

# value, stored line, read back, why (walk of parser.go)
TABLE = [
    ("plain", 'K="plain"', "plain", "quoted, nothing to unescape"),
    ("", 'K=""', "", "Atoi('') fails; the first closing quote follows the opening one"),
    ("007", "K=7", "7", "Atoi accepts leading zeros; %d drops them"),
    ("+5", "K=5", "5", "Atoi accepts a plus sign"),
    ("-0", "K=0", "0", "-0 is 0 for %d"),
    ("-007", "K=-7", "-7", "sign kept, zeros dropped"),
    ("-12", "K=-12", "-12", "a negative integer round-trips"),
    ("9223372036854775808", 'K="9223372036854775808"', "9223372036854775808",
     "above int64: Atoi fails, so it is quoted and kept"),
    ("1_000", 'K="1_000"', "1_000", "underscores need base 0; Atoi refuses them"),
    (" 5", 'K=" 5"', " 5", "Atoi refuses spaces"),
    ("\u0663", 'K="\u0663"', "\u0663", "Atoi takes ASCII digits only"),
    ('say "hi"', 'K="say \\"hi\\""', 'say "hi\\',
     'the terminator is the last quote; TrimRightFunc then also strips the escaped one, '
     'leaving a lone backslash'),
    ('"', 'K="\\""', "\\", "same: the value's own quote is trimmed with the closing one"),
    ('a"b', 'K="a\\"b"', 'a"b', "an inner escaped quote is skipped and unescaped"),
    ("abc\\", 'K="abc\\\\"', BROKEN,
     "the closing quote follows a backslash, so it is skipped: no terminator"),
    ("it's'", 'K="it\'s\'"', "it's'", "single quotes are not special inside double quotes"),
    ("cost$", 'K="cost\\$"', "cost$", "\\$ survives expandEscapes; expandVariables drops the backslash"),
    ("$HOME", 'K="\\$HOME"', "$HOME", "escaped, so not expanded"),
    ("${HOME}/x", 'K="\\${HOME}/x"', "${HOME}/x", "escaped braces form, not expanded"),
    ("$(HOME)", 'K="\\$(HOME)"', "$(HOME)", "escaped, so not expanded"),
    ("a\\$b", 'K="a\\\\\\$b"', "a\\$b", "\\\\ unescapes to \\; \\$ keeps its $"),
    ("wow!", 'K="wow\\!"', "wow!", "\\! unescapes to !"),
    ("`id`", 'K="\\`id\\`"', "`id`", "backticks are escaped and unescaped"),
    ("a\\nb", 'K="a\\\\nb"', "a\\nb", "backslash-n typed as two characters: \\\\ pairs first"),
    ("a\nb", 'K="a\\nb"', "a\nb", "a real newline is written as \\n and read back"),
    ("a\r\nb", 'K="a\\r\\nb"', "a\r\nb", "CR and LF are both escaped, so the file has no CRLF"),
    ("x # not a comment", 'K="x # not a comment"', "x # not a comment",
     "comments are cut only from unquoted values"),
    ("  padded  ", 'K="  padded  "', "  padded  ", "quoted values keep their spaces"),
    ("h\u00e9llo \u2603 \u00a0", 'K="h\u00e9llo \u2603 \u00a0"', "h\u00e9llo \u2603 \u00a0",
     "unicode, and NBSP (a godotenv space) inside quotes"),
    ("tab\there", 'K="tab\there"', "tab\there", "tabs are not escaped and survive"),
]


@pytest.mark.parametrize("value, stored, back, why", TABLE, ids=[repr(r[0]) for r in TABLE])
def test_marshal_and_read_back_follow_godotenv(value, stored, back, why):
    assert envfile.marshal({"K": value}) == stored, why
    readback, error = envfile.round_trip("K", value)
    if back is BROKEN:
        assert readback is None and error.startswith("unterminated quoted value"), why
    else:
        assert (readback, error) == (back, None), why


def test_marshal_sorts_whole_lines_not_keys():
    # sort.Strings(lines): "A=" (0x3d) sorts before "A_" (0x5f), and "B=1" before 'B_X="..."'.
    assert envfile.marshal({"A_B": "x", "A": "y", "B": "1"}) == 'A="y"\nA_B="x"\nB=1'
    assert envfile.write_text({}) == "\n"


def test_a_trailing_backslash_swallows_the_next_line_and_breaks_the_file():
    # The open quote runs on to B's opening quote; what follows, x", is read as a key name.
    text = envfile.write_text({"A": "abc\\", "B": "x"})
    assert text == 'A="abc\\\\"\nB="x"\n'
    with pytest.raises(envfile.EnvFileError) as exc:
        envfile.parse(text)
    assert str(exc.value) == 'unexpected character "\\"" in variable name near "x\\"\\n"'


def test_a_trailing_backslash_on_the_last_line_is_unterminated():
    with pytest.raises(envfile.EnvFileError) as exc:
        envfile.parse(envfile.write_text({"A": "1", "Z": "end\\"}))
    assert str(exc.value) == 'unterminated quoted value "end\\\\"'


@pytest.mark.parametrize("text, expected", [
    ("export A=1\n", {"A": "1"}),
    ("A=1\r\nB=two\r\n", {"A": "1", "B": "two"}),
    ("# comment\n\nA='single $A'\n", {"A": "single $A"}),
    ("A=x # comment\nB=y#z\n", {"A": "x", "B": "y#z"}),
    ('A=1\nB="$A and ${A}"\nC=$A\n', {"A": "1", "B": "1 and 1", "C": "1"}),
    ('A="line\\nnext"\n', {"A": "line\nnext"}),
    ("A: yaml\n", {"A": "yaml"}),
    ("A=\n", {"A": ""}),
    ("exportA=1\n", {"exportA": "1"}),
])
def test_parser_reads_files_people_write(text, expected):
    # Files not written by Marshal (a pasted .env): unquoted values, expansion, comments.
    assert envfile.parse(text) == expected


@pytest.mark.parametrize("text, message", [
    ("A B=1\n", None),
    ("A-B=1\n", 'unexpected character "-" in variable name near "A-B=1\\n"'),
    ('A="open\n', 'unterminated quoted value "open'),
])
def test_parser_errors_are_godotenv_messages(text, message):
    if message is None:
        # isSpace inside a key name is skipped, the key keeps the space (Go quirk)
        assert envfile.parse(text) == {"A B": "1"}
        return
    with pytest.raises(envfile.EnvFileError) as exc:
        envfile.parse(text)
    assert str(exc.value) == message
