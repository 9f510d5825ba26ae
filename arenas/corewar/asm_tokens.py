"""Redcode tokens, split the way pMARS 0.9.2 splits them (token.c).

Source text is handled as Latin-1 strings: one character per byte, so that line-length limits
and character classes count bytes exactly as pMARS's C code does. Character classes are those of
the C locale: only ASCII letters, digits and the six ASCII blanks count; every byte >= 0x80 is an
unrecognised single-character token.

A token is a run of digits, an identifier (letter or '_' followed by letters, digits, '_'), or one
punctuation character; '&&' and '||' are two-character operators.
"""
from __future__ import annotations

import re

# Token kinds, after pMARS's token classes.
NONE, ADDRESS, COMMA, COMMENT, DOT, OPERATOR, WORD, NUMBER, AMPERSAND, OTHER = range(10)

SPACES = " \t\n\v\f\r"          # C isspace() in the C locale
MODE_SYMBOLS = "#$@<>*{}"        # addressing modes, in encoding order
OPERATOR_SYMBOLS = "()/+-%!="   # expression characters that are not also mode symbols

_TOKEN = re.compile(r"[ \t\n\v\f\r]*(?:([0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||[^ \t\n\v\f\r]))?")

_SINGLE = {c: OPERATOR for c in OPERATOR_SYMBOLS}
_SINGLE.update({c: ADDRESS for c in MODE_SYMBOLS})
_SINGLE.update({"&&": OPERATOR, "||": OPERATOR, "&": AMPERSAND, ";": COMMENT, ",": COMMA, ".": DOT})


_KIND_OF_GROUP = (None, NUMBER, WORD, None)


def next_token(text: str, pos: int) -> tuple[int, str, int]:
    """(kind, token, position after it) of the token at or after `pos` (blanks skipped)."""
    match = _TOKEN.match(text, pos)
    group = match.lastindex
    if group is None:
        return NONE, "", match.end()
    token = match.group(group)
    return _KIND_OF_GROUP[group] or _SINGLE.get(token, OTHER), token, match.end()


_SCAN = re.compile(r"([ \t\n\v\f\r]*)(?:([0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||[^ \t\n\v\f\r]))")
_TOKENS_CACHE: dict[str, list] = {}
_CACHE_LIMIT = 20_000


def tokenize(text: str) -> list[tuple[int, str, int, int]]:
    """Every token of `text` as (kind, token, start, end), as repeated next_token calls from
    the start would give them. Scanning resumes only at token boundaries or blanks, so these
    are also the tokens from any such position. Cached: FOR bodies and EQU texts recur."""
    tokens = _TOKENS_CACHE.get(text)
    if tokens is None:
        tokens, pos = [], 0
        for blanks, number, word, single in _SCAN.findall(text):
            start = pos + len(blanks)
            if number:
                kind, token = NUMBER, number
            elif word:
                kind, token = WORD, word
            else:
                kind, token = _SINGLE.get(single, OTHER), single
            pos = start + len(token)
            tokens.append((kind, token, start, pos))
        if len(_TOKENS_CACHE) >= _CACHE_LIMIT:
            _TOKENS_CACHE.clear()
        _TOKENS_CACHE[text] = tokens
    return tokens


def first_token_at(tokens: list[tuple[int, str, int, int]], pos: int) -> int:
    """Index of the first token that starts at or after `pos`."""
    index = 0
    while index < len(tokens) and tokens[index][2] < pos:
        index += 1
    return index


def is_space_at(text: str, pos: int) -> bool:
    """C's isspace(text[pos]), with the end of the string reading as NUL."""
    return pos < len(text) and text[pos] in SPACES


def is_alpha_at(text: str, pos: int) -> bool:
    """C's isalpha(text[pos]) in the C locale."""
    return pos < len(text) and ("a" <= text[pos] <= "z" or "A" <= text[pos] <= "Z")
