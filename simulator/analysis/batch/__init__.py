"""Room 3 of the analysis layer: batches.

Sweep plans (grid, LHS, Morris, Sobol), the batch's tasks and folder, the Dask executor, the results catalogue
(Parquet + DuckDB) and sensitivity indices. Uses `runs` for replications, metrics and folders; never imports `fit`.
"""
