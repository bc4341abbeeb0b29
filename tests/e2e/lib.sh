# tests/e2e/lib.sh - shared helpers for the end-to-end tests, in the style
# of git's t/test-lib.sh, producing TAP for prove.
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'fetch writes a lock' '
#           bbroot fetch ./busybox && test -f bbroot.lock
#   '
#   test_done
#
# Each test body runs in a subshell with `set -e` semantics given by &&
# chains, inside $TRASH (a fresh directory per test file, removed at the
# end unless BBROOT_KEEP_TRASH is set).  The binary under test is $BBROOT
# (set by make check; default build/bbroot).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BBROOT:=$TOP/build/bbroot}"
: "${BBROOT_BUILD:=$TOP/build}"
export BBROOT TOP BBROOT_BUILD
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/bbroot-test.XXXXXX")
export TRASH
# Keep the user's cache and locale out of the tests.
export XDG_CACHE_HOME="$TRASH/.cache" HOME="$TRASH/home"
unset BBROOT_CACHE BBROOT_MIRROR SOURCE_DATE_EPOCH
mkdir -p "$HOME"
test_count=0
test_failed=0
test_cleanup_cmds=

bbroot() { "$BBROOT" "$@"; }

# Run "$@" at exit (servers to stop); later registrations run first.
test_at_exit() { test_cleanup_cmds="$*; $test_cleanup_cmds"; }

test_finish_() {
	eval "$test_cleanup_cmds" >/dev/null 2>&1 || true
	if [ -z "${BBROOT_KEEP_TRASH:-}" ]; then rm -rf "$TRASH"; fi
}
trap test_finish_ EXIT

test_expect_success() {
	test_count=$((test_count + 1))
	if (cd "$TRASH" && eval "$2") >"$TRASH/.out.$test_count" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out.$test_count"
	fi
}

# Skip (print why); under CI=true a skip of a needed component is a failure.
test_skip() {
	test_count=$((test_count + 1))
	if [ "${CI:-}" = true ]; then
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1 # needs: $2 (CI=true: a skip is a failure)"
	else
		echo "ok $test_count - $1 # SKIP $2"
	fi
}

# test_expect_code CODE CMD...: CMD must exit with CODE (not crash).
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got from: $*" >&2
		return 1
	fi
	return 0
}

# test_must_fail CMD...: CMD must fail with an ordinary exit (1-3), not a
# signal (>125).
test_must_fail() {
	"$@"
	got=$?
	if [ "$got" = 0 ] || [ "$got" -gt 125 ]; then
		echo "expected failure, got exit $got from: $*" >&2
		return 1
	fi
	return 0
}

# test_grep PATTERN FILE: like grep -q, but shows FILE when it fails.
test_grep() {
	if grep -q -e "$1" "$2"; then return 0; fi
	echo "pattern '$1' not found in $2:" >&2
	cat "$2" >&2
	return 1
}

# A free TCP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" = 0 ]
}
