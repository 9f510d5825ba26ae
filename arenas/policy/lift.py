"""Constant lifting: a policy's numeric literals become run-time parameters.

Policies that differ only in their constants (what the built-in mutators, the constant
perturbation and many language-model edits produce) then share one compiled function: the
"shape" of a policy is its code with every liftable literal replaced by a read from one of two
parameter arrays passed at every call (ints from an int64 array, floats from a float64 array,
each literal keeping its type). The reads happen once, at the top of the function, into locals,
so the body runs on registers as before.

Every compiled policy takes the two arrays as extra trailing arguments (`INTS`, `FLOATS`), lifted or not;
a policy whose shape numba rejects is compiled as written (`with_parameters`), with the arrays
unused. Literals stay in place where numba's typing or semantics may depend on their value
(`_kept_literals`), so a lifted policy that compiles behaves as the policy as written.
"""
from __future__ import annotations

import ast
import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

INTS, FLOATS = "_ints", "_floats"      # policies cannot name these: names starting with _ are refused
_INT64 = (-(1 << 63), (1 << 63) - 1)


@dataclass(frozen=True)
class Lifted:
    shape: str                 # the lifted code (reads its constants from the parameter arrays)
    ints: np.ndarray           # int64
    floats: np.ndarray         # float64

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.shape.encode()).hexdigest()


def lift(code: str, function_name: str = "policy") -> Lifted:
    """The shape of `code` (validated policy code) and its constants."""
    tree = ast.parse(code)
    function = _function(tree, function_name)
    keep = _kept_literals(function)
    lifter = _Lifter(keep)
    function.body = [lifter.visit(statement) for statement in function.body]
    function.args.args += [ast.arg(INTS), ast.arg(FLOATS)]
    prologue = [_load(name, array, index) for (array, index), name in lifter.locals.items()]
    docstring = 1 if _has_docstring(function) else 0
    function.body[docstring:docstring] = prologue
    shape = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    return Lifted(shape, np.array(lifter.ints, np.int64), np.array(lifter.floats, np.float64))


def with_parameters(code: str, function_name: str = "policy") -> str:
    """`code` as written, its function taking the (unused) parameter arrays too. Only the `def`
    line changes, so compile errors point at the same lines."""
    try:
        last = _function(ast.parse(code), function_name).args.args[-1]
    except (SyntaxError, ValueError, StopIteration, IndexError):
        return code              # not a policy (only unvalidated code): its compilation says why
    lines = code.split("\n")
    line = lines[last.end_lineno - 1].encode()          # ast offsets count UTF-8 bytes
    lines[last.end_lineno - 1] = (line[:last.end_col_offset] + f", {INTS}, {FLOATS}".encode()
                                  + line[last.end_col_offset:]).decode()
    return "\n".join(lines)


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    return next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)


def _has_docstring(function: ast.FunctionDef) -> bool:
    first = function.body[0] if function.body else None
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _load(name: str, array: str, index: int) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())],
                      ast.Subscript(ast.Name(array, ast.Load()), ast.Constant(index), ast.Load()))


def _liftable(node: ast.AST) -> bool:
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    if isinstance(node.value, float):
        return True
    return isinstance(node.value, int) and _INT64[0] <= node.value <= _INT64[1]


def _static(node: ast.AST, constant_names=frozenset()) -> bool:
    """An operand numba may see as a constant before typing: a literal, a variable assigned a
    literal once, `x.ndim`, `len(...)`."""
    if isinstance(node, ast.UnaryOp):
        return _static(node.operand, constant_names)
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in constant_names
    if isinstance(node, ast.Attribute):
        return node.attr == "ndim"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _constant_names(function: ast.FunctionDef) -> dict[str, ast.AST]:
    """Variables assigned exactly once, a literal: numba folds them into the conditions using them."""
    stores = Counter(node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                     and isinstance(node.ctx, ast.Store))
    return {node.targets[0].id: node.value for node in ast.walk(function)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and stores[node.targets[0].id] == 1 and _static(node.value)}


def _kept_literals(function: ast.FunctionDef) -> set[int]:
    """ids of literals that stay compile-time constants, where numba's typing or semantics may
    depend on the value: `t[0]` (a tuple's index is checked when compiling), exponents of `**`
    (small constant powers are expanded), shift amounts (shifting by 64 or more is undefined, so
    the result may depend on whether the compiler saw the amount), and conditions numba can
    decide before typing (it prunes the branch not taken: comparisons of constants, `x.ndim`,
    `len(...)`). Where such a place names a variable assigned a literal once, that literal stays
    too: numba folds such variables into constants."""
    keep: set[int] = set()
    constants = _constant_names(function)

    def hold(node):
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant):
                keep.add(id(inner))
            elif isinstance(inner, ast.Name) and inner.id in constants:
                hold(constants[inner.id])

    for node in ast.walk(function):
        if isinstance(node, ast.Subscript) and _static(node.slice, constants):
            hold(node.slice)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.LShift, ast.RShift)):
            hold(node.right)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Pow, ast.LShift, ast.RShift)):
            hold(node.value)
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            for part in ast.walk(node.test):
                if isinstance(part, ast.Compare) and all(_static(x, constants) for x in [part.left, *part.comparators]):
                    hold(part)
                if isinstance(part, ast.Name):
                    hold(part)
            if _static(node.test, constants):
                hold(node.test)
    return keep


class _Lifter(ast.NodeTransformer):
    """Replaces each liftable literal by a local `_c0, _c1, ...` of its own, so that the shape
    does not depend on which constants happen to be equal."""

    def __init__(self, keep: set[int]):
        self.keep = keep
        self.ints: list[int] = []
        self.floats: list[float] = []
        self.locals: dict[tuple[str, int], str] = {}

    def visit_Constant(self, node: ast.Constant):
        if id(node) in self.keep or not _liftable(node):
            return node
        return self._lifted(node.value, node)

    def visit_UnaryOp(self, node: ast.UnaryOp):
        """`-5` is one literal -5, so that a constant's sign does not change the shape."""
        operand = node.operand
        if isinstance(node.op, ast.USub) and id(operand) not in self.keep and _liftable(operand):
            return self._lifted(-operand.value, node)
        return self.generic_visit(node)

    def _lifted(self, value, node: ast.AST) -> ast.Name:
        values, array = (self.floats, FLOATS) if isinstance(value, float) else (self.ints, INTS)
        name = self.locals[(array, len(values))] = f"_c{len(self.locals)}"
        values.append(value)
        return ast.copy_location(ast.Name(name, ast.Load()), node)
