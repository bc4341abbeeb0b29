#!/bin/sh
# bbroot fetch over plain HTTP against the project's fault-injecting server
# (tests/servers/faultserver.py): each failure gives its exit code, a message
# naming the URL and the cause, and leaves nothing behind except a .part
# where resuming is the point.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

BB=$(static_busybox)
BBSUM=$(sha256_of "$BB")
BBSIZE=$(wc -c <"$BB")
UP=downloads/binaries/1.35.0-x86_64-linux-musl
mkdir -p "$TRASH/www/$UP" &&
cp "$BB" "$TRASH/www/busybox" && cp "$BB" "$TRASH/www/$UP/busybox" ||
	exit 1
if ! start_faultserver "$TRASH/www"; then
	echo "Bail out! fault server did not start"
	exit 1
fi

# Each test: its own directory and cache.
fresh() { mkdir "$1" && cd "$1" && export XDG_CACHE_HOME=$TRASH/$1.cache; }
requests() { grep -c "$1" "$FAULT_LOG" || true; }
parts() { find "$XDG_CACHE_HOME" -name "*.part" 2>/dev/null; }
nothing_left() {
	test -z "$(cache_files)" && test ! -e bbroot.lock && test -z "$(ls -A | grep -v "^err\$\|^out\$")"
}
PIN="--sha256 $BBSUM"
FAST="--retry-delay 0"

test_expect_success 'plain http without a pin is refused before any request' '
	fresh nopin &&
	test_expect_code 1 bbroot fetch "$FAULT/busybox" 2>err &&
	test_grep "refusing plain http without a sha256 pin .$FAULT/busybox.: give --sha256" err &&
	test "$(requests "GET /busybox ")" = 0 && nothing_left
'
test_expect_success 'plain http with --insecure is trusted on first use' '
	fresh insecure &&
	bbroot fetch --insecure "$FAULT/busybox" >out 2>err &&
	test_grep "trusting it on first use" err &&
	test_grep "^sha256 = $BBSUM" bbroot.lock && test -z "$(parts)"
'
test_expect_success 'plain http with --sha256 is fetched and cached' '
	fresh pinned &&
	bbroot fetch $PIN "$FAULT/busybox" >out &&
	test_grep "^url = $FAULT/busybox\$" bbroot.lock &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM" && test -z "$(parts)"
'
test_expect_success 'a warm cache makes no request (server log)' '
	cd pinned && export XDG_CACHE_HOME=$TRASH/pinned.cache &&
	before=$(wc -l <"$FAULT_LOG") &&
	bbroot fetch $PIN "$FAULT/busybox" >out 2>err &&
	bbroot fetch >out 2>err && test_grep "up to date" err &&
	test "$(wc -l <"$FAULT_LOG")" = "$before"
'
test_expect_success 'a corrupted cache entry is discarded and downloaded again' '
	cd pinned && export XDG_CACHE_HOME=$TRASH/pinned.cache &&
	before=$(requests "GET /busybox ") &&
	printf tampered >"$XDG_CACHE_HOME/bbroot/$BBSUM" &&
	bbroot fetch >out 2>err &&
	test_grep "warning: cache entry .*/$BBSUM. does not match its sha256: discarding it" err &&
	test "$(requests "GET /busybox ")" = $((before + 1)) &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success '404: exit 1, URL and status named, not retried, nothing left' '
	fresh e404 &&
	test_expect_code 1 bbroot fetch $PIN $FAST "$FAULT/404/busybox" 2>err &&
	test_grep "cannot download .$FAULT/404/busybox.: .*404" err &&
	test "$(requests "GET /404/busybox ")" = 1 && nothing_left
'
test_expect_success '500 then success: retried with backoff' '
	fresh e500 &&
	bbroot fetch $PIN $FAST "$FAULT/flaky500/busybox" >out 2>err &&
	test_grep "warning: cannot download .$FAULT/flaky500/busybox.: .*500" err &&
	test_grep "retrying" err &&
	test "$(requests "GET /flaky500/busybox ")" = 2 &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success '500 with --retries 0: exit 1 naming the status, nothing left' '
	fresh e500b &&
	test_expect_code 1 bbroot fetch $PIN $FAST --retries 0 "$FAULT/flaky500/busybox?b" 2>err &&
	test_grep "^bbroot: cannot download .$FAULT/flaky500/busybox?b.: .*500" err && nothing_left
'
test_expect_success 'dropped mid-body: exit 1, the .part is kept for resuming' '
	fresh drop &&
	test_expect_code 1 bbroot fetch $PIN --retries 0 "$FAULT/drop/busybox" 2>err &&
	test_grep "cannot download .$FAULT/drop/busybox.: " err &&
	test_grep "partial download kept" err &&
	test "$(wc -c <"$(parts)")" = $((BBSIZE / 2)) &&
	test -z "$(find "$XDG_CACHE_HOME/bbroot" -maxdepth 1 -type f)" && test ! -e bbroot.lock
