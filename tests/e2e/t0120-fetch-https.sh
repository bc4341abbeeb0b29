#!/bin/sh
# bbroot fetch over real HTTPS (Debian's nginx on loopback) with a CA made
# by openssl at test time: accepted with --cacert, refused without it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

if ! command -v nginx >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
	test_skip 'https fetch with a test CA' 'nginx and openssl (make deps)'
	test_done
	exit
fi
BB=$(static_busybox)
BBSUM=$(sha256_of "$BB")
mkdir -p "$TRASH/www" && cp "$BB" "$TRASH/www/busybox" || exit 1
if ! make_ca "$TRASH/ca" || ! start_nginx "$TRASH/www" "$TRASH/ca"; then
	echo "Bail out! cannot start nginx with a test certificate"
	cat "$TRASH/nginx/error.log" 2>/dev/null | sed 's/^/# /'
	exit 1
fi
fresh() { mkdir "$1" && cd "$1" && export XDG_CACHE_HOME=$TRASH/$1.cache; }

test_expect_success 'https with an unknown CA is refused (TLS is verified)' '
	fresh noca &&
	test_expect_code 1 bbroot fetch --retries 0 "$HTTPS_URL/busybox" 2>err &&
	test_grep "cannot download .$HTTPS_URL/busybox.: .*certificate" err &&
	test ! -e bbroot.lock && test -z "$(cache_files)"
'
test_expect_success 'https with --cacert is accepted and trusted on first use' '
	fresh withca &&
	bbroot fetch --cacert "$TRASH/ca/ca.pem" "$HTTPS_URL/busybox" >out 2>err &&
	test_grep "trusting it on first use" err &&
	test_grep "^url = $HTTPS_URL/busybox\$" bbroot.lock &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_expect_success 'https: a warm cache makes no request (nginx access log)' '
	cd withca && export XDG_CACHE_HOME=$TRASH/withca.cache &&
	before=$(wc -l <"$NGINX_LOG") &&
	bbroot fetch --cacert "$TRASH/ca/ca.pem" "$HTTPS_URL/busybox" >out 2>err &&
	bbroot fetch >out 2>err &&
	test "$(wc -l <"$NGINX_LOG")" = "$before"
'
test_expect_success 'https: a certificate for another name is refused' '
	fresh name &&
	port=${HTTPS_URL##*:} &&
	test_expect_code 1 bbroot fetch --retries 0 --cacert "$TRASH/ca/ca.pem" \
		"https://127.0.0.2:$port/busybox" 2>err &&
	test_grep "cannot download .https://127.0.0.2:$port/busybox.: .*certificate" err &&
	test -z "$(cache_files)"
'
test_expect_success 'https: the pin is checked too (exit 3)' '
	fresh pin &&
	test_expect_code 3 bbroot fetch --cacert "$TRASH/ca/ca.pem" \
		--sha256 $(echo x | sha256sum | cut -c1-64) "$HTTPS_URL/busybox" 2>err &&
	test_grep "checksum mismatch" err && test -z "$(cache_files)"
'
test_expect_success 'https redirected to http without a pin is refused' '
	fresh downgrade &&
	test_expect_code 1 bbroot fetch --retries 0 --cacert "$TRASH/ca/ca.pem" \
		"$HTTPS_URL/tohttp/busybox" 2>err &&
	test_grep "cannot download .$HTTPS_URL/tohttp/busybox. (redirected to .$HTTP_URL/busybox.): redirects are followed to https only" err &&
	test ! -e bbroot.lock && test -z "$(cache_files)"
'
test_expect_success 'https redirected to http with a pin is followed' '
	fresh downgradepin &&
	bbroot fetch --sha256 $BBSUM --cacert "$TRASH/ca/ca.pem" "$HTTPS_URL/tohttp/busybox" >out &&
	cmp "$BB" "$XDG_CACHE_HOME/bbroot/$BBSUM"
'
test_done
