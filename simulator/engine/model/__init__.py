"""The SEND model on the engine core: the child, population, capacity over time, costs, what is recorded, and the
statutory route (`route/`, one module per stage), assembled into one `Journey` per replication.
"""
