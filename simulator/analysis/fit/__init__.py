"""Room 2 of the analysis layer: fitting to official figures.

Calibration (per authority and national), the backtest against the official statistics, and building a council's
scenario (`la_scenario`). Uses `runs` to run replications and compute metrics; never imports `batch`.
"""
