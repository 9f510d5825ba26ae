"""Which array arguments a compiled policy may write into, read from numba's typed code.

A game loop must hand every policy call arrays that no earlier call could have changed. Copying
them for every call is the simple way; a policy that provably never writes an argument can share
one copy instead (`arenas.ssd.engine`). The proof works on numba's typed IR, where every value
has its type: a variable *aliases* an argument when it may point into the argument's memory (the
argument itself, a view from slicing or `.T`, a row met while iterating, a tuple holding it, a
bound method of it). An argument counts as written when an alias of it is stored into
(`a[i] = x`, `a += x`), passed to any function but `len` or called as a method outside a short
list of methods that only read and return fresh values, or used by any IR operation this module
does not know. Everything unknown counts as a write, so the answer can be too cautious, never
too bold. Values without array data (numbers, booleans, tuples of them such as `a.shape`) alias
nothing.
"""
from __future__ import annotations

import hashlib
import json
import os

import numba
from numba.core import ir, types

ATTRIBUTE = "redqueen_written"      # set on compiled functions: frozenset of indices, or None

# Array methods that read their array and return a new value (never a view, never in place).
READING_METHODS = frozenset({"sum", "mean", "min", "max", "any", "all", "copy", "argmax", "argmin",
                             "argsort", "cumsum", "prod", "std", "var", "astype", "flatten", "nonzero",
                             "item"})
# IR operations whose result may point into their operand's memory.
_PASSING = frozenset({"phi", "getiter", "iternext", "pair_first", "pair_second", "exhaust_iter", "cast",
                      "build_tuple", "build_list", "build_set", "build_map", "getitem", "static_getitem",
                      "typed_getitem", "getattr"})
# IR operations that only read their operands and return new values.
_READING = frozenset({"binop", "unary", "arrayexpr"})


def written_arguments(compile_result) -> frozenset[int] | None:
    """Indices of the arguments the compiled function may write into, or None when numba kept
    no typed IR (a function loaded from numba's disk cache)."""
    annotation = getattr(compile_result, "type_annotation", None)
    blocks = getattr(annotation, "blocks", None)
    if not isinstance(blocks, dict):
        return None
    statements = [statement for block in blocks.values() for statement in block.body]
    aliases = _aliases(statements, annotation.typemap)
    written: set[int] = set()
    for statement in statements:
        written |= _writes(statement, aliases, annotation.typemap)
    return frozenset(written)


def _aliases(statements, typemap) -> dict[str, frozenset[int]]:
    """Variable name -> arguments it may point into (a fixed point over all assignments)."""
    aliases: dict[str, frozenset[int]] = {}
    changed = True
    while changed:
        changed = False
        for statement in statements:
            if not isinstance(statement, ir.Assign):
                continue
            reached = _reached(statement, aliases, typemap)
            name = statement.target.name
            if reached and not reached <= aliases.get(name, frozenset()):
                aliases[name] = aliases.get(name, frozenset()) | reached
                changed = True
    return aliases


def _reached(assign: ir.Assign, aliases, typemap) -> frozenset[int]:
    """The arguments the assigned value may point into."""
    value = assign.value
    if isinstance(value, ir.Arg):
        return frozenset({value.index})
    if isinstance(value, ir.Var):
        return aliases.get(value.name, frozenset())
    if not isinstance(value, ir.Expr) or value.op not in _PASSING or _data_free(typemap.get(assign.target.name)):
        return frozenset()
    if value.op == "getattr" and value.attr in READING_METHODS:
        return frozenset()           # a reading method: calling it is checked in _writes
    operands = [value.value] if value.op in ("getitem", "static_getitem", "typed_getitem", "getattr") \
        else value.list_vars()
    return frozenset().union(*(aliases.get(var.name, frozenset()) for var in operands))


def _writes(statement, aliases, typemap) -> set[int]:
    """The arguments this statement may write into."""
    def reach(variables):
        return set().union(*(aliases.get(var.name, frozenset()) for var in variables))

    if isinstance(statement, ir.Assign):
        value = statement.value
        if not isinstance(value, ir.Expr) or value.op in _PASSING or value.op in _READING:
            return set()
        if value.op == "inplace_binop":
            return reach([value.lhs])
        if value.op == "call":
            arguments = list(value.args) + [var for _, var in value.kws] + ([value.vararg] if value.vararg else [])
            if _is_len(typemap.get(value.func.name)):
                return set()
            return reach(arguments) | reach([value.func])
        return reach(value.list_vars())          # an operation not known here: any alias counts
    if isinstance(statement, (ir.Del, ir.Jump, ir.Branch, ir.Return, ir.Print, ir.StaticRaise,
                              ir.StaticTryRaise)):
        return set()
    return reach(statement.list_vars())         # stores, attribute writes, anything else


def _data_free(typ) -> bool:
    """A value of this type holds no array data (so nothing written through it reaches one)."""
    if isinstance(typ, (types.Number, types.Boolean, types.NoneType, types.Literal)):
        return not isinstance(typ, types.Literal) or isinstance(typ.literal_value, (int, float, bool))
    if isinstance(typ, types.BaseTuple):
        return all(_data_free(t) for t in typ.types)
    return False


def _is_len(typ) -> bool:
    return isinstance(typ, types.Function) and getattr(typ, "typing_key", None) is len


def mark(function, cache_file: str | None) -> None:
    """Record on a freshly compiled or loaded function which arguments it may write (None:
    unknown, so all). Numba's disk cache keeps no typed IR, so the answer for a function
    compiled with a `cache_file` is kept beside it, per numba version and signature."""
    try:
        written = written_arguments(next(iter(function.overloads.values())))
    except Exception:            # an IR this module does not read: no claim, callers copy
        written = None
    record = _record_file(cache_file, function) if cache_file else None
    if record and written is None:
        written = _read(record)
    elif record:
        _write(record, written)
    setattr(function, ATTRIBUTE, written)


def may_write(function, index: int) -> bool:
    """False only when `function` provably never writes argument `index`."""
    written = getattr(function, ATTRIBUTE, None)
    return written is None or index in written


def _record_file(cache_file: str, function) -> str:
    signature = next(iter(function.overloads))
    key = hashlib.sha256(f"{numba.__version__} {signature}".encode()).hexdigest()[:16]
    return f"{os.path.splitext(cache_file)[0]}-{key}.writes"


def _read(path: str) -> frozenset[int] | None:
    try:
        with open(path) as file:
            return frozenset(int(index) for index in json.load(file))
    except (OSError, ValueError, TypeError):
        return None


def _write(path: str, written: frozenset[int]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w") as file:
            json.dump(sorted(written), file)
        os.replace(temporary, path)
    except OSError:
        pass                     # not kept: a later load from the cache copies its arguments
