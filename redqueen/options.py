"""Arena options: each arena declares its options (type, default, range, help) once, and every
way of building an arena (the CLI's `-A KEY=VALUE`, a stored run configuration, Python calls)
converts and checks them here, so a bad value is one line naming the option and the rule."""
from __future__ import annotations

import math
from dataclasses import dataclass

_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "text"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class OptionError(ValueError):
    """An arena option that is unknown or has a bad value: one line."""


@dataclass(frozen=True)
class Option:
    """One arena option. `default` None means "decided by the arena" (the help says how)."""
    type: type
    default: object
    help: str
    low: float | None = None          # inclusive bounds, for int and float options
    high: float | None = None

    def expectation(self) -> str:
        """What a valid value is, e.g. "an integer >= 2" or "a number from 0 to 0.5"."""
        text, low, high = _TYPE_NAMES[self.type], _number(self.low), _number(self.high)
        if low is not None and high is not None:
            return f"{text} from {low} to {high}"
        if low is not None:
            return f"{text} >= {low}"
        if high is not None:
            return f"{text} <= {high}"
        return text

    def convert(self, name: str, value):
        """`value` (text from a command line, or an already typed value) as this option's type,
        checked against its range; OptionError otherwise."""
        converted = self._typed(value)
        if converted is None:
            raise OptionError(f"option {name}: expected {self.expectation()}, got {value!r}")
        if (self.low is not None and converted < self.low) or (self.high is not None and converted > self.high):
            raise OptionError(f"option {name}: expected {self.expectation()}, got {value!r}")
        return converted

    def _typed(self, value):
        """The value as the option's type, or None when it is not one."""
        if value is None:
            return None
        if isinstance(value, str):
            return self._from_text(value.strip())
        if self.type is bool:
            return value if isinstance(value, bool) else None
        if isinstance(value, bool):
            return None
        if self.type is int:
            return int(value) if isinstance(value, int) or (isinstance(value, float) and value.is_integer()) \
                else None
        if self.type is float:
            return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None
        return None

    def _from_text(self, text: str):
        if self.type is str:
            return text
        if self.type is bool:
            lowered = text.lower()
            return True if lowered in _TRUE else False if lowered in _FALSE else None
        try:
            number = int(text) if self.type is int else float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None


def _number(bound) -> str | None:
    return None if bound is None else str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def check_options(arena: str, declared: dict[str, Option], given: dict) -> dict:
    """The given options converted and checked against the declarations (OptionError on the
    first bad one); options not given are left out, so the arena applies its defaults."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise OptionError(f"unknown option {unknown[0]} for arena {arena} "
                          f"(valid: {', '.join(declared) or 'none'})")
    return {name: declared[name].convert(name, value) for name, value in given.items()}


def defaults(declared: dict[str, Option]) -> dict:
    return {name: option.default for name, option in declared.items()}
