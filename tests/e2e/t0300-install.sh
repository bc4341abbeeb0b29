#!/bin/sh
# bbroot install: a runnable rootfs from a real static busybox (the host's,
# Debian's busybox-static), link styles, profiles, idempotence, modes and
# times from the model, owners as root and as another user.
. "$(dirname "$0")/lib.sh"

BB=${BBROOT_TEST_BUSYBOX:-/bin/busybox}
if ! [ -x "$BB" ] || ! "$BB" true 2>/dev/null; then
	test_skip 'install tests' "a static busybox at $BB (Debian busybox-static)"
	test_done
	exit
fi

# A listing that compares trees: path, type, mode, owner, mtime, link,
# which entries share bin/busybox's inode.  The top directory is left out
# (it is not part of the image).
tree_listing() {
	(cd "$1" && bbino=$(stat -c %i bin/busybox 2>/dev/null || echo none) &&
	 find . -mindepth 1 -printf '%p %y %m %U %G %T@ %l %i\n' |
	 sed "s/ $bbino\$/ busybox/; s/ [0-9]*\$//" | LC_ALL=C sort)
}

test_expect_success 'install lays out a rootfs that runs under chroot' '
	bbroot install --busybox "$BB" --release KatacodaPrivateBuild root 2>err &&
	test_grep "installed busybox" err &&
	chroot root /bin/sh -c "cat /release; ls /bin | wc -l" >out &&
	echo KatacodaPrivateBuild >expect &&
	"$BB" --list-full | grep -c "^bin/" >>expect &&
	cmp expect out
'

test_expect_success 'every applet is at the path busybox --list-full names' '
	"$BB" --list-full | LC_ALL=C sort >expect &&
	(cd root && for a in $(cat ../expect); do test -e "$a" && echo "$a"; done) >actual &&
	cmp expect actual
'

test_expect_success 'bin/busybox is the binary, not a link to itself' '
	test -f root/bin/busybox && ! test -L root/bin/busybox &&
	cmp "$BB" root/bin/busybox &&
	test "$(stat -c %a root/bin/busybox)" = 755
'

test_expect_success 'default links are hard links to bin/busybox' '
	test "$(stat -c %i root/bin/sh)" = "$(stat -c %i root/bin/busybox)" &&
	test "$(stat -c %i root/usr/bin/env)" = "$(stat -c %i root/bin/busybox)"
'

test_expect_success 'standard profile: accounts, locked shadow, modes, os-release' '
	test "$(stat -c %a root/tmp)" = 1777 &&
	test "$(stat -c %a root/root)" = 700 &&
	test "$(stat -c %a root/etc/shadow)" = 600 &&
	grep -q "^root:\*:" root/etc/shadow &&
	! grep -q "^[^:]*::" root/etc/shadow &&
	grep -q "^root:x:0:0:" root/etc/passwd &&
	grep -q "^nobody:x:65534:65534:" root/etc/passwd &&
	grep -q "^wheel:x:10:" root/etc/group && grep -q "^users:x:100:" root/etc/group &&
	for d in bin sbin usr/bin usr/sbin etc home var dev proc sys; do test -d root/$d || exit 1; done &&
	v=$("$BB" | sed -n "1s/^BusyBox v\([^ ]*\) .*/\1/p") &&
	grep -q "^VERSION_ID=$v\$" root/etc/os-release &&
	grep -q "^NAME=\"BusyBox\"" root/etc/os-release &&
	chroot root /bin/sh -c "date +%Z" >tz && test "$(cat tz)" = UTC &&
	chroot root /bin/sh -c "id -un; cat /etc/os-release" >id && test_grep "^root\$" id
'

test_expect_success 'owners from the model as root, times from SOURCE_DATE_EPOCH (default 0)' '
	test -z "$(find root -mindepth 1 ! -user 0)" &&
	test -z "$(find root -mindepth 1 ! -group 0)" &&
	test -z "$(find root -mindepth 1 -newermt @1)"
'

test_expect_success 'installing twice leaves the same tree' '
	tree_listing root >one && ino=$(stat -c %i root/bin/busybox) &&
	bbroot install --busybox "$BB" --release KatacodaPrivateBuild root 2>err &&
	tree_listing root >two &&
	cmp one two &&
	test_grep " 0 written" err && test "$(stat -c %i root/bin/busybox)" = "$ino"
'

test_expect_success 'a changed file is rewritten, nothing else' '
	echo changed >root/etc/hosts && chmod 600 root/etc/passwd &&
	bbroot install --busybox "$BB" --release KatacodaPrivateBuild root 2>err &&
	test_grep " 2 written" err && tree_listing root >three && cmp one three
