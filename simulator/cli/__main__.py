"""`python -m simulator.cli`: the same command as `sendsim`."""

from . import console

console()
