# Cython declarations for child.py (the compiled core): read only when the accelerator is built; child.py itself
# stays plain Python and is the pure path. `Child` becomes an extension type whose fields are C struct slots, in
# `__slots__` order; every field stays a Python object, so each holds exactly the value, of the same type, that the
# pure path's slot holds. The route modules (journey.py, population.py, costs.py, route/*.py) cimport it and type
# their child `c` as it (`@cython.locals(c=Child)`), so that a field read there is a struct read, not an attribute
# look-up.
# Packed under pymalloc's 512 bytes (the struct 496 bytes, 512 with the collector's header; 576 with every field an
# object, so each child was a libc malloc and free): eleven yes/no fields that only ever hold True or False are C
# `bint`s (4 bytes: read back as the same True or False), and five whole numbers that only ever hold a Python int
# (the two groups, the ladder's rung, the phase transfers, the place sequence) C `int`s (read back as an int of the
# same value). Each of them is set when the child is made (`_FRESH_FIELDS` or `__init__`), so none is read unset
# (a C field unset would read False or 0 where the others read None).
# Two more are C fields (issue 28's sixteenth round): the id, a `long long` (every keyed draw takes it as one), and the
# birth day, a `double` (set NaN when the child is made, then by the population; every other day stays a Python
# object). They were separate objects that a review window, a draw or an age read of each child, each a cache miss of
# its own in a long run of millions of children (the int's 32 bytes and the float's 24, in pools far from the child),
# and 56 bytes a child; read back, the same int and float values.
# So are, since issue 28's twentieth round, seven days each set once or a few times a child and only ever a float:
# the next review's due day `review_due` (the sums of reviews.py, plan.py, journey.py, moves.py, the stock's first
# reviews' days), the request's day `t0`, the final plan's `final_at` and its deadline `final_deadline`, the last
# decision's `decision_at`, the plan's end `ceased_at` and the running `days_without_provision` (engine.now and sums of
# it; `_FRESH_FIELDS`' NaN, or 0.0, first). Each was a float object of its own, made when the step ran and freed,
# cold, when replaced (each review replaced `review_due`'s: about 3.5% of England 2024-2035's samples in
# `_review_held`) or when the run was freed (most of `release`'s cache misses: each such float's count decremented);
# read back, the same float value.

cimport cython


# The fields' order is the struct's: the first twelve are those a review window reads and writes for each plan
# (`plain_reviews`, `decide_each`, `_review_held`, the counts' groups), in the object's first two cache lines (a
# child is 512 bytes, cache-line aligned in pymalloc's pools), so that a plan reviewed, scattered among millions of
# children in a long run, costs two cache misses rather than six.
cdef class Child:
    cdef public long long id
    cdef public object la
    cdef public double born
    cdef public object status
    cdef public object reviews
    cdef public object review_after
    cdef public object setting
    cdef public object pins
    cdef public object content
    cdef public double review_due
    cdef public int gid
    cdef public int pid
    cdef public object requester
    cdef public object need
    cdef public object preferred
    cdef public object on_s41
    cdef public object capacity
    cdef public object health
    cdef public object social
    cdef public double t0
    cdef public object advice_pending
    cdef public double final_at
    cdef public double final_deadline
    cdef public object provision_at
    cdef public object place_job
    cdef public object place_res
    cdef public object waiting_since
    cdef public double days_without_provision
    cdef public object appeals
    cdef public object mediations
    cdef public object disputes
    cdef public double ceased_at
    cdef public object dispute
    cdef public object ladder
    cdef public double decision_at
    cdef public object job
    cdef public object concede_at
    cdef public object hearing_at
    cdef public object pending_setting
    cdef public object registered_at
    cdef public object cert_at
    cdef public object named_ground
    cdef public object setting_since
    cdef public object disputed_at
    cdef public object decided_at
    cdef public object how
    cdef public object draft_deadline
    cdef public object term_start
    cdef public object place_due
    cdef public object out_since
    cdef public object days_awaiting
    cdef public object days_out
    cdef public object elsewhere
    cdef public object moved
    cdef public bint stock
    cdef public bint exception
    cdef public bint refused
    cdef public bint assessed
    cdef public bint no_plan
    cdef public bint named_against_wish
    cdef public bint must_certify
    cdef public bint ordered
    cdef public bint compelled
    cdef public bint compelled_unsettled
    cdef public bint escalated
    cdef public int rung
    cdef public int transfers
    cdef public int place_seq

# a new child's first values (`_FRESH`), one C store a field: `Child.__init__` and `new_child`
@cython.locals(f=tuple)
cdef void _fresh(Child c) noexcept

# `Child(cid, la, stock)` without the call's argument parsing (the id a C integer to the child's own)
cpdef Child new_child(long long cid, object la, bint stock)
