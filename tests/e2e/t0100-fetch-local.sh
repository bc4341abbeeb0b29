#!/bin/sh
# bbroot fetch from files and the host: trust on first use, the lock file,
# the cache (warm, corrupt), pins, and the binary check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

BB=$(static_busybox)
BBSUM=$(sha256_of "$BB")
cp "$BB" "$TRASH/busybox"

test_expect_success 'a file is fetched, trusted on first use and locked' '
	bbroot fetch ./busybox >out 2>err &&
	test_grep "^$BBSUM  .*/bbroot/$BBSUM\$" out &&
	test_grep "trusting it on first use" err &&
	test_grep "^\[amd64\]\$" bbroot.lock &&
	test_grep "^url = file://$TRASH/busybox\$" bbroot.lock &&
	test_grep "^sha256 = $BBSUM\$" bbroot.lock &&
	test_grep "^size = $(wc -c <busybox)\$" bbroot.lock &&
	test_grep "^version = 1\." bbroot.lock &&
	test_grep "^platform = linux/amd64\$" bbroot.lock &&
	cmp busybox "$XDG_CACHE_HOME/bbroot/$BBSUM" &&
	test "$(cache_files)" = "./$BBSUM"
'
test_expect_success 'with the lock and a warm cache, fetch does nothing' '
	cp bbroot.lock lock.before &&
	bbroot fetch >out 2>err &&
	test_grep "up to date" err &&
	test_grep "^$BBSUM " out &&
	cmp lock.before bbroot.lock
'
test_expect_success 'the lock is verified against: changed content is exit 3' '
	cp busybox busybox.orig &&
	printf x >>busybox &&
	rm "$XDG_CACHE_HOME/bbroot/$BBSUM" &&
	test_expect_code 3 bbroot fetch ./busybox 2>err &&
	test_grep "checksum mismatch for .file://.*/busybox.: expected sha256 $BBSUM (bbroot.lock), got " err &&
	cmp lock.before bbroot.lock &&
	test -z "$(cache_files)" &&
	mv busybox.orig busybox
'
test_expect_success 'a corrupted cache entry is detected and replaced' '
	bbroot fetch ./busybox &&
	printf garbage >"$XDG_CACHE_HOME/bbroot/$BBSUM" &&
	bbroot fetch 2>err &&
	test_grep "does not match its sha256: discarding it" err &&
	cmp busybox "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success '--sha256 mismatch: exit 3, expected and actual, nothing kept' '
	mkdir pin && cd pin &&
	test_expect_code 3 bbroot fetch --cache-dir "$TRASH/c2" \
		--sha256 0000000000000000000000000000000000000000000000000000000000000000 ../busybox 2>../err5 &&
	test_grep "expected sha256 0000000000000000000000000000000000000000000000000000000000000000 (--sha256), got $BBSUM" ../err5 &&
	test ! -e bbroot.lock && test -z "$(ls -A)" &&
	test -z "$(find "$TRASH/c2" -type f)"
'
test_expect_success '--sha256 match is accepted (upper case too)' '
	mkdir pinok && cd pinok &&
	bbroot -q fetch --sha256 "$(echo $BBSUM | tr a-f A-F)" ../busybox >out 2>err &&
	test ! -s err && test_grep "^sha256 = $BBSUM" bbroot.lock
'
test_expect_success 'BBROOT_CACHE and --cache-dir choose the cache' '
	mkdir envc && cd envc &&
	BBROOT_CACHE=$TRASH/envcache bbroot fetch ../busybox >out &&
	test -f "$TRASH/envcache/$BBSUM" &&
	bbroot fetch --cache-dir "$TRASH/optcache" ../busybox >out &&
	test -f "$TRASH/optcache/$BBSUM"
'
test_expect_success 'host: the busybox on PATH' '
	mkdir h h/bin && cp busybox h/bin/busybox && cd h &&
	PATH=$TRASH/h/bin:$PATH bbroot fetch host >out &&
	test_grep "^url = file://$TRASH/h/bin/busybox\$" bbroot.lock
'
test_expect_success 'host without a busybox on PATH fails clearly' '
	mkdir h2 && cd h2 &&
	PATH=/nonexistent test_expect_code 1 "$BBROOT" fetch host 2>err &&
	test_grep "cannot find .busybox. on PATH" err
