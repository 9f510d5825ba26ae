"""Language-model access for the mutators: an OpenAI-compatible chat client with retries,
recording and a replay cache (`client`), and code extraction from free-form answers (`extract`).

Nothing here imports `openai` at module level; the client imports it when first used.
"""
from .extract import extract_code

__all__ = ["extract_code"]
