"""sendsim: a discrete-event simulator of children's routes through England's SEND system."""

__version__ = "0.1.0"