'
test_expect_success 'a dynamic binary is refused with exit 3 naming its libraries' '
	mkdir dyn && cd dyn &&
	test_expect_code 3 bbroot fetch /bin/ls 2>err &&
	test_grep "dynamically linked (interpreter /lib.*libc.so" err &&
	test ! -e bbroot.lock &&
	test -z "$(find "$XDG_CACHE_HOME/bbroot" -name "*.part")"
'
test_expect_success 'a file that is neither ELF nor .deb is refused with exit 3' '
	mkdir junk && cd junk && echo "#!/bin/sh" >script &&
	test_expect_code 3 bbroot fetch ./script 2>err && test_grep "binary check failed" err &&
	test ! -e bbroot.lock
'
test_expect_success '--arch that does not match the binary is exit 3' '
	mkdir arch && cd arch &&
	test_expect_code 3 bbroot fetch --arch arm64 ../busybox 2>err &&
	test_grep "built for amd64, not arm64" err && test ! -e bbroot.lock
'
test_expect_success '--arch accepts Debian and uname names' '
	mkdir alias && cd alias &&
	bbroot fetch --arch x86_64 ../busybox >out && test_grep "^\[amd64\]" bbroot.lock &&
	test_expect_code 3 bbroot fetch --arch armhf ../busybox 2>err &&
	test_grep "built for amd64, not arm\$" err &&
	test_expect_code 2 bbroot fetch --arch "AMD 64" ../busybox 2>err
'
test_expect_success 'without a terminal: one plain line per download' '
	mkdir plain && cd plain &&
	bbroot fetch --cache-dir "$TRASH/plain.cache" ../busybox >out 2>err &&
	test "$(grep -c "^bbroot: downloaded .file://$TRASH/busybox.: [0-9.]* MiB in " err)" = 1 &&
	! grep -q "$(printf "\r")" err
'
test_expect_success '--progress draws the progress line; -q prints nothing' '
	mkdir prog && cd prog &&
	bbroot --progress fetch --cache-dir "$TRASH/prog.cache" ../busybox >out 2>err &&
	grep -q "$(printf "\r")" err && test_grep "MiB/s" err &&
	rm -rf "$TRASH/prog.cache" bbroot.lock &&
	bbroot -q --progress fetch --cache-dir "$TRASH/prog.cache" ../busybox >out 2>err &&
	test ! -s err && test_grep "^$BBSUM " out
'
test_expect_success 'a missing file fails with exit 1' '
	test_expect_code 1 bbroot fetch ./nope 2>err &&
	test_grep "cannot read .\./nope.: No such file" err
'
test_expect_success 'usage errors are exit 2 with a hint' '
	test_expect_code 2 bbroot fetch --sha256 xyz ./busybox 2>err &&
	test_grep "try .bbroot fetch -h." err &&
	test_expect_code 2 bbroot fetch --max-size 1X ./busybox 2>err &&
	test_expect_code 2 bbroot fetch a b 2>err &&
	test_expect_code 2 bbroot fetch ftp://x/busybox 2>err &&
	bbroot fetch -h >out && test_grep "^usage: bbroot fetch" out
'
test_expect_success 'no pin for the architecture explains --sha256 and trust on first use' '
	mkdir nopin && cd nopin &&
	test_expect_code 1 bbroot fetch --arch riscv64 2>err &&
	test_grep "no pinned upstream busybox for .riscv64.*--sha256.*trusted on first use" err
'
test_expect_success 'a malformed lock file is an error naming it' '
	mkdir badlock && cd badlock &&
	printf "[amd64]\nurl = file:///x\nsha256 = nothex\n" >bbroot.lock &&
	test_expect_code 1 bbroot fetch 2>err &&
	test_grep "invalid lock file .bbroot.lock.: \[amd64\] has a sha256" err
'
test_expect_success 'a lock with two architectures keeps both, sorted' '
	mkdir two && cd two &&
	printf "[s390x]\nurl = file:///elsewhere\nsha256 = %s\n" "$BBSUM" >bbroot.lock &&
	bbroot fetch ../busybox &&
	test "$(grep "^\[" bbroot.lock | tr "\n" " ")" = "[amd64] [s390x] "
'
test_done
