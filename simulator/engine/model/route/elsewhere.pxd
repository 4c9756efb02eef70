from simulator.engine.model.route.reviews cimport review_interval
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
