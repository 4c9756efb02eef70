from simulator.engine.core.resources cimport Resource
from simulator.engine.model.child cimport Child
from simulator.engine.model.state cimport RunState

cpdef assign_attributes(Child c, row)

cpdef assign_row(Child c, tuple cols, Py_ssize_t i)
