"""Layer 2, rules: rule sets resolved by name (baselines, reforms, switches), compiled into the `Law` the engine
reads, the loaded scenario, and the accountability map with its gaps (no formatting here). Imports only `schema`.
"""
