"""Commands kept in modules of their own; each module defines `command` (a click command).

`cli.py` registers every module listed in `COMMANDS` that exists, so a new command is one new file.
"""

COMMANDS = ("bench", "backtest", "calibrate", "la_scenario", "rules", "compare", "case_study", "map", "report", "serve",
            "batch", "results")
