"""The assembler against pMARS 0.9.2: every corpus warrior, and a battery of small sources that
exercise each feature and each kind of error, with default and other settings. Each source must
give pMARS's listing (`pmars -r 0`, trailing blanks aside) or be rejected when pMARS rejects it."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from assembler_oracle import (describe_mismatch, normalised, our_outcome, pmars_file_outcome,
                              pmars_outcomes)
from corpora import HELDOUT_DIR, HILL_DIR

from arenas.corewar import instruction as ins
from arenas.corewar.assembler import RedcodeError, assemble_file, listing
from arenas.corewar.settings import Settings

pytestmark = pytest.mark.oracle


def _corpus_files() -> list[Path]:
    return sorted(p for d in (HELDOUT_DIR, HILL_DIR) if d.is_dir() for p in d.iterdir() if p.is_file())


CORPUS = _corpus_files()


@pytest.fixture(scope="session")
def corpus_verdicts(pmars, shared_warriors):
    """pMARS's outcome for every corpus file, computed once on a small thread pool."""
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(CORPUS, pool.map(lambda path: pmars_file_outcome(pmars, path), CORPUS)))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_warrior_assembles_as_in_pmars(path, corpus_verdicts):
    theirs = corpus_verdicts[path]
    try:
        ours = listing(assemble_file(path, Settings(warriors=1, rounds=0)))
    except RedcodeError as error:
        assert not theirs.accepted, f"pMARS accepts {path.name} but we reject it: {error}"
        return
    assert theirs.accepted, f"pMARS rejects {path.name} ({theirs.detail.strip()}) but we accept it"
    assert normalised(ours) == normalised(theirs.listing)


def test_corpus_verdicts_are_the_known_ones(corpus_verdicts):
    """The corpora's README: pMARS accepts all hill warriors and all held-out ones but stone.red."""
    if len(CORPUS) != 895 + 317:
        pytest.skip(f"corpora incomplete: {len(CORPUS)} files")
    rejected = sorted(p.name for p, outcome in corpus_verdicts.items() if not outcome.accepted)
    assert rejected == ["stone.red"]


# ---- the battery ------------------------------------------------------------------------------
# (id, source, pMARS options). Sources are bytes so that odd bytes and line ends are exact.
BATTERY: list[tuple[str, bytes, tuple[str, ...]]] = []


def case(name: str, source: str | bytes, *options: str):
    BATTERY.append((name, source.encode("latin-1") if isinstance(source, str) else source, options))


# Instructions, modes, modifiers and pMARS's default modifiers: every opcode with every pair
# of modes, without a modifier, one file per opcode (64 lines, so -l 64).
for _op in ins.OPCODES:
    case(f"defaults-{_op}", ";assert 1\n" + "".join(f" {_op} {a}1, {b}2\n" for a in ins.MODES for b in ins.MODES),
         "-l", "64", "-d", "64")
    case(f"one-operand-{_op}", f"{_op.lower()} 5\n")
    case(f"one-immediate-{_op}", f"{_op} #5\n")
    case(f"bare-{_op}", f"{_op}\n")
case("modifiers", "".join(f"mov.{m.lower()} 1, 2\nMOV.{m} #1, @2\n" for m in ins.MODIFIERS))
case("modifier-spacing", "mov . ab 1, 2\nmov .x 1,2\nmov. f 1,2\n")
case("bad-modifier", "mov.q 1, 2\n")
case("missing-modifier", "mov. 1, 2\n")
case("case-insensitive", "Mov.Ab #1, 2\nsPl.b 0\ndat.F 1, 2\n")
case("88-style", "MOV 0, 1\nDAT #0, #0\nSPL 0\nJMP -1\nADD #4, @-2\nDJN -1, <3\nCMP @0, <1\nSLT #1, 2\n")
case("88-style-dat-one", "DAT #5\nDAT <3\nDAT 7\n")

# Labels.
case("labels-basic", "start mov 0, 1\nloop add #4, start\n jmp loop\n")
case("labels-colons", "a: mov 0, b\nb: dat 1\nc:d: jmp c\n")
case("labels-colon-spaced", "b : dat 1\n")
case("labels-several", "a b c mov a, b\n d\n e dat c, e\n")
case("labels-alone", "top\n\n  dat 1\nend top\n")
case("labels-forward", "jmp later\ndat 1\nlater dat later, 0\n")
case("labels-underscore-digits", "_a1 dat _a1\nb_2_ jmp _a1\n")
case("labels-case", "Lbl dat 1\nlbl dat 2\njmp Lbl, lbl\n")
case("label-undefined", "jmp nowhere\n")
case("label-single-letter-is-register", "jmp q\ndat a, z\n")
case("label-redefined", "x dat 1\nx dat 2\nmov 0, x\n")
case("label-seven", "a b c d e f g dat 1\n")
case("label-eight", "a b c d e f g h dat 1\n")
case("label-discarded", "dat 1\nlast\n")
case("label-like-opcode", "mov: dat 1\n")
case("label-after-operands", "dat 1, 2 x\n")
case("label-on-org", "o org 1\ndat 0\ndat o\n")

