from simulator.engine.model.costs cimport cost
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams
