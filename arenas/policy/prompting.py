"""The part of every policy prompt that says which Python a policy may use."""
from .validate import BUILTINS, NUMPY_FUNCTIONS, NUMPY_RANDOM, VALUE_ATTRIBUTES


def _listing(names) -> str:
    return ", ".join(sorted(names))


RULES_OF_CODE = f"""
WHAT THE CODE MAY USE (anything else is rejected before it runs)
- Exactly one top-level function with exactly the signature above; no other top-level code. \
`np` (numpy) is already available; do not import anything.
- Local variables, arithmetic, comparisons, if/elif/else, for and while loops, list \
comprehensions, subscripts and slices of arrays, tuples.
- Builtins: {_listing(BUILTINS)}.
- numpy: np.{', np.'.join(sorted(NUMPY_FUNCTIONS - {'random'}))}; \
np.random.{', np.random.'.join(sorted(NUMPY_RANDOM))}.
- Array attributes and methods: {_listing(VALUE_ATTRIBUTES)}.
- Not allowed: imports, strings (comments and a docstring are fine), print, dicts, sets, classes, \
lambdas, nested functions, recursion, global variables, try/with/raise/assert/del, names that \
start with two underscores, assigning to attributes.
- The function is compiled with numba in nopython mode: keep types simple and consistent (a \
variable is always an int, or always a float, or always an array of one dtype); create arrays \
with np.zeros/np.ones/np.empty/np.full and an explicit dtype where it matters. Every index is \
bounds-checked: an out-of-range index loses the game. Each game has a CPU-time limit."""

# The repair prompt is the same for every policy arena: the parser's one-line error and the code.
REPAIR = """\
The policy you wrote was rejected:

{error}

Here is the code:

```python
{program}
```

Fix the problem and return the complete corrected function in one ```python block."""
