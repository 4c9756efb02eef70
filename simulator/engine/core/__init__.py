"""The generic discrete-event core: a clock and future events (`loop`), multi-server resources (`resources`),
keyed random streams (`streams`) and the calendar (`calendar`). Nothing here knows of SEND: the benchmark network
(`sendsim bench`) runs on the same core and is checked against queueing theory.
"""
