# mk/applets.mk - targets of the binary reader (bootstrap/elfinfo.c,
# bootstrap/applet_table.c): fuzzing and the scan benchmark.
#
#   make fuzz [FUZZ_SECONDS=300]   libFuzzer on the ELF/applet reader
#                                  (clang, build-fuzz/), corpus in
#                                  build-fuzz/corpus seeded from Debian's
#                                  binaries when they are cached
#   make fuzz-smoke                the same for a few seconds (make check
#                                  runs it through tests/e2e/t0203-fuzz.sh)
#   make bench-scan                time the applet scan on Debian's binaries

FUZZ_O = build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# The reader and what it calls, instrumented.
FUZZ_SRCS = bootstrap/elfinfo.c bootstrap/applets.c bootstrap/applet_table.c \
	lib/diag.c lib/strbuf.c lib/xalloc.c

# The unit tests of the reader include these helpers.
$(O)/tests/test_applets $(O)/tests/test_elfinfo: tests/unit/elf_forge.h tests/unit/fixture.h

$(FUZZ_O)/fuzz_reader: tests/fuzz/fuzz_reader.c $(FUZZ_SRCS) $(wildcard lib/*.h bootstrap/*.h)
	@mkdir -p $(FUZZ_O)
	$(FUZZ_CC) $(BBR_CFLAGS) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_reader.c $(FUZZ_SRCS) \
		$(shell $(PKG_CONFIG) --libs libelf 2>/dev/null)

fuzz: $(FUZZ_O)/fuzz_reader
	sh tests/fuzz/run $(FUZZ_O)/fuzz_reader $(FUZZ_SECONDS)

fuzz-smoke: $(FUZZ_O)/fuzz_reader
	sh tests/fuzz/run $(FUZZ_O)/fuzz_reader 5

$(O)/bench-scan: scripts/bench-scan.c $(O)/libbbroot.a
	$(CC) $(BBR_CFLAGS) -O2 $(LDFLAGS) -o $@ $< $(O)/libbbroot.a $(LIBS)

bench-scan: $(O)/bench-scan
	sh scripts/bench-scan $(O)/bench-scan

.PHONY: fuzz fuzz-smoke bench-scan
