"""The AST whitelist a policy source must pass before anything executes or compiles it.

What is allowed is listed, everything else is refused: one top-level `def policy(...)` with the
arena's exact parameters, arithmetic, comparisons, `if`/`for`/`while`, local variables, subscripts,
calls to a short list of builtins and numpy functions, and a short list of array attributes.
No imports (`import numpy as np` is tolerated: `np` is always provided), no attribute writes, no
dunder names, no strings (apart from docstrings), no globals, no nested functions, lambdas,
classes, `with`, `try`, `raise`, `del`, `print`. Policies are compiled by numba in nopython
mode afterwards, which refuses Python objects anyway; this list is the first wall, not the only one.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from redqueen.arena import ProgramError

MAX_SOURCE_CHARS = 20_000
MAX_AST_NODES = 5_000
MAX_INT_LITERAL = 2**63 - 1

BUILTINS = frozenset({"range", "len", "min", "max", "abs", "int", "float", "bool", "round",
                      "enumerate", "zip", "sum"})

NUMPY_FUNCTIONS = frozenset({
    "abs", "absolute", "all", "any", "arange", "argmax", "argmin", "argsort", "argwhere", "array",
    "bincount", "ceil", "clip", "concatenate", "copy", "cos", "count_nonzero", "cumsum", "diff",
    "dot", "e", "empty", "empty_like", "exp", "flatnonzero", "flip", "floor", "full", "full_like",
    "hypot", "inf", "int8", "int16", "int32", "int64", "float32", "float64", "bool_", "isfinite",
    "isnan", "log", "log2", "logical_and", "logical_not", "logical_or", "max", "maximum", "mean",
    "median", "min", "minimum", "mod", "nonzero", "ones", "ones_like", "pi", "prod", "roll",
    "round", "sign", "sin", "sort", "sqrt", "square", "std", "sum", "tanh", "arctan2", "unique",
    "var", "where", "zeros", "zeros_like", "random",
})

# np.random.* without `seed`: a policy must not reset the random stream other code draws from.
NUMPY_RANDOM = frozenset({"random", "rand", "randint", "uniform", "normal", "choice", "permutation",
                          "shuffle"})

# Attributes of arrays and numbers that numba supports and that cannot reach anything else.
VALUE_ATTRIBUTES = frozenset({
    "shape", "size", "ndim", "T", "sum", "mean", "min", "max", "any", "all", "copy", "argmax",
    "argmin", "argsort", "cumsum", "prod", "std", "var", "astype", "reshape", "ravel", "flatten",
    "fill", "nonzero", "sort", "item",
})

STATEMENTS = (ast.Assign, ast.AugAssign, ast.Return, ast.If, ast.For, ast.While, ast.Break,
              ast.Continue, ast.Pass, ast.Expr)
EXPRESSIONS = (ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
               ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.Constant,
               ast.ListComp, ast.GeneratorExp, ast.comprehension, ast.NamedExpr, ast.keyword)
GLUE = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)

REFUSED = {   # common constructs, with the reason spelt out
    ast.Import: "imports are not allowed (np is provided)",
    ast.ImportFrom: "imports are not allowed (np is provided)",
    ast.Lambda: "lambdas are not allowed",
    ast.FunctionDef: "nested functions are not allowed: write one function",
    ast.AsyncFunctionDef: "nested functions are not allowed: write one function",
    ast.ClassDef: "classes are not allowed",
    ast.With: "'with' is not allowed",
    ast.Try: "'try' is not allowed",
    ast.Raise: "'raise' is not allowed",
    ast.Assert: "'assert' is not allowed",
    ast.Delete: "'del' is not allowed",
    ast.Global: "'global' is not allowed",
    ast.Nonlocal: "'nonlocal' is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Dict: "dicts are not allowed (use arrays)",
    ast.Set: "sets are not allowed (use arrays)",
    ast.DictComp: "dict comprehensions are not allowed",
    ast.SetComp: "set comprehensions are not allowed",
    ast.Starred: "starred expressions are not allowed",
    ast.Yield: "generators are not allowed",
    ast.YieldFrom: "generators are not allowed",
    ast.Await: "async code is not allowed",
}


@dataclass(frozen=True)
class Signature:
    """The function a policy arena expects: its name and exact parameter names."""
    name: str
    parameters: tuple[str, ...]

    def text(self) -> str:
        return f"def {self.name}({', '.join(self.parameters)})"


@dataclass(frozen=True)
class ValidPolicy:
    """A source that passed the whitelist: the code to compile and its content digest."""
    source: str        # as written
    code: str          # what is executed and compiled: the source with tolerated imports blanked
    digest: str        # SHA-256 of the normalised AST (comments, docstrings and layout ignored)
    docstring: str


def validate(source: str, signature: Signature, origin: str = "<policy>") -> ValidPolicy:
    """The policy if `source` passes the whitelist, else ProgramError naming origin:line and why."""
    if not isinstance(source, str):
        raise ProgramError("a policy must be text", origin)
    if len(source) > MAX_SOURCE_CHARS:
        raise ProgramError(f"source is {len(source)} characters (limit {MAX_SOURCE_CHARS})", origin)
    tree = _parse(source, origin)
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_AST_NODES:
        raise ProgramError(f"program has {nodes} syntax nodes (limit {MAX_AST_NODES})", origin)
    function = _the_function(tree, signature, origin)
    _check_signature(function, signature, origin)
    _Checker(signature, origin).check_function(function)
    docstring = ast.get_docstring(function) or ast.get_docstring(tree) or ""
    return ValidPolicy(source=source, code=_without_imports(source, tree), digest=_digest(function),
                       docstring=docstring)


def _parse(source: str, origin: str) -> ast.Module:
    try:
        return ast.parse(source, filename=origin)
    except SyntaxError as error:
        raise ProgramError(f"syntax error: {error.msg}", origin, error.lineno) from None
    except (RecursionError, MemoryError, ValueError) as error:
        raise ProgramError(f"cannot parse: {type(error).__name__}", origin) from None


def _the_function(tree: ast.Module, signature: Signature, origin: str) -> ast.FunctionDef:
    functions = []
    for index, statement in enumerate(tree.body):
        if isinstance(statement, ast.FunctionDef):
            functions.append(statement)
        elif _is_docstring(statement) and index == 0:
            continue
        elif _is_numpy_import(statement):
            continue
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            raise ProgramError("imports are not allowed (np is provided)", origin, statement.lineno)
        else:
            raise ProgramError(f"only one function, {signature.text()}, is allowed at top level "
                               f"(found {_describe(statement)})", origin, statement.lineno)
    if len(functions) != 1 or functions[0].name != signature.name:
        where = functions[1].lineno if len(functions) > 1 else None
        raise ProgramError(f"the program must define exactly one function, {signature.text()}",
                           origin, where)
    return functions[0]


def _check_signature(function: ast.FunctionDef, signature: Signature, origin: str) -> None:
    arguments = function.args
    names = tuple(a.arg for a in arguments.args)
    extras = (arguments.posonlyargs or arguments.kwonlyargs or arguments.vararg or arguments.kwarg
              or arguments.defaults or arguments.kw_defaults)
    if names != signature.parameters or extras:
        raise ProgramError(f"the signature must be exactly {signature.text()}", origin, function.lineno)
    if function.decorator_list:
        raise ProgramError("decorators are not allowed", origin, function.lineno)
    if function.returns is not None or any(a.annotation is not None for a in arguments.args):
        raise ProgramError("annotations are not allowed", origin, function.lineno)


class _Checker:
    """Walks the function body, refusing anything not on the lists above."""

    def __init__(self, signature: Signature, origin: str):
        self.signature, self.origin = signature, origin
        self.locals: set[str] = set(signature.parameters)

    def fail(self, node: ast.AST, reason: str):
        raise ProgramError(reason, self.origin, getattr(node, "lineno", None))

    def check_function(self, function: ast.FunctionDef) -> None:
        body = function.body[1:] if function.body and _is_docstring(function.body[0]) else function.body
        for node in _assignments(function):
            if node.id.startswith("__"):
                self.fail(node, f"dunder name {node.id!r} is not allowed")
            if node.id in BUILTINS or node.id in ("np", "numpy", self.signature.name):
                self.fail(node, f"cannot assign to {node.id!r}")
            self.locals.add(node.id)
        for statement in body:
            self.visit(statement)

    def visit(self, node: ast.AST) -> None:
        if type(node) in REFUSED:
            self.fail(node, REFUSED[type(node)])
        if not isinstance(node, STATEMENTS + EXPRESSIONS + GLUE):
            self.fail(node, f"{_describe(node)} is not allowed")
        for child in ast.iter_child_nodes(node):     # innermost first: the most specific reason
            self.visit(child)
        check = getattr(self, f"check_{type(node).__name__}", None)
        if check is not None:
            check(node)

    def check_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            self.fail(node, "string constants are not allowed (comments are)")

    def check_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int):
            if abs(value) > MAX_INT_LITERAL:
                self.fail(node, "integer literal does not fit in 64 bits")
            return
        if isinstance(value, float):
            return
        self.fail(node, f"{type(value).__name__} constants are not allowed")

    def check_Name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("__"):
            self.fail(node, f"dunder name {name!r} is not allowed")
        if isinstance(node.ctx, ast.Load) and name not in self.locals and name not in BUILTINS \
                and name != "np":
            if name == self.signature.name:
                self.fail(node, "recursion is not allowed")
            self.fail(node, f"name {name!r} is not allowed (use the arguments, locals, np and the allowed builtins)")

    def check_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.fail(node, f"assigning to attribute {node.attr!r} is not allowed")
        if node.attr.startswith("_"):
            self.fail(node, f"attribute {node.attr!r} is not allowed")
        base = node.value
        if isinstance(base, ast.Name) and base.id == "np":
            if node.attr not in NUMPY_FUNCTIONS:
                self.fail(node, f"np.{node.attr} is not in the allowed numpy functions")
        elif _is_np_random(base):
            if node.attr not in NUMPY_RANDOM:
                self.fail(node, f"np.random.{node.attr} is not allowed")
        elif node.attr not in VALUE_ATTRIBUTES:
            self.fail(node, f"attribute {node.attr!r} is not allowed")

    def check_Call(self, node: ast.Call) -> None:
        function = node.func
        if isinstance(function, ast.Name):
            if function.id == self.signature.name:
                self.fail(node, "recursion is not allowed")
            if function.id not in BUILTINS:
                self.fail(node, f"calling {function.id!r} is not allowed")
        elif not isinstance(function, ast.Attribute):
            self.fail(node, "only builtins, np functions and array methods may be called")
        for keyword in node.keywords:
            if keyword.arg is None:
                self.fail(node, "'**' arguments are not allowed")
            if keyword.arg.startswith("_"):
                self.fail(node, f"keyword {keyword.arg!r} is not allowed")

    def check_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target)

    def check_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target)

    def check_For(self, node: ast.For) -> None:
        self._check_target(node.target)
        if node.orelse:
            self.fail(node, "'for ... else' is not allowed")

    def check_While(self, node: ast.While) -> None:
        if node.orelse:
            self.fail(node, "'while ... else' is not allowed")

    def _check_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Tuple):
            for element in target.elts:
                self._check_target(element)
        elif isinstance(target, ast.Attribute):
            self.fail(target, f"assigning to attribute {target.attr!r} is not allowed")
        elif not isinstance(target, (ast.Name, ast.Subscript)):
            self.fail(target, f"cannot assign to {_describe(target)}")


def _assignments(function: ast.FunctionDef) -> list[ast.Name]:
    """Every name the function assigns to (its locals), in source order."""
    names = [node for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)]
    return sorted(names, key=lambda node: (node.lineno, node.col_offset))


def _is_np_random(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "random"
            and isinstance(node.value, ast.Name) and node.value.id == "np")


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _is_numpy_import(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Import) and len(statement.names) == 1
            and statement.names[0].name == "numpy" and statement.names[0].asname == "np")


def _without_imports(source: str, tree: ast.Module) -> str:
    """The source with tolerated `import numpy as np` lines blanked, so line numbers still match."""
    lines = source.splitlines()
    for statement in tree.body:
        if _is_numpy_import(statement):
            for number in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
                lines[number - 1] = ""
    return "\n".join(lines) + "\n"


def _describe(node: ast.AST) -> str:
    return {ast.Import: "an import", ast.ImportFrom: "an import", ast.Assign: "an assignment",
            ast.Expr: "an expression"}.get(type(node), f"'{type(node).__name__}'")


def _digest(function: ast.FunctionDef) -> str:
    """Hash of the function's AST without docstrings: same code, same digest."""
    body = function.body[1:] if function.body and _is_docstring(function.body[0]) else function.body
    normal = ast.FunctionDef(name=function.name, args=function.args, body=body, decorator_list=[],
                             returns=None, type_comment=None)
    return hashlib.sha256(ast.dump(normal, annotate_fields=False).encode()).hexdigest()
