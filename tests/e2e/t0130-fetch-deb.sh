#!/bin/sh
# bbroot fetch of real Debian packages (busybox-static for amd64, arm64 and
# armhf, downloaded at test time with apt-get) served on loopback: the
# binary is bin/busybox inside; the dynamic `busybox` package is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

FIX=$TOP/tests/fixtures/debian-busybox
mkdir -p "$TRASH/www/pool"
for a in amd64 arm64 armhf; do
	if deb=$("$FIX" deb $a 2>"$TRASH/fixture.err") && bin=$("$FIX" bin $a 2>>"$TRASH/fixture.err"); then
		cp "$deb" "$TRASH/www/pool/busybox-static_$a.deb"
		cp "$bin" "$TRASH/bin-$a"
	fi
done
if deb=$("$FIX" deb amd64 busybox 2>>"$TRASH/fixture.err"); then
	cp "$deb" "$TRASH/www/pool/busybox_amd64.deb"
fi
if [ ! -f "$TRASH/www/pool/busybox-static_arm64.deb" ]; then
	test_skip 'fetching Debian .deb packages' "apt-get download of busybox-static ($(head -n 1 "$TRASH/fixture.err"))"
	test_done
	exit
fi
if ! start_faultserver "$TRASH/www"; then
	echo "Bail out! fault server did not start"
	exit 1
fi
fresh() { mkdir "$1" && cd "$1" && export XDG_CACHE_HOME=$TRASH/$1.cache; }

# The lock section and platform each Debian architecture gives.
section() { case $1 in armhf) echo arm ;; *) echo "$1" ;; esac; }
platform() { case $1 in amd64) echo linux/amd64 ;; arm64) echo linux/arm64/v8 ;; armhf) echo linux/arm/v7 ;; esac; }

for a in amd64 arm64 armhf; do
	if [ ! -f "$TRASH/www/pool/busybox-static_$a.deb" ]; then
		test_skip "busybox-static $a .deb" "apt-get download for $a"
		continue
	fi
	test_expect_success "busybox-static $a .deb: bin/busybox is cached and locked" '
		deb=$TRASH/www/pool/busybox-static_'$a'.deb &&
		debsum=$(sha256_of "$deb") && binsum=$(sha256_of "$TRASH/bin-'$a'") &&
		mkdir -p all && cd all && export XDG_CACHE_HOME=$TRASH/all.cache &&
		bbroot fetch --sha256 $debsum "$FAULT/pool/busybox-static_'$a'.deb" >out 2>err &&
		test_grep "^$binsum " out &&
		cmp "$TRASH/bin-'$a'" "$XDG_CACHE_HOME/bbroot/$binsum" &&
		sed -n "/^\[$(section '$a')\]/,/^\$/p" bbroot.lock >sec &&
		test_grep "^sha256 = $binsum\$" sec &&
		test_grep "^source_sha256 = $debsum\$" sec &&
		test_grep "^platform = $(platform '$a')\$" sec &&
		test_grep "^version = 1.35.0\$" sec &&
		test -z "$(find "$XDG_CACHE_HOME" -name "*.part")"
	'
done
test_expect_success 'the lock holds one section per architecture' '
	cd all && test "$(grep "^\[" bbroot.lock | tr "\n" " ")" = "[amd64] [arm] [arm64] "
'
test_expect_success 'warm cache: fetch --arch arm64 makes no request' '
	cd all && export XDG_CACHE_HOME=$TRASH/all.cache &&
	before=$(wc -l <"$FAULT_LOG") &&
	bbroot fetch --arch arm64 2>err && test_grep "up to date" err &&
	test "$(wc -l <"$FAULT_LOG")" = "$before"
'
test_expect_success 'cold cache: the lock refetches the .deb and checks both digests' '
	cd all && export XDG_CACHE_HOME=$TRASH/all.cache &&
	rm -rf "$XDG_CACHE_HOME" &&
	bbroot fetch --arch arm64 >out 2>err &&
	test_grep "GET /pool/busybox-static_arm64.deb" "$FAULT_LOG" &&
	cmp "$TRASH/bin-arm64" "$XDG_CACHE_HOME/bbroot/$(sha256_of "$TRASH/bin-arm64")"
'
test_expect_success 'a .deb from a local path works too' '
	fresh local &&
	bbroot fetch "$TRASH/www/pool/busybox-static_arm64.deb" >out 2>err &&
	test_grep "^\[arm64\]" bbroot.lock && test_grep "trusting it on first use" err
'
test_expect_success '--arch that does not match the package is exit 3' '
	fresh wrongarch &&
	test_expect_code 3 bbroot fetch --arch amd64 --insecure "$FAULT/pool/busybox-static_arm64.deb" 2>err &&
	test_grep "built for arm64, not amd64" err &&
	test ! -e bbroot.lock && test -z "$(cache_files)"
'
if [ -f "$TRASH/www/pool/busybox_amd64.deb" ]; then
	test_expect_success 'the dynamic busybox package is refused with exit 3' '
		fresh dynamic &&
		test_expect_code 3 bbroot fetch --insecure "$FAULT/pool/busybox_amd64.deb" 2>err &&
		test_grep "binary check failed for .$FAULT/pool/busybox_amd64.deb.: dynamically linked (interpreter /lib.*libc.so" err &&
		test ! -e bbroot.lock && test -z "$(cache_files)"
	'
else
	test_skip 'the dynamic busybox package is refused' 'apt-get download of busybox'
fi
test_expect_success 'a package without bin/busybox is refused with exit 3' '
	fresh forged &&
	mkdir -p pkg/DEBIAN pkg/usr/bin &&
	printf "Package: busybox-static\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: forged\n" >pkg/DEBIAN/control &&
	cp /bin/sh pkg/usr/bin/busybox &&
	dpkg-deb -Zxz --build pkg "$TRASH/forged.deb" >/dev/null &&
	test_expect_code 3 bbroot fetch "$TRASH/forged.deb" 2>err &&
	test_grep "cannot use package .file://$TRASH/forged.deb.: no bin/busybox in it" err &&
	test ! -e bbroot.lock && test -z "$(cache_files)"
'
test_expect_success 'a truncated package is refused with exit 3' '
	fresh truncated &&
	head -c 20000 "$TRASH/www/pool/busybox-static_arm64.deb" >"$TRASH/short.deb" &&
	test_expect_code 3 bbroot fetch "$TRASH/short.deb" 2>err &&
	test_grep "package .file://$TRASH/short.deb.: " err &&
	test ! -e bbroot.lock && test -z "$(cache_files)"
'
test_done
