"""The AST whitelist: what a policy may be, and the one-line reasons for what it may not."""
from pathlib import Path

import numpy as np
import pytest

from arenas.ipd import family as ipd_family
from arenas.ipd.arena import IPDArena
from arenas.policy import validate as v
from arenas.tron import family as tron_family
from arenas.tron.arena import TronArena
from policy_helpers import ipd_source
from redqueen.arena import ProgramError

IPD = IPDArena.signature
TRON = TronArena.signature
REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted((REPO / "arenas" / "ipd" / "programs").glob("*.py"))
SHIPPED_TRON = sorted((REPO / "arenas" / "tron").glob("*/*.py"))


def rejected(source: str, signature=IPD) -> ProgramError:
    with pytest.raises(ProgramError) as caught:
        v.validate(source, signature, origin="p.py")
    return caught.value


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_ipd_policies_pass(path):
    assert v.validate(path.read_text(), IPD).digest


@pytest.mark.parametrize("path", SHIPPED_TRON, ids=lambda p: p.stem)
def test_shipped_tron_policies_pass(path):
    assert v.validate(path.read_text(), TRON).digest


def test_family_programs_pass():
    rng = np.random.default_rng(7)
    for _ in range(20):
        v.validate(ipd_family.FAMILY.source(ipd_family.FAMILY.random(rng)), IPD)
        v.validate(tron_family.FAMILY.source(tron_family.FAMILY.random(rng)), TRON)


def test_numpy_import_is_tolerated_and_blanked_keeping_line_numbers():
    source = "import numpy as np\n\n" + ipd_source("return 0")
    valid = v.validate(source, IPD)
    assert "import" not in valid.code
    assert valid.code.splitlines()[2].startswith("def policy")


def test_digest_ignores_comments_docstrings_and_layout_but_not_code():
    plain = ipd_source("return 1 if turn > 3 else 0")
    commented = '"""Module doc."""\n# a comment\n' + ipd_source('"""Doc."""\n# why\nreturn 1 if turn > 3 else 0')
    other = ipd_source("return 1 if turn > 4 else 0")
    assert v.validate(plain, IPD).digest == v.validate(commented, IPD).digest
    assert v.validate(plain, IPD).digest != v.validate(other, IPD).digest


