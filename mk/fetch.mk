# mk/fetch.mk - targets of the fetch module (included by the Makefile).
#
#   make bench-fetch    loopback benchmark of `bbroot fetch` (scripts/bench-fetch)
#   make bench          every benchmark (other modules add theirs)

bench-fetch: all
	sh scripts/bench-fetch $(BENCH_RUNS)

bench: bench-fetch

.PHONY: bench bench-fetch