# EQU.
case("equ-value", "n equ 5\nm equ n*2+1\ndat n, m\n")
case("equ-text", "src equ #3\n mov src, 1\n")
case("equ-instruction", "imp equ mov 0, 1\nimp\nimp\n")
case("equ-multiline", "pair equ mov 0, 1\n     equ dat 2, 3\npair\npair\n")
case("equ-multiline-in-operand", "pair equ mov 0, 1\n     equ dat 2, 3\ndat pair\n")
case("equ-multiline-value-first", "pair equ 1\n equ dat 2, 3\n dat pair\nmov 0, 1\n")
case("equ-forward", "dat fwd, fwd+1\nfwd equ 3\n")
case("equ-forward-expression", "dat fwd*2\nfwd equ 1+2\n")
case("equ-recursive", "a equ b\nb equ a\ndat a\n")
case("equ-self", "a equ a+1\ndat a\n")
case("equ-no-label", " equ 5\ndat 1\n")
case("equ-redefined", "n equ 1\nn equ 2\ndat n\n")
case("equ-predefined", "CORESIZE equ 10\ndat 1\n")
case("equ-empty", "e equ\ndat 1, e 2\n")
case("equ-label-inside", "lbl dat 0\nref equ lbl\n dat ref, ref\n dat ref\n")
case("equ-space-after", "n equ 1\ndat n 2\n")
case("equ-opcode-glued", "x equ mov.i\n x 0, 1\n")

# FOR / ROF.
case("for-basic", "for 3\ndat 1\nrof\n")
case("for-counter", "i for 3\ndat i, i*2\nrof\n")
case("for-concat", "i for 2\nlab&i dat i\nrof\njmp lab01, lab02\n")
case("for-concat-two", "i for 2\nj for 2\nx&i&j dat i, j\nrof\nrof\ndat x0102\n")
case("for-nested", "i for 2\nj for 3\ndat i, j\nrof\nrof\n")
case("for-zero", "for 0\ndat 1\nrof\ndat 2\n")
case("for-negative", "for -1\ndat 1\nrof\ndat 2\n")
case("for-zero-nested", "for 0\nfor 2\ndat 1\nrof\ndat 3\nrof\ndat 2\n")
case("for-unclosed", "dat 0\nfor 2\ndat 1\n")
case("for-unopened", "dat 0\nrof\n")
case("for-labels", "a b i for 2\ndat i\nrof\njmp a\n")
case("for-curline", "dat 1\nfor CURLINE+1\ndat CURLINE\nrof\n")
case("for-expression", "n equ 2\nfor n*2-1\ndat 0\nrof\n")
case("for-bad-count", "for 1/0\ndat 1\nrof\n")
case("for-65536", "for 65536\ndat 1\nrof\n")
case("for-65537", "for 65537\ndat 1\nrof\n")
case("for-counter-label-clash", "i dat 0\ni for 2\ndat 1\nrof\n")
case("for-equ-inside", "i for 2\nv&i equ i*10\nrof\ndat v01, v02\n")
case("for-concat-not-counter", "x dat 0\ny&x dat 1\n")
case("rof-in-operand", "dat rof\n")
case("for-in-operand", "dat for\n")

