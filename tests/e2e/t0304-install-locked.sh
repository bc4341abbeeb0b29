#!/bin/sh
# bbroot install without --busybox: the binary bbroot.lock names, from
# the cache (bbroot fetch first); a clear message without a lock.
. "$(dirname "$0")/lib.sh"

BB=${BBROOT_TEST_BUSYBOX:-/bin/busybox}
if ! [ -x "$BB" ] || ! "$BB" true 2>/dev/null; then
	test_skip 'install from the lock' "a static busybox at $BB (Debian busybox-static)"
	test_done
	exit
fi

test_expect_success 'without a lock: a clear message, exit 1, nothing written' '
	test_expect_code 1 bbroot install out 2>err &&
	test_grep "bbroot fetch" err && ! test -e out
'

test_expect_success 'after fetch, install uses the locked binary from the cache' '
	bbroot -q fetch "$BB" && test -f bbroot.lock &&
	bbroot install --release locked out 2>err &&
	cmp "$BB" out/bin/busybox &&
	chroot out /bin/sh -c "cat /release" >rel && test "$(cat rel)" = locked
'

test_expect_success 'the locked binary for another --arch is named as missing' '
	test_expect_code 1 bbroot install --arch s390x out2 2>err &&
	test_grep "s390x" err && ! test -e out2
'
test_done
