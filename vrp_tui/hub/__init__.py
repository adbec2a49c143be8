"""The hub (the OPCC): enrols spoke keys, imports bundles, reviews and consolidates returns.

Core modules only: nothing here imports textual. ``vrp_tui.hub_app`` is the TUI over it.
"""
