"""Estimated cost of a call: US dollars per million prompt and completion tokens.

Prices are list prices of a few common models at the time of writing; an unknown model costs
nothing here unless `--price-in/--price-out` give its prices. Estimates, not invoices.
"""
from __future__ import annotations

# model name prefix -> (USD per 1M prompt tokens, USD per 1M completion tokens)
PRICES = {
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "o4-mini": (1.10, 4.40),
    "text-embedding-3-small": (0.02, 0.0),      # embeddings (--novelty-embeddings): input tokens only
    "text-embedding-3-large": (0.13, 0.0),
}


def price_of(model: str) -> tuple[float, float] | None:
    """Prices of the longest known prefix of `model`, or None."""
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else None


def estimate_cost(model: str, prompt_tokens: int | None, completion_tokens: int | None,
                  prices: tuple[float, float] | None = None) -> float | None:
    prices = prices or price_of(model)
    if prices is None or prompt_tokens is None or completion_tokens is None:
        return None
    return (prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1e6