# Expressions.
case("expr-precedence", "dat 2-3*4+5, 1+2*3\ndat 7-2-1, 8/2/2\ndat 2*3-4, 10-4/2\ndat (2-3)*4, -(5)\n")
case("expr-comparisons", "dat 1<2, 2<1\ndat 3==3, 3!=3\ndat 2>=2, 2<=1\ndat 1>0>0, 0<1<2\n")
case("expr-logic", "dat 1&&0, 1||0\ndat !0, !5\ndat 0||0&&1, 1&&2||0\n")
case("expr-equality-quirk", ";assert 1+2*3==7\ndat 1+2*3==7\n")
case("expr-assert-equality-quirk", ";assert 1+2*3==7\ndat 0\n")
case("expr-unary", "dat -1, --1\ndat -(-3), +4\ndat !-1, - - 2\n")
case("expr-division", "dat 7/2, -7/2\ndat 7%3, -7%3\ndat 7%-3, 10/-3\n")
case("expr-div-zero", "dat 1/0\n")
case("expr-mod-zero", "dat 1%0\n")
case("expr-overflow-warning", "dat (9223372036854775807+1)%8000, 4611686018427387904*2%8000\n")
case("expr-big-number", "dat 9999999999999999999 % 8000\n")
case("expr-registers", "dat a=5, a+1\ndat (b=2)*b, b\n")
case("expr-w-s", "dat w, s\n")
case("expr-parens-deep", "dat " + "(" * 100 + "1" + ")" * 100 + "\n")
case("expr-unbalanced", "dat (1+2\n")
case("expr-extra-paren", "dat 1+2)\n")
case("expr-numbers-joined", "dat 1 2\n")
case("expr-lone-equal", ";assert CORESIZE = 8000\ndat 0\n")
case("expr-lone-and", ";assert 1 & 1\ndat 0\n")
case("expr-modes-in-expression", "dat 1 # 2\n")
case("expr-star-is-times", "dat 3*4, 2 * 5\n")
case("expr-predefined", "dat CORESIZE, MAXLENGTH\ndat MAXPROCESSES, MAXCYCLES\ndat MINDISTANCE, VERSION\n"
     "dat WARRIORS, ROUNDS\ndat PSPACESIZE, CURLINE\n")
case("expr-predefined-lowercase", "dat coresize\n")
case("expr-curline-label", "CURLINE dat 1\n")

# ORG, END, PIN and the start.
case("org-label", "dat 0\nstart mov 0, 1\norg start\n")
case("org-end", "org 1\ndat 0\ndat 1\nend 0\n")
case("end-label", "dat 0\ngo jmp 0\nend go\n")
case("org-and-end", "org 1\ndat 0\ndat 0\ndat 0\nend 2\n")
case("end-then-text", "dat 1\nend\nthis is not redcode ( , #\n")
case("org-outside", "org 5\ndat 1\n")
case("org-negative", "org -1\ndat 1\ndat 2\n")
case("org-expression", "org 2*2-3\ndat 1\ndat 2\n")
case("org-comma", "org 1, 2\ndat 0\n")
case("pin", "pin 7\ndat 0\n")
case("pin-negative", "pin -3\ndat 0\n")
case("no-instructions", ";name empty\n")
case("empty-source", "")

# Comments and directives.
case("name-author", ";redcode-94\n;name  Imp  \n;author A. K. Dewdney\n;strategy just an imp\nmov 0, 1\n")
case("name-empty", ";name\n;author\nmov 0, 1\n")
case("name-repeated", ";name one\n;name two\nmov 0, 1\n")
case("name-not-first-token", "; name spaced\n;named no\nmov 0, 1\n")
case("redcode-restarts", "dat 1\n;name Before\n;redcode\ndat 2\n")
case("redcode-twice", ";redcode\ndat 1\n;redcode\ndat 2\n")
case("redcode-spaced", "dat 1\n; redcode\ndat 2\n")
case("redcode-after-end", "dat 1\nend\n;redcode\ndat 2\n")
case("assert-true", ";assert CORESIZE == 8000\ndat 0\n")
case("assert-false", ";assert CORESIZE == 800\ndat 0\n")
case("assert-invalid", ";assert hello\ndat 0\n")
case("assert-comment", ";assert 1 ; yes\ndat 0\n")
case("assert-mid", "dat 0\n;assert 0\n")
case("assert-in-for", "i for 3\n;assert i < 3\ndat i\nrof\n")
case("assert-after-end", "dat 0\nend\n;assert 0\n")
case("comments-trailing", "mov 0, 1 ; copy\n; whole line\n  ; indented\n")

# Bytes, blanks and line structure.
case("tabs", "\tmov\t0,\t1\n\tdat\t#1\n")
case("crlf", b";name crlf\r\nmov 0, 1\r\ndat 1\r\n")
case("cr-alone", b"mov 0, 1\rdat 9\ndat 1\n")
case("nul-byte", b"mov 0, 1\x00dat 9\ndat 1\n")
case("high-bytes-in-comment", b";name caf\xc3\xa9\nmov 0, 1 ; \xff\xfe\n")
case("high-bytes-in-code", b"mov 0, \xe91\n")
case("no-final-newline", "mov 0, 1\ndat 1")
case("continuation", "mov 0,\\\n 1\ndat 1\n")
case("continuation-in-comment", "dat 5 ; note \\\ndat 6\ndat 7\n")
case("long-line", "dat " + "1+" * 150 + "1\n")
case("long-line-label", "mov " + "x" * 260 + " 0, 1\n")
case("long-comment", "dat 1 ;" + "c" * 400 + "\ndat 2\n")
case("glued-opcode-end", "dat.b#2\na: mov 0, 1\n")
case("glued-opcode", "mov.i#0,1\njmp.b@-1\n")
case("glued-equ", "x equ mov.i\nx\n dat 1\n")
case("vertical-blanks", b"mov\x0b0,\x0c1\n")
case("junk-token", "mov 0, 1 ?\n")
case("junk-line", "? dat 1\n")
case("number-first", "5 dat 1\n")