'
test_expect_success '... and the next run resumes it with a Range request' '
	cd drop && export XDG_CACHE_HOME=$TRASH/drop.cache &&
	bbroot fetch $PIN --retries 0 "$FAULT/drop/busybox" >out 2>err &&
	test_grep "GET /drop/busybox range=bytes=$((BBSIZE / 2))-" "$FAULT_LOG" &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM" && test -z "$(parts)" &&
	test_grep "^sha256 = $BBSUM" bbroot.lock
'
test_expect_success 'dropped mid-body with retries: resumed within one run' '
	fresh drop2 &&
	bbroot fetch $PIN $FAST "$FAULT/drop/busybox?again" >out 2>err &&
	test_grep "GET /drop/busybox?again range=bytes=" "$FAULT_LOG" &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success 'a server that ignores Range: clean restart, right bytes' '
	fresh norange &&
	bbroot fetch $PIN $FAST "$FAULT/dropnorange/busybox" >out 2>err &&
	test_grep "cannot resume at byte $((BBSIZE / 2))" err &&
	test "$(requests "GET /dropnorange/busybox ")" = 3 &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM" && test -z "$(parts)"
'
test_expect_success 'a stale .part that does not match the pin: downloaded again from scratch' '
	fresh stale && url="$FAULT/busybox?stale" &&
	mkdir -p "$XDG_CACHE_HOME/bbroot/partial" &&
	head -c 1000 /dev/zero >"$XDG_CACHE_HOME/bbroot/partial/$(printf %s "$url" | sha256sum | cut -c1-32).part" &&
	bbroot fetch $PIN "$url" >out 2>err &&
	test_grep "resumed download does not match its sha256: downloading it again" err &&
	test_grep "GET /busybox?stale range=bytes=1000-" "$FAULT_LOG" &&
	test_grep "GET /busybox?stale range=-" "$FAULT_LOG" &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM" && test -z "$(parts)"
'
test_expect_success 'unpinned (--insecure) and dropped mid-body: no .part is kept for a later run' '
	fresh udrop &&
	test_expect_code 1 bbroot fetch --insecure --retries 0 "$FAULT/drop/busybox?unpinned" 2>err &&
	test_grep "cannot download .$FAULT/drop/busybox?unpinned.: " err &&
	! test_grep "partial download kept" err 2>/dev/null &&
	test -z "$(parts)" && nothing_left
'
test_expect_success 'unpinned: a leftover .part is not resumed (a changed file would be spliced)' '
	fresh ustale && url="$FAULT/busybox?ustale" &&
	mkdir -p "$XDG_CACHE_HOME/bbroot/partial" &&
	head -c 1000 "$BB" >"$XDG_CACHE_HOME/bbroot/partial/$(printf %s "$url" | sha256sum | cut -c1-32).part" &&
	bbroot fetch --insecure "$url" >out 2>err &&
	test_grep "has no sha256 pin: not resuming its partial download" err &&
	! test_grep "GET /busybox?ustale range=bytes=" "$FAULT_LOG" 2>/dev/null &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM" && test -z "$(parts)"
'
test_expect_success 'a stalled body hits the low-speed timeout' '
	fresh stall &&
	test_expect_code 1 bbroot fetch $PIN --retries 0 --low-speed-time 1 \
		--low-speed-limit 1000 "$FAULT/stall/busybox" 2>err &&
	test_grep "cannot download .$FAULT/stall/busybox.: Operation too slow" err &&
	test ! -e bbroot.lock &&
	test -z "$(find "$XDG_CACHE_HOME/bbroot" -maxdepth 1 -type f)"
'
test_expect_success 'a redirect loop stops at --max-redirs' '
	fresh loop &&
	test_expect_code 1 bbroot fetch $PIN --max-redirs 3 "$FAULT/loop/0" 2>err &&
	test_grep "cannot download .$FAULT/loop/0.: Maximum (3) redirects followed" err &&
	test "$(requests "GET /loop/")" -ge 4 && nothing_left
'
test_expect_success 'a redirect to file:// is refused' '
	fresh tofile &&
	test_expect_code 1 bbroot fetch $PIN "$FAULT/tofile/$TRASH/www/busybox" 2>err &&
	test_grep "cannot download .$FAULT/tofile/.* (redirected to .file:///.*): redirects are followed to https and http only" err &&
	nothing_left
