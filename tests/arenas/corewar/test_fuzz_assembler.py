"""Robustness of the assembler on arbitrary input: random bytes, token soup and mutated real
warriors give a Warrior or a RedcodeError, never another exception, and in bounded time
(hypothesis deadlines guard against hangs; they are not speed assertions). With pMARS present,
a seeded sample of generated sources is also checked against pMARS's verdicts and listings."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from assembler_oracle import describe_mismatch, normalised, our_outcome, pmars_outcomes
from corpora import HILL_DIR

from arenas.corewar.assembler import RedcodeError, assemble
from arenas.corewar.settings import Settings
from arenas.corewar.warrior import Warrior

HANG_GUARD = settings(deadline=5000, max_examples=300,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["mov", "dat", "spl", "jmp", "djn", "add", "seq", "ldp", "nop", "org", "end", "pin",
         "equ", "for", "rof", "EQU", "FOR", "ROF", ".i", ".ab", ".f", "a", "b", "i", "x", "lbl",
         "CURLINE", "CORESIZE", "MAXLENGTH", "0", "1", "-1", "3", "65535", "8000", "99999999999"]
PUNCTUATION = list("#$@<>*{},.;:&|!=()+-/%\\\t \n\r\x00\x80\xff") + ["&&", "||", "==", ";assert",
                                                                    ";redcode", ";name"]


def check(source: str, settings_: Settings = Settings()):
    """The only two outcomes allowed."""
    try:
        warrior = assemble(source, settings_)
    except RedcodeError as error:
        assert error.errors and all(len(e) == 3 for e in error.errors)
        assert str(error)
        return None
    assert isinstance(warrior, Warrior)
    assert warrior.code.shape == (warrior.length, 6)
    assert ((warrior.code[:, 3] >= 0) & (warrior.code[:, 3] < settings_.coresize)).all()
    assert ((warrior.code[:, 5] >= 0) & (warrior.code[:, 5] < settings_.coresize)).all()
    return warrior


@HANG_GUARD
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check(data.decode("latin-1"))


@HANG_GUARD
@given(st.text(max_size=500))
def test_random_text(text):
    check(text)


@HANG_GUARD
@given(st.lists(st.sampled_from(WORDS + PUNCTUATION + [" ", " ", "\n", "\n"]), max_size=300))
def test_token_soup(tokens):
    check(" ".join(tokens))
    check("".join(tokens))


def _hill_sources() -> list[str]:
    return [p.read_text("latin-1") for p in sorted(HILL_DIR.glob("*.red"))[:200]] if HILL_DIR.is_dir() else []


HILL_SOURCES = _hill_sources()


@pytest.mark.skipif(not HILL_SOURCES, reason=f"hill warriors not found at {HILL_DIR}")
@HANG_GUARD
@given(st.data())
def test_mutated_real_warriors(data):
    source = data.draw(st.sampled_from(HILL_SOURCES))
    for _ in range(data.draw(st.integers(1, 6))):
        if not source:
            break
        at = data.draw(st.integers(0, len(source) - 1))
        kind = data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        piece = data.draw(st.sampled_from(WORDS + PUNCTUATION))
        if kind == "delete":
            source = source[:at] + source[at + data.draw(st.integers(1, 40)):]
        elif kind == "insert":
            source = source[:at] + piece + source[at:]
        elif kind == "replace":
            source = source[:at] + piece + source[at + 1:]
        else:
            end = min(len(source), at + data.draw(st.integers(1, 400)))
            source = source[:end] + source[at:end] + source[end:]
    check(source)


@settings(deadline=5000, max_examples=25)
@given(st.integers(1, 70000), st.sampled_from(["", "dat 0", "x equ 1", ";assert 1", "i for 2\nrof"]))
def test_for_blocks_of_any_count_are_bounded(count, body):
    check(f"for {count}\n{body}\nrof\n")


# ---- explicit limits -----------------------------------------------------------------------
def _rejected(source: str, settings_: Settings = Settings()) -> RedcodeError:
    with pytest.raises(RedcodeError) as caught:
        assemble(source, settings_)
    return caught.value


def test_endless_for_is_an_error():
    # pMARS counts repetitions in 16 bits: FOR 65535 never ends there.
    assert "too large" in str(_rejected("for 65535\nrof\ndat 0\n"))


def test_huge_for_of_instructions_is_too_long():
    assert "Too many instructions" in str(_rejected("for 60000\ndat 0\nrof\n"))


def test_exponential_equ_expansion_is_an_error():
    chain = "e0 equ\n" + "".join(f"e{i} equ e{i - 1} e{i - 1} e{i - 1}\n" for i in range(1, 30))
    _rejected(chain + "dat e29\n")


def test_exponential_forward_equ_expansion_is_an_error():
    # The same, met in the encoding pass (names used before their EQU).
    chain = "e0 equ\n" + "".join(f"e{i} equ e{i - 1} e{i - 1} e{i - 1}\n" for i in range(1, 30))
    assert "too large" in str(_rejected("dat e29\n" + chain))


def test_recursive_equ_is_an_error():
    assert "Recursive" in str(_rejected("a equ b+1\nb equ a+1\ndat a\n"))


def test_deep_equ_chain_fails_cleanly_or_assembles():
    chain = "e0 equ 1\n" + "".join(f"e{i} equ e{i - 1}\n" for i in range(1, 2000)) + "dat e1999\n"
    check(chain)


def test_deep_parentheses():
    assert check("dat " + "(" * 120 + "7" + ")" * 120 + "\n").code[0, 5] == 7


# ---- against pMARS -----------------------------------------------------------------------------
def _generated_source(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(1, 10)):
        k = rng.random()
        operand = lambda: rng.choice(["", "#", "$", "@", "<", ">", "*", "{", "}"]) + rng.choice(
            ["0", "1", "-2", "lbl", "x", "i*2", "CURLINE", "CORESIZE/2", "(3+4)*2", "n", "7 == 7"])
        label = rng.choice(["", "", "lbl ", "x: ", "a b "])
        if k < 0.45:
            op = rng.choice(["mov", "dat", "spl", "jmp", "add", "djn", "seq", "nop", "mul.x", "mov.i"])
            lines.append(f"{label}{op} {operand()}" + (f", {operand()}" if rng.random() < 0.7 else ""))
        elif k < 0.55:
            lines.append(f"{label}for {rng.choice(['0', '1', '2', '3', '-1', 'n'])}")
        elif k < 0.62:
            lines.append("rof")
        elif k < 0.72:
            lines.append(f"{rng.choice(['n', 'm', 'x'])} equ {operand()}")
        elif k < 0.8:
            lines.append(rng.choice([";assert 1", ";assert CORESIZE == 8000", ";assert 0", ";redcode",
                                     ";name fuzz", "org lbl", "end", "pin 3"]))
        else:
            lines.append(rng.choice(["i for 2", "lbl&i dat i", "x equ mov 0, 1", "x", "m", "dat.f",
                                     "jmp.b@0", "\tdat\t1", "dat 1 ; \\", "\x80", "a\rb"]))
    return ("\n".join(lines) + rng.choice(["\n", "", "\r\n"])).encode("latin-1")


@pytest.mark.oracle
def test_generated_sources_as_in_pmars(pmars):
    rng = random.Random(20240611)
    sources = [_generated_source(rng) for _ in range(300)]
    sources = [s for s in sources if not s.rstrip(b"\r\n").endswith(b"\\")]   # pMARS waits forever
    verdicts = pmars_outcomes(pmars, [(s, ()) for s in sources])
    mismatches = []
    for source, theirs in zip(sources, verdicts):
        ours = our_outcome(source)
        if ours.accepted != theirs.accepted or normalised(ours.listing) != normalised(theirs.listing):
            mismatches.append(describe_mismatch(source, theirs, ours))
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n{mismatches[0]}"
    assert 0 < sum(v.accepted for v in verdicts) < len(verdicts)