ATTACKS = {
    # escaping through builtins, introspection and format strings
    "getattr": ("return getattr(my_moves, 'base')", "name 'getattr' is not allowed"),
    "builtins": ("x = __builtins__\nreturn 0", "dunder name '__builtins__'"),
    "dunder attribute": ("return my_moves.__class__", "attribute '__class__' is not allowed"),
    "format string": ("return '{0.__class__}'.format(my_moves)", "not allowed"),
    "f-string": ("x = f'{my_moves}'\nreturn 0", "f-strings are not allowed"),
    "type": ("return type(my_moves)", "name 'type' is not allowed"),
    "eval": ("return eval('1')", "name 'eval' is not allowed"),
    "exec": ("exec('import os')\nreturn 0", "name 'exec' is not allowed"),
    "globals": ("return globals()", "name 'globals' is not allowed"),
    "import inside": ("import os\nreturn 0", "imports are not allowed"),
    "dunder import": ("return __import__('os')", "'__import__' is not allowed"),
    # reading the opponent's code or anything else outside the game
    "open": ("return len(open('/proc/self/cmdline').read())", "name 'open' is not allowed"),
    "code object": ("return len(policy.__code__.co_code)", "not allowed"),
    "array internals": ("return their_moves.ctypes.data", "attribute 'ctypes' is not allowed"),
    "array base": ("return their_moves.base[0]", "attribute 'base' is not allowed"),
    # monkeypatching helpers and changing the dynamics
    "patch numpy": ("np.sum = len\nreturn 0", "assigning to attribute 'sum' is not allowed"),
    "rebind np": ("np = 0\nreturn 0", "cannot assign to 'np'"),
    "rebind builtin": ("len = 3\nreturn 0", "cannot assign to 'len'"),
    "reseed": ("np.random.seed(0)\nreturn 0", "np.random.seed is not allowed"),
    "numpy outside list": ("np.save('x', my_moves)\nreturn 0", "np.save is not in the allowed"),
    "print": ("print(turn)\nreturn 0", "name 'print' is not allowed"),
    # structure
    "recursion": ("return policy(my_moves, their_moves, turn - 1)", "recursion is not allowed"),
    "nested function": ("def helper():\n    return 1\nreturn helper()", "nested functions are not allowed"),
    "lambda": ("f = lambda: 1\nreturn 0", "lambdas are not allowed"),
    "class": ("class A:\n    pass\nreturn 0", "classes are not allowed"),
    "try": ("try:\n    x = 1\nexcept Exception:\n    x = 2\nreturn x", "'try' is not allowed"),
    "with": ("with open('f') as f:\n    pass\nreturn 0", "'with' is not allowed"),
    "raise": ("raise ValueError\nreturn 0", "'raise' is not allowed"),
    "global": ("global state\nreturn 0", "'global' is not allowed"),
    "dict": ("d = {1: 2}\nreturn 0", "dicts are not allowed"),
    "string": ("s = 'text'\nreturn 0", "str constants are not allowed"),
    "huge literal": ("return 99999999999999999999999", "does not fit in 64 bits"),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_attacks_are_rejected_with_a_line_and_a_reason(name):
    body, reason = ATTACKS[name]
    error = rejected(ipd_source(body))
    assert reason in error.reason
    assert error.line is not None and error.line >= 2
    assert "\n" not in str(error) and str(error).startswith(f"p.py:{error.line}: ")


@pytest.mark.parametrize("source, reason", [
    ("def policy(a, b, c):\n    return 0\n", "signature must be exactly"),
    ("def policy(my_moves, their_moves, turn, extra=__import__('os')):\n    return 0\n", "signature"),
    ("def policy(my_moves, their_moves, turn=open('/etc/passwd')):\n    return 0\n", "signature"),
    ("@staticmethod\ndef policy(my_moves, their_moves, turn):\n    return 0\n", "decorators"),
    ("def policy(my_moves: int, their_moves, turn):\n    return 0\n", "annotations"),
    ("x = open('/etc/passwd')\n" + ipd_source("return 0"), "only one function"),
    (ipd_source("return 0") + ipd_source("return 1"), "exactly one function"),
    ("def strategy(my_moves, their_moves, turn):\n    return 0\n", "exactly one function"),
    ("import os\n" + ipd_source("return 0"), "imports are not allowed"),
    ("def policy(my_moves, their_moves, turn)\n    return 0\n", "syntax error"),
    ("", "exactly one function"),
])
def test_module_structure_is_checked(source, reason):
    assert reason in rejected(source).reason


def test_default_arguments_are_never_evaluated(tmp_path):
    """A default would run at definition time; the whitelist refuses it before anything executes."""
    marker = tmp_path / "ran"
    source = f"def policy(my_moves, their_moves, turn=open({str(marker)!r}, 'w')):\n    return 0\n"
    rejected(source)
    assert not marker.exists()


def test_size_limits():
    too_long = ipd_source("return 0") + "#" * v.MAX_SOURCE_CHARS
    assert "characters" in rejected(too_long).reason
    many_nodes = ipd_source("x = " + " + ".join(["turn"] * (v.MAX_AST_NODES // 2 + 10)) + "\nreturn 0")
    assert "syntax nodes" in rejected(many_nodes).reason
    deep = ipd_source("return " + "(" * 300 + "0" + ")" * 300)
    assert rejected(deep).reason      # the parser's own nesting limit, reported as one line


def test_non_text_is_rejected():
    with pytest.raises(ProgramError):
        v.validate(b"def policy(): pass", IPD)