# Error classes.
case("unknown-opcode", "foo bar 1, 2\n")
case("missing-operand", "mov 0,\n")
case("missing-a-operand", "mov , 1\n")
case("mode-only", "mov #, 1\ndat $, 2\n")
case("mode-in-expression", "mov 1, 2#3\n")
case("two-commas", "mov 1, 2, 3\n")
case("double-mode", "mov ##1, 2\n")
case("opcode-in-operand", "mov dat, 1\n")
case("three-djn", "djn 1\n")
case("ampersand", "dat 1 & 2\n")
case("too-many-warnings", "".join(f"x{i} dat 0\nx{i} dat 1\n" for i in range(9)))
case("eight-warnings", "".join(f"x{i} dat 0\nx{i} dat 1\n" for i in range(8)))

# Settings.
case("coresize-800", "dat -1, 401\ndat CORESIZE, 1200\n", "-s", "800", "-l", "20", "-d", "20")
case("maxlength-limit", "for 6\ndat 0\nrof\n", "-l", "5", "-d", "5")
case("maxlength-ok", "for 5\ndat 0\nrof\n", "-l", "5", "-d", "5")
case("maxlength-default", "for 101\ndat 0\nrof\n")
case("constants-nondefault", "dat MAXPROCESSES, MAXCYCLES\ndat MINDISTANCE, PSPACESIZE\ndat ROUNDS, MAXLENGTH\n",
     "-p", "64", "-c", "1234", "-d", "300", "-S", "7", "-r", "0")
case("pspace-default-odd-core", "dat PSPACESIZE, CORESIZE\n", "-s", "8001")
case("assert-coresize-800", ";assert CORESIZE == 8000\ndat 0\n", "-s", "800")
case("mindistance-follows-maxlength", "dat MINDISTANCE, MAXLENGTH\n", "-l", "50")


@pytest.fixture(scope="module")
def battery_verdicts(pmars):
    return pmars_outcomes(pmars, [(source, options) for _, source, options in BATTERY])


@pytest.mark.parametrize("index", range(len(BATTERY)), ids=[name for name, _, _ in BATTERY])
def test_battery_source_assembles_as_in_pmars(index, battery_verdicts):
    _name, source, options = BATTERY[index]
    theirs, ours = battery_verdicts[index], our_outcome(source, options)
    assert ours.accepted == theirs.accepted and normalised(ours.listing) == normalised(theirs.listing), \
        describe_mismatch(source, theirs, ours)


def test_battery_exercises_both_verdicts(battery_verdicts):
    accepted = sum(outcome.accepted for outcome in battery_verdicts)
    assert 0.3 * len(BATTERY) < accepted < 0.95 * len(BATTERY)


def test_expressions_evaluate_as_in_pmars(pmars):
    """Our evaluator against pMARS's on random expressions, read back from a DAT's B field:
    the same value, or both reject (division by zero, ...)."""
    import random
    from arenas.corewar.asm_expr import OK, OVERFLOW, Evaluator
    rng = random.Random(2024)
    atoms = ["0", "1", "2", "3", "7", "12", "100", "7999", "(1-5)", "(-3)", "(2*3)"]
    operators = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]
    expressions = []
    for _ in range(300):
        parts = [rng.choice(atoms)]
        for _ in range(rng.randint(1, 4)):
            parts += [rng.choice(operators), rng.choice(["", "-", "!"]) + rng.choice(atoms)]
        expressions.append(rng.choice(["", " "]).join(parts))
    verdicts = pmars_outcomes(pmars, [(f"dat 0, {e}\n".encode(), ()) for e in expressions])
    for expression, theirs in zip(expressions, verdicts):
        status, value = Evaluator().evaluate(expression.replace(" ", ""))
        assert (status in (OK, OVERFLOW)) == theirs.accepted, expression
        if theirs.accepted:
            b_field = int(theirs.listing.splitlines()[3].rsplit("$", 1)[1])
            assert ins.signed(value, 8000) == b_field, expression
