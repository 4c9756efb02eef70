from simulator.engine.core.streams cimport Draw
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState
