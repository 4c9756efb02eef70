"""Presentation, beside report and cli: the local web page for forum volunteers (`sendsim serve`)."""
