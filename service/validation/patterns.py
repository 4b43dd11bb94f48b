"""Which pattern constraints DuckDB's RE2 can judge exactly as Python's ``re`` does.

frictionless checks a ``pattern`` constraint with ``re.compile("^" + pattern +
"$").match(cell)``. ``re2_form(pattern, ascii_cells=...)`` parses that very
string with Python's own parser (``re._parser``) and, when every node of the
tree is on a whitelist whose meaning is the same in both engines, writes the
pattern anew in RE2 syntax; otherwise it returns None and the caller keeps the
Python path (``sqlchecks.py_pattern``). Writing the tree out, rather than
passing the text on, leaves no room for the places where the two syntaxes read
the same text differently (``x{,3}``, ``\\Z``, escapes, ``$``).

Allowed: literals (any code point but surrogates), ``.``, classes of literals
and ranges, negated classes, alternation, groups without flags, greedy and lazy
repetition (counts up to RE2's 1000); ``\\d``, ``\\s``, ``\\w`` and their
negations only when every cell is printable ASCII (``ascii_cells``: Python's
classes are Unicode, RE2's are ASCII). Refused (Python path): backreferences,
lookaround, conditionals, possessive and atomic forms, anchors and word
boundaries inside the pattern, any inline or global flag, and patterns Python
itself cannot compile. A top-level ``|`` is kept as frictionless reads it:
``^a|b$`` is "starts with a, or is b". A yes/no full match over a regular language is the same question for a
backtracking and an automaton engine, so the rest means the same.

Python's ``$`` also matches before one final newline: the RE2 form is
``(?:Q)\\n?`` under ``regexp_full_match``.
"""

from __future__ import annotations

import functools
import re

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as parser

RE2_MAX_REPEAT = 1000
MAX_FORM = 2000   # longer RE2 forms stay on the Python path (RE2's program size is bounded)
# Python's own \d, \s, \w (Unicode): asked only of ASCII characters, where RE2 would agree too
ASCII_CATEGORY = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}


class Refused(Exception):
    """A node whose meaning may differ in RE2."""


@functools.lru_cache(maxsize=1024)
def re2_form(pattern: str, *, ascii_cells: bool) -> str | None:
    """The RE2 pattern ``Q`` such that ``regexp_full_match(cell, Q)`` is frictionless' verdict
    on ``cell``, or None when the pattern must stay with Python's ``re``."""
    try:
        tree = parser.parse(f"^{pattern}$")
        if tree.state.flags & ~C.SRE_FLAG_UNICODE:
            return None
        form = _top(list(tree), ascii_cells)
        if form is None:
            return None
    except (re.error, Refused, RecursionError, OverflowError):
        return None
    return form if len(form) <= MAX_FORM else None


def _top(nodes, ascii_cells: bool) -> str | None:
    """``^P$`` is ``[^, P..., $]``; with a top-level ``|`` it is ``^A|M|L$``: A and M match a prefix
    of the cell (``match`` anchors every branch at the start), L the cell with or without a final
    newline."""
    begin, end = (C.AT, C.AT_BEGINNING), (C.AT, C.AT_END)
    if len(nodes) >= 2 and nodes[0] == begin and nodes[-1] == end:
        return "(?:" + _sequence(nodes[1:-1], ascii_cells) + ")\\n?"
    if len(nodes) == 1 and nodes[0][0] is C.BRANCH:
        branches = [list(seq) for seq in nodes[0][1][1]]
        first, last = branches[0], branches[-1]
        if first[:1] != [begin] or last[-1:] != [end]:
            return None
        heads = [first[1:]] + branches[1:-1]
        parts = ["(?:" + _sequence(seq, ascii_cells) + ")(?s:.*)" for seq in heads]
        parts.append("(?:" + _sequence(last[:-1], ascii_cells) + ")\\n?")
        return "(?:" + "|".join(parts) + ")"
    return None


def _sequence(nodes, ascii_cells: bool) -> str:
    return "".join(_node(op, arg, ascii_cells) for op, arg in nodes)


def _node(op, arg, ascii_cells: bool) -> str:
    if op is C.LITERAL:
        return _char(arg)
    if op is C.NOT_LITERAL:
        return "[^" + _char(arg) + "]"
    if op is C.ANY:
        return "[^\\n]"
    if op is C.IN:
        return _class(arg, ascii_cells)
    if op is C.BRANCH:
        return "(?:" + "|".join(_sequence(seq, ascii_cells) for seq in arg[1]) + ")"
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = arg
        if add_flags or del_flags:
            raise Refused("flags")
        return "(?:" + _sequence(sub, ascii_cells) + ")"
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, high, sub = arg
        if low > RE2_MAX_REPEAT or (high is not C.MAXREPEAT and high > RE2_MAX_REPEAT):
            raise Refused("repeat count")
        count = f"{{{low},}}" if high is C.MAXREPEAT else f"{{{low},{high}}}"
        return "(?:" + _sequence(sub, ascii_cells) + ")" + count
    if op is C.CATEGORY:
        return _class([(op, arg)], ascii_cells)
    raise Refused(str(op))


def _char(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        raise Refused("surrogate")
    if chr(code).isascii() and chr(code).isalnum():
        return chr(code)
    return f"\\x{{{code:X}}}"


def _class(items, ascii_cells: bool) -> str:
    if any(op is C.CATEGORY for op, _ in items):
        return _ascii_class(items, ascii_cells)
    negate, parts = False, []
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            parts.append(_char(arg))
        elif op is C.RANGE:
            parts.append(_char(arg[0]) + "-" + _char(arg[1]))
        else:
            raise Refused(str(op))
    return ("[^" if negate else "[") + "".join(parts) + "]"


def _ascii_class(items, ascii_cells: bool) -> str:
    """A class holding ``\\d``, ``\\s`` or ``\\w``, written out as the ASCII characters Python's class
    takes (only when every cell is printable ASCII: over other characters the classes differ)."""
    if not ascii_cells:
        raise Refused("Unicode category")
    negate, tests = False, []
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            tests.append(lambda ch, code=arg: ord(ch) == code)
        elif op is C.RANGE:
            tests.append(lambda ch, low=arg[0], high=arg[1]: low <= ord(ch) <= high)
        elif op is C.CATEGORY and arg in ASCII_CATEGORY:
            tests.append(lambda ch, rx=re.compile(ASCII_CATEGORY[arg]): rx.fullmatch(ch) is not None)
        else:
            raise Refused(str(op))
    members = [ch for ch in map(chr, range(128)) if any(test(ch) for test in tests) != negate]
    if not members:
        raise Refused("empty class")
    return "[" + "".join(_char(ord(ch)) for ch in members) + "]"