'
test_expect_success 'an http redirect is followed' '
	fresh redir &&
	bbroot fetch $PIN "$FAULT/redirect/busybox" >out &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success 'a body over --max-size (Content-Length) is refused' '
	fresh big1 &&
	test_expect_code 1 bbroot fetch $PIN --max-size 1M "$FAULT/busybox" 2>err &&
	test_grep "cannot download .$FAULT/busybox.: larger than the maximum size 1.0 MiB" err &&
	nothing_left
'
test_expect_success 'a body over --max-size (chunked, no length) is refused' '
	fresh big2 &&
	test_expect_code 1 bbroot fetch $PIN --max-size 1M "$FAULT/chunked/busybox" 2>err &&
	test_grep "cannot download .$FAULT/chunked/busybox.: larger than the maximum size" err &&
	nothing_left
'
test_expect_success 'content that does not match the pin: exit 3, nothing left' '
	fresh mismatch &&
	test_expect_code 3 bbroot fetch --sha256 $(echo x | sha256sum | cut -c1-64) "$FAULT/busybox" 2>err &&
	test_grep "checksum mismatch for .$FAULT/busybox.: expected sha256 .*, got $BBSUM" err &&
	nothing_left
'
test_expect_success 'connection refused: retried, then exit 1 naming the cause' '
	fresh refused && port=$(free_port) &&
	test_expect_code 1 bbroot fetch $PIN $FAST --retries 1 "http://127.0.0.1:$port/busybox" 2>err &&
	test_grep "warning: cannot download .http://127.0.0.1:$port/busybox.: .*" err &&
	test_grep "retrying in 0s (attempt 2 of 2)" err && nothing_left
'
test_expect_success 'Ctrl-C keeps the .part for the next run' '
	fresh intr &&
	{ "$BBROOT" fetch $PIN --retries 0 "$FAULT/stall/busybox?intr" 2>err & } &&
	pid=$! && i=0 &&
	while [ -z "$(parts)" ] || [ "$(wc -c <"$(parts)")" -lt 1024 ]; do
		i=$((i + 1)); [ $i -lt 100 ]; sleep 0.1
	done &&
	kill -INT $pid && { wait $pid; rc=$?; } ;
	test "$rc" = 130 &&
	test_grep "interrupted: 1024 bytes kept" err &&
	test "$(wc -c <"$(parts)")" = 1024 && test ! -e bbroot.lock
'

# The default source: the pinned upstream URL, served by a loopback mirror.
test_expect_success 'default source: the lock pin, the mirror path, no network elsewhere' '
	fresh mirror &&
	printf "[amd64]\nurl = https://busybox.net/%s/busybox\nsha256 = %s\n" "$UP" "$BBSUM" >bbroot.lock &&
	bbroot fetch --mirror "$FAULT/" >out 2>err &&
	test_grep "GET /$UP/busybox " "$FAULT_LOG" &&
	test_grep "^url = https://busybox.net/$UP/busybox\$" bbroot.lock &&
	test_grep "^version = " bbroot.lock &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success 'default source: BBROOT_MIRROR works too' '
	fresh mirrorenv &&
	printf "[amd64]\nurl = https://busybox.net/%s/busybox\nsha256 = %s\n" "$UP" "$BBSUM" >bbroot.lock &&
	BBROOT_MIRROR=$FAULT bbroot fetch >out 2>err &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success 'default source: the compiled-in pin is enforced (exit 3)' '
	fresh upstream &&
	test_expect_code 3 bbroot fetch --arch amd64 --mirror "$FAULT" 2>err &&
	test_grep "checksum mismatch for .$FAULT/$UP/busybox.: expected sha256 6e123e7f3202a8c1e9b1f94d8941580a25135382b99e8d3e34fb858bba311348 (pins.ini), got $BBSUM" err &&
	nothing_left
'
test_expect_success 'default source offline: one line naming URL and cause, plus a hint' '
	fresh offline && port=$(free_port) &&
	test_expect_code 1 bbroot fetch --arch amd64 --retries 0 --mirror "http://127.0.0.1:$port" 2>err &&
	test "$(grep -c "^bbroot: " err)" = 1 &&
	test_grep "^bbroot: cannot download .http://127.0.0.1:$port/$UP/busybox.: .*" err &&
	test_grep "^hint: .*bbroot fetch host" err && nothing_left
'
test_expect_success '--offline without the binary in the cache fails clearly' '
	fresh offline2 &&
	test_expect_code 1 bbroot fetch --offline --arch amd64 2>err &&
	test_grep "cannot fetch .https://busybox.net/$UP/busybox.: --offline and the cache does not have it" err &&
	test_grep "^hint: " err && nothing_left
'
test_expect_success '--offline with a lock and a warm cache succeeds' '
	cd mirror && export XDG_CACHE_HOME=$TRASH/mirror.cache &&
	bbroot fetch --offline >out 2>err && test_grep "up to date" err
'
test_done
