# mk/fetch.mk - targets of the fetch module (included by the Makefile).
#
#   make bench-fetch    loopback benchmark of `bbroot fetch` (scripts/bench-fetch)
#   make bench          every benchmark (other modules add theirs)

bench-fetch: all
	sh scripts/bench-fetch $(BENCH_RUNS)

bench: bench-fetch

.PHONY: bench bench-fetch

# libFuzzer targets for what fetch reads from outside: bbroot.lock and .deb
# packages.  `make fuzz-fetch FETCH_FUZZ_SECONDS=60` builds them with clang
# into build-fuzz/ and runs each for FETCH_FUZZ_SECONDS (default 30) from a
# seed corpus made at run time (a complete lock; the Debian arm64
# busybox-static package when the fixture script can get it).
FETCH_FUZZ_O = build-fuzz
FETCH_FUZZ_SECONDS ?= 30
FETCH_FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	-std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. -I$(O) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FETCH_FUZZ_SRCS = $(wildcard lib/*.c) bootstrap/lock.c bootstrap/cache.c \
	bootstrap/elfinfo.c bootstrap/deb.c

$(FETCH_FUZZ_O)/fuzz_fetch_lock: tests/fuzz/fuzz_lock.c $(FETCH_FUZZ_SRCS) $(O)/configs.c
	@mkdir -p $(FETCH_FUZZ_O)
	clang $(FETCH_FUZZ_CFLAGS) -o $@ $< $(FETCH_FUZZ_SRCS) $(O)/configs.c $(LIBS)

$(FETCH_FUZZ_O)/fuzz_fetch_deb: tests/fuzz/fuzz_deb.c $(FETCH_FUZZ_SRCS) $(O)/configs.c
	@mkdir -p $(FETCH_FUZZ_O)
	clang $(FETCH_FUZZ_CFLAGS) -o $@ $< $(FETCH_FUZZ_SRCS) $(O)/configs.c $(LIBS)

fuzz-fetch: $(FETCH_FUZZ_O)/fuzz_fetch_lock $(FETCH_FUZZ_O)/fuzz_fetch_deb
	@mkdir -p $(FETCH_FUZZ_O)/corpus-fetch-lock $(FETCH_FUZZ_O)/corpus-fetch-deb
	printf '[amd64]\nurl = https://busybox.net/x/busybox\nsha256 = %064d\nsize = 1\nversion = 1.35.0\nplatform = linux/amd64\nsource_sha256 = %064d\n' 0 0 \
		>$(FETCH_FUZZ_O)/corpus-fetch-lock/seed
	-cp "$$(tests/fixtures/debian-busybox deb arm64)" $(FETCH_FUZZ_O)/corpus-fetch-deb/seed.deb
	$(FETCH_FUZZ_O)/fuzz_fetch_lock -max_total_time=$(FETCH_FUZZ_SECONDS) $(FETCH_FUZZ_O)/corpus-fetch-lock
	$(FETCH_FUZZ_O)/fuzz_fetch_deb -max_total_time=$(FETCH_FUZZ_SECONDS) -max_len=4194304 \
		-rss_limit_mb=4096 $(FETCH_FUZZ_O)/corpus-fetch-deb

.PHONY: fuzz-fetch
