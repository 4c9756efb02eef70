from simulator.engine.model.route.placement cimport secure_place
from simulator.engine.model.route.redress cimport dispute_or_accept
from simulator.engine.model.costs cimport cost
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
from simulator.engine.model.streams cimport RouteStreams
