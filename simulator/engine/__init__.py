"""Layer 3, the engine: `core` (event loop, resources, random streams, calendar; knows nothing of SEND) and
`model` (the child, population, capacity, costs, records, and the statutory route by stage). Imports `rules` and
`schema`; `core` imports nothing of the project outside `core`.
"""

from .core import accelerator as _accelerator

_accelerator.install()  # compiled core or pure Python: decided before `core.loop` or `bench` is imported
