"""Layer 4, analysis, in three rooms (see docs/ARCHITECTURE.md):

- `runs`: running and reading replications (runner and executor, run folders, outputs, metrics and their registry,
  statistics, compare, case study, results);
- `fit`: fitting to official figures (calibration, backtest, la-scenario);
- `batch`: sweeps, executors, the catalogue and sensitivity.

`fit` and `batch` use `runs`; `runs` imports neither. Reads the engine's records; never its internals beyond the
finished `Journey` of a replication.
"""