'

test_expect_success 'the tree does not depend on umask, TZ, locale or working directory' '
	(umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 bbroot install --busybox "$BB" u1) &&
	mkdir elsewhere &&
	(cd elsewhere && umask 002 && TZ=UTC bbroot install --busybox "$BB" ../u2) &&
	tree_listing u1 >l1 && tree_listing u2 >l2 && cmp l1 l2
'

test_expect_success 'SOURCE_DATE_EPOCH sets every mtime' '
	SOURCE_DATE_EPOCH=1700000000 bbroot install --busybox "$BB" epoch &&
	test -z "$(find epoch -mindepth 1 ! -newermt @1699999999)" &&
	test -z "$(find epoch -mindepth 1 -newermt @1700000000)"
'

test_expect_success 'an invalid SOURCE_DATE_EPOCH is a usage error and writes nothing' '
	SOURCE_DATE_EPOCH=soon test_expect_code 2 bbroot install --busybox "$BB" bad 2>err &&
	test_grep "SOURCE_DATE_EPOCH" err && ! test -e bad
'

test_expect_success '--links symlink: absolute symlinks, runs under chroot' '
	bbroot install --busybox "$BB" --links symlink --release x sym &&
	test "$(readlink sym/sbin/$(basename $("$BB" --list-full | grep ^sbin/ | head -n 1)))" = /bin/busybox &&
	test "$(readlink sym/bin/sh)" = /bin/busybox &&
	chroot sym /bin/sh -c "cat /release" >out && test "$(cat out)" = x
'

test_expect_success '--links relative: relative symlinks, run from the host too' '
	bbroot install --busybox "$BB" --links relative rel &&
	test "$(readlink rel/bin/sh)" = busybox &&
	test "$(readlink rel/usr/bin/env)" = ../../bin/busybox &&
	rel/usr/bin/env true && chroot rel /usr/bin/env true
'

test_expect_success '--profile minimal --links none: only bin/busybox (and /release)' '
	bbroot install --busybox "$BB" --profile minimal --links none --release r none &&
	(cd none && find . | LC_ALL=C sort) >actual &&
	printf "%s\n" . ./bin ./bin/busybox ./release >expect &&
	cmp expect actual
'

test_expect_success '--profile minimal: the classic recipe tree' '
	bbroot install --busybox "$BB" --profile minimal --links symlink classic &&
	! test -e classic/etc && ! test -e classic/tmp &&
	n=$("$BB" --list-full | grep -vc "^bin/busybox\$") &&
	test "$(find classic -type l | wc -l)" = "$n"
'

test_expect_success 'switching link style on an existing tree replaces the links' '
	bbroot install --busybox "$BB" --links symlink switch &&
	bbroot install --busybox "$BB" switch &&
	! test -L switch/bin/sh &&
	test "$(stat -c %i switch/bin/sh)" = "$(stat -c %i switch/bin/busybox)"
'

test_expect_success 'usage errors exit 2 with a hint' '
	test_expect_code 2 bbroot install --busybox "$BB" 2>err && test_grep "no directory" err &&
	test_grep "try .bbroot install -h." err &&
	test_expect_code 2 bbroot install --busybox "$BB" a b 2>err &&
	test_expect_code 2 bbroot install --bogus d 2>err && test_grep "unknown option" err &&
	test_expect_code 2 bbroot install --busybox "$BB" --links soft d 2>err &&
	test_grep "invalid --links" err &&
	test_expect_code 2 bbroot install --busybox "$BB" --profile nonesuch d 2>err &&
	test_grep "unknown profile" err &&
	test_expect_code 2 bbroot install --busybox 2>err && test_grep "needs a value" err &&
	! test -e d && ! test -e a
'

test_expect_success 'install -h documents the options and exit codes' '
	bbroot install -h >out &&
	test_grep "links STYLE" out && test_grep "overlay DIR" out &&
	test_grep "force  " out && test_grep "exit codes" out
'

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	test_expect_success 'as another user: files belong to the caller, one warning' '
		chmod 755 "$TRASH" && mkdir user && chown 65534:65534 user &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" install --busybox "$BB" user/root 2>err &&
		test "$(grep -c "not running as root" err)" = 1 &&
		test -z "$(find user/root ! -user 65534)" &&
		test "$(stat -c %a user/root/etc/shadow)" = 600 &&
		test "$(stat -c %a user/root/tmp)" = 1777 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" install --busybox "$BB" user/root 2>err &&
		test_grep " 0 written" err
	'
else
	test_skip 'as another user: files belong to the caller' 'root and setpriv'
fi
test_done
