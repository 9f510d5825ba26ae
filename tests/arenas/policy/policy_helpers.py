"""Helpers of the policy-arena tests."""
import textwrap

IPD_HEADER = "def policy(my_moves, their_moves, turn):\n"
TRON_HEADER = "def policy(grid, me_row, me_col, opp_row, opp_col, turn):\n"


def ipd_source(body: str) -> str:
    """An IPD policy with this (dedented) body."""
    return IPD_HEADER + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")


def tron_source(body: str) -> str:
    return TRON_HEADER + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")
