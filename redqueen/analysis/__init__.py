"""Analysis of Red Queen runs: held-out generality, convergence of behaviour and code, probes,
intransitive cycles, trend fits and plots.

Every module here is arena-agnostic: inputs are arrays of fitness values, embeddings and beat
matrices. Heavy libraries (scikit-learn, matplotlib, openai) are imported inside the functions
that need them, so importing this package is cheap.
"""
