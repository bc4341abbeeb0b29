#!/bin/sh
# install and pack never disagree: the tree `bbroot install` writes, packed
# with `bbroot pack --from`, is byte for byte the tar `bbroot pack` makes
# from the same options, for every link style and profile, with overlays.
. "$(dirname "$0")/lib.sh"

BB=${BBROOT_TEST_BUSYBOX:-/bin/busybox}
if ! [ -x "$BB" ] || ! "$BB" true 2>/dev/null; then
	test_skip 'install and pack agree' "a static busybox at $BB (Debian busybox-static)"
	test_done
	exit
fi
mkdir -p "$TRASH/ov/etc" "$TRASH/ov/opt" &&
echo "hello" >"$TRASH/ov/etc/motd" && chmod 640 "$TRASH/ov/etc/motd" &&
ln -s ../etc/motd "$TRASH/ov/opt/motd"

while read -r name opts; do
	export opts name
	test_expect_success "install + pack --from = pack: $name" '
		export SOURCE_DATE_EPOCH=1234567890 &&
		bbroot -q install --busybox "$BB" $opts tree-$name &&
		bbroot -q pack --busybox "$BB" $opts -o direct-$name.tar >/dev/null &&
		bbroot -q pack --from tree-$name -o from-$name.tar >/dev/null &&
		cmp direct-$name.tar from-$name.tar
	'
done <<EOF_CASES
default --release r
symlink --links symlink
relative --links relative --profile minimal
none --links none
overlay --overlay $TRASH/ov --release x
EOF_CASES
test_done
