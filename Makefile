# bbroot - build, test and install.  See README.md.
#
#   make                 build build/bbroot
#   make test            install Debian deps (if missing), build, run every test,
#                        then the whole suite again under ASan+UBSan
#   make check           run every test (no dependency install)
#   make check-asan      the whole suite against an ASan+UBSan build (build-asan/)
#   make run             deps, build, fetch (+ pack): the main job
#   make install PREFIX=/usr/local DESTDIR=
#   make deps            install the Debian packages needed to build and test
#
# Modules add targets in mk/*.mk (fuzzing, benchmarks); sources are found
# by wildcard in lib/, bootstrap/ and pack/.

O ?= build
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libcurl libarchive libcrypto libelf jansson inih
# libcurl is compiled against but not linked: bootstrap/curlib.c loads it
# on first use, so commands other than fetch do not pay for its start-up.
LINK_PKGS = $(filter-out libcurl,$(PKGS))
CFLAGS ?= -O2 -g
BBR_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-missing-field-initializers -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. -I$(O) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null) -ldl

SRCS = $(sort $(wildcard lib/*.c bootstrap/*.c pack/*.c))
OBJS = $(SRCS:%.c=$(O)/%.o) $(O)/configs.o
CONFIGS = $(sort $(shell find configs -type f ! -name '.*' ! -name 'README*' 2>/dev/null))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
E2E = $(sort $(wildcard tests/e2e/t[0-9]*.sh))

all: $(O)/bbroot

$(O)/bbroot: $(O)/bbroot.o $(O)/libbbroot.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/libbbroot.a: $(OBJS)
	rm -f $@ && ar rcs $@ $^

$(O)/%.o: %.c $(wildcard *.h lib/*.h bootstrap/*.h pack/*.h) | $(O)/configs.c
	@mkdir -p $(dir $@)
	$(CC) $(BBR_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/embed: scripts/embed.c
	@mkdir -p $(O)
	$(CC) -O1 -o $@ $<

$(O)/configs.c: $(O)/embed $(CONFIGS) Makefile
	$(O)/embed $@ configs/ $(CONFIGS)

$(O)/configs.o: $(O)/configs.c lib/embed.h
	$(CC) $(BBR_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/tests/%: tests/unit/%.c tests/unit/tap.h $(O)/libbbroot.a
	@mkdir -p $(dir $@)
	$(CC) $(BBR_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libbbroot.a $(LIBS)

units: $(UNIT_BINS)

deps:
	sh scripts/deps

check: all units
	BBROOT=$(abspath $(O)/bbroot) BBROOT_BUILD=$(abspath $(O)) \
		prove --exec tests/run-test $(PROVE_FLAGS) $(UNIT_BINS) $(E2E)

test: deps
	$(MAKE) check
	$(MAKE) check-asan

check-asan:
	$(MAKE) O=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" check

run: deps all
	sh scripts/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(O)/bbroot $(DESTDIR)$(BINDIR)/bbroot
	install -m 0644 bbroot.1 $(DESTDIR)$(MANDIR)/bbroot.1

clean:
	rm -rf build build-asan build-fuzz

# every benchmark (each mk/*.mk adds its own to `bench`)
bench: bench-scan bench-install bench-pack

.PHONY: all units deps check test check-asan run install clean bench

-include $(sort $(wildcard mk/*.mk))
