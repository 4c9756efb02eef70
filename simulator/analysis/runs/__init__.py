"""Room 1 of the analysis layer: running and reading replications.

One replication runner and the executor (local processes; `batch.dask_executor` plugs into the same interface), run
folders and their marker, outputs, the metric registry and its computation, statistics, compare, the case study and
reading results back. Imports only the layers below and itself: never `fit` or `batch` (a test checks).
"""
