"""VRP Returns: quarterly returns for the Avon and Somerset Violence Reduction Partnership.

The package splits into a core with no Textual imports (reference data, periods,
models, store, returns, bundle, hub) and a thin UI (``app``, ``screens``,
``widgets``) on top of it.
"""

__version__ = "0.1.0"
