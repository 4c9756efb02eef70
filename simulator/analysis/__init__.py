"""Layer 4, analysis: one replication runner and executor, the metric registry and statistics, run folders,
compare, backtest, calibrate, case studies, la-scenario and the benchmark. Reads the engine's records; never its
internals beyond the finished `Journey` of a replication.
"""
