# mk/pack.mk - bbroot pack targets (included by the Makefile).
#
#   make bench-pack                  all benchmarks (copies /usr/share once)
#   make bench-pack BENCH_ARGS=--quick   only the small-image ones

bench-pack: all
	BBROOT=$(abspath $(O)/bbroot) sh scripts/bench-pack $(BENCH_ARGS)

.PHONY: bench-pack
