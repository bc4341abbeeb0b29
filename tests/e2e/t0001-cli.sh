#!/bin/sh
# The command line: help, version, usage errors and exit codes.
. "$(dirname "$0")/lib.sh"

test_expect_success '--help lists commands and exit codes' '
	bbroot --help >out &&
	test_grep "^  fetch" out && test_grep "^  pack" out &&
	test_grep "3 integrity" out
'
test_expect_success '--version names the linked libraries' '
	bbroot --version >out &&
	test_grep "^bbroot " out && test_grep "^libcurl " out &&
	test_grep "libarchive" out && test_grep "OpenSSL" out && test_grep "libelf" out
'
test_expect_success 'no command is a usage error (exit 2)' '
	test_expect_code 2 bbroot 2>err && test_grep "usage:" err
'
test_expect_success 'unknown command is a usage error with a hint' '
	test_expect_code 2 bbroot frobnicate 2>err &&
	test_grep "unknown command .frobnicate." err && test_grep "try .bbroot --help." err
'
test_expect_success 'unknown global option is a usage error' '
	test_expect_code 2 bbroot --bogus fetch 2>err && test_grep "unknown global option" err
'
test_expect_success '-C to a missing directory fails clearly' '
	test_expect_code 1 bbroot -C "$TRASH/nope" fetch 2>err &&
	test_grep "cannot change to directory" err
'
test_expect_success 'a write error on stdout is a failure' '
	if test -w /dev/full; then
		test_expect_code 1 bbroot --help >/dev/full 2>err &&
		test_grep "cannot write to standard output" err
	fi
'
test_expect_success 'libcurl is not linked at start-up (fetch loads it on first use)' '
	! ldd "$BBROOT" | grep -q libcurl &&
	bbroot --version >out && test_grep "^libcurl .*loaded by fetch on first use" out
'
test_expect_success 'make install puts the binary and man page under DESTDIR/PREFIX, and it needs no data files' '
	make -s -C "$TOP" O="$BBROOT_BUILD" install DESTDIR="$TRASH/dest" PREFIX=/opt/bb >/dev/null &&
	test -x "$TRASH/dest/opt/bb/bin/bbroot" &&
	test -f "$TRASH/dest/opt/bb/share/man/man1/bbroot.1" &&
	mkdir elsewhere && cd elsewhere &&
	"$TRASH/dest/opt/bb/bin/bbroot" -q pack --busybox "$(command -v busybox)" -o image.tar >/dev/null &&
	tar tf image.tar >list && test_grep "^etc/passwd$" list
'
test_done
