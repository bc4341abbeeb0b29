#!/bin/sh
# The applet table reader agrees exactly with `busybox --list-full` (names
# and directories, without busybox itself) for Debian's busybox-static on
# every architecture Debian builds it for, and inspect names the platform.
# The truth comes from running each binary (amd64 natively, the others
# under qemu-user-static); bbroot itself never runs them.
. "$(dirname "$0")/lib.sh"

FIXTURE="$TOP/tests/fixtures/debian-busybox"

# arch  qemu-user  platform
while read -r arch qemu platform; do
	if ! bin=$(sh "$FIXTURE" bin "$arch" 2>"$TRASH/fetch-$arch.err"); then
		test_skip "$arch: table agrees with --list-full" \
			"Debian busybox-static for $arch ($(cat "$TRASH/fetch-$arch.err"))"
		continue
	fi
	if [ "$qemu" = - ]; then
		run=
	elif command -v "qemu-$qemu-static" >/dev/null 2>&1; then
		run=qemu-$qemu-static
	else
		test_skip "$arch: table agrees with --list-full" "qemu-$qemu-static (qemu-user-static)"
		continue
	fi
	export bin run arch platform
	test_expect_success "$arch: table agrees with --list-full" '
		$run "$bin" --list-full >list &&
		grep -v "^bin/busybox\$" list | sort >want &&
		test $(wc -l <want) -gt 100 &&
		bbroot inspect -v "$bin" >out &&
		test_grep "^applets:   $(wc -l <want) (from table)\$" out &&
		sed -n "s|^/||p" out | sort >got &&
		{ cmp -s want got || { diff -u want got | head -n 40; false; }; }
	'
	test_expect_success "$arch: inspect says $platform, static, 1.x" '
		bbroot inspect "$bin" >out &&
		test_grep "^platform:  $platform\$" out &&
		test_grep "^linkage:   static\$" out &&
		test_grep "^version:   1\.[0-9]*\.[0-9]*\$" out
	'
done <<'ARCHES'
amd64 - linux/amd64
arm64 aarch64 linux/arm64/v8
armhf arm linux/arm/v7
armel arm linux/arm/v5
i386 i386 linux/386
ppc64el ppc64le linux/ppc64le
s390x s390x linux/s390x
mipsel mipsel linux/mipsle
mips64el mips64el linux/mips64le
ARCHES

test_done
