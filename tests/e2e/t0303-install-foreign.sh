#!/bin/sh
# bbroot install with Debian's busybox-static for other architectures: the
# applets are read from the binary (never run by bbroot), every path of its
# `--list-full` (run under qemu-user-static as the truth) is laid out, and
# the arm64 tree runs under chroot through qemu.
. "$(dirname "$0")/lib.sh"

FIXTURE="$TOP/tests/fixtures/debian-busybox"

# Debian arch  qemu-user  OCI architecture
while read -r arch qemu oci; do
	if ! bin=$(sh "$FIXTURE" bin "$arch" 2>"$TRASH/fetch-$arch.err"); then
		test_skip "$arch: install lays out every applet" \
			"Debian busybox-static for $arch ($(cat "$TRASH/fetch-$arch.err"))"
		continue
	fi
	if ! command -v "qemu-$qemu-static" >/dev/null 2>&1; then
		test_skip "$arch: install lays out every applet" "qemu-$qemu-static (qemu-user-static)"
		continue
	fi
	run=qemu-$qemu-static
	export bin run arch oci
	test_expect_success "$arch: install lays out every applet of --list-full" '
		bbroot install --busybox "$bin" --arch $oci --release "$arch" r-$arch 2>err &&
		$run "$bin" --list-full | grep -v "^bin/busybox\$" >want &&
		test $(wc -l <want) -gt 100 &&
		(cd r-$arch && bb=$(stat -c %i bin/busybox) &&
		 while read -r a; do test "$(stat -c %i "$a")" = "$bb" || { echo "missing: $a"; exit 1; }; done) <want &&
		n=$(find r-$arch -samefile r-$arch/bin/busybox | wc -l) &&
		test "$n" = $(($(wc -l <want) + 1)) &&
		cmp "$bin" r-$arch/bin/busybox &&
		v=$(bbroot inspect "$bin" | sed -n "s/^version: *//p") &&
		grep -q "^VERSION_ID=$v\$" r-$arch/etc/os-release
	'
	test_expect_success "$arch: a binary for $arch is refused with --arch amd64 (exit 3)" '
		test_expect_code 3 bbroot install --busybox "$bin" --arch amd64 wrong-$arch 2>err &&
		test_grep "not amd64" err && ! test -e wrong-$arch
	'
done <<'ARCHES'
arm64 aarch64 arm64
armhf arm arm
s390x s390x s390x
ARCHES

# Running the arm64 tree under chroot needs qemu-aarch64 registered with
# binfmt_misc and the F flag (the interpreter opened at registration, so
# it need not be inside the tree): register it as DESIGN.md shows when it
# is not already.
binfmt_aarch64() {
	bm=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf
	grep -qs "^enabled" $bm/qemu-aarch64 && return 0
	[ -f $conf ] || { echo "qemu-user-static not installed"; return 1; }
	[ -e $bm/register ] || mount -t binfmt_misc binfmt_misc $bm 2>/dev/null ||
		{ echo "cannot mount binfmt_misc"; return 1; }
	[ -e $bm/qemu-aarch64 ] && { echo "qemu-aarch64 registered but disabled"; return 1; }
	line=$(grep -v "^#" $conf | head -n 1)
	case $line in *:*F*) ;; *) line="${line}F" ;; esac
	printf "%s" "$line" >$bm/register 2>/dev/null || { echo "cannot register qemu-aarch64"; return 1; }
	grep -qs "^enabled" $bm/qemu-aarch64 || { echo "qemu-aarch64 did not register"; return 1; }
}

if [ "$(id -u)" != 0 ]; then
	test_skip 'arm64 tree runs under chroot' 'root for chroot and binfmt_misc'
elif ! [ -d "$TRASH/r-arm64" ]; then
	test_skip 'arm64 tree runs under chroot' 'the arm64 tree above'
elif ! why=$(binfmt_aarch64); then
	test_skip 'arm64 tree runs under chroot' "qemu-aarch64 in binfmt_misc: $why"
else
	test_expect_success 'arm64 tree runs under chroot' '
		chroot r-arm64 /bin/sh -c "cat /release; ls /bin | wc -l; uname -m" >out &&
		printf "%s\n" arm64 "$(ls r-arm64/bin | wc -l)" aarch64 >expect &&
		cmp expect out
	'
fi
test_done
