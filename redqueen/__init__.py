"""redqueen: a lab for LLM-driven adversarial program evolution (Red Queen dynamics)."""
__version__ = "0.1.0"
