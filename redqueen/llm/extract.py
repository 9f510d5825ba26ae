"""Pull the program out of a language model's answer, whatever shape the answer has."""
from __future__ import annotations

import re

# An opening fence with an optional language tag, then the body up to a closing fence or the end
# of the text (answers cut off by a token limit leave the last fence open).
_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language tag, body) of each fenced block, in order."""
    return [(tag.lower(), body) for tag, body in _FENCE.findall(text or "")]


def extract_code(text: str | None, language: str) -> str | None:
    """The program in an answer: the last block tagged `language`, else the last fenced block,
    else the whole answer when it has no fence at all (the parser then judges it). None when
    there is nothing but whitespace."""
    if not text or not text.strip():
        return None
    blocks = code_blocks(text)
    if blocks:
        tagged = [body for tag, body in blocks if tag == language.lower()]
        chosen = (tagged or [body for _, body in blocks])[-1]
        return chosen.strip("\n") + "\n" if chosen.strip() else None
    return text.strip() + "\n"
