#!/bin/sh
# bbroot install: a profile directory of the user's own, and overlays on
# top (modes and links kept, owners and times normalised, later wins).
. "$(dirname "$0")/lib.sh"

BB=${BBROOT_TEST_BUSYBOX:-/bin/busybox}
if ! [ -x "$BB" ] || ! "$BB" true 2>/dev/null; then
	test_skip 'install profile tests' "a static busybox at $BB (Debian busybox-static)"
	test_done
	exit
fi

test_expect_success 'a profile directory: dirs, files, templates, symlinks, applets' '
	mkdir -p prof/etc prof/bin &&
	cat >prof/profile.ini <<-\INI &&
	[profile]
	description = test profile
	[dirs]
	srv = 0750 33 33
	tmp = 1777
	[files]
	etc/motd = 0644
	bin/sh = 0755
	[templates]
	etc/issue = 0644
	[symlinks]
	etc/mtab = /proc/mounts
	[applets]
	sbin/env = env
	INI
	echo "hello" >prof/etc/motd &&
	printf "#!/bin/busybox ash\necho mine\n" >prof/bin/sh &&
	echo "BusyBox @BUSYBOX_VERSION@ for @ARCHITECTURE@" >prof/etc/issue &&
	bbroot install --busybox "$BB" --profile ./prof --release r p &&
	test "$(cat p/etc/motd)" = hello &&
	test "$(stat -c "%a %u %g" p/srv)" = "750 33 33" &&
	test "$(stat -c %a p/tmp)" = 1777 &&
	test "$(readlink p/etc/mtab)" = /proc/mounts &&
	v=$("$BB" | sed -n "1s/^BusyBox v\([^ ]*\) .*/\1/p") &&
	test "$(cat p/etc/issue)" = "BusyBox $v for amd64" &&
	test "$(stat -c %i p/sbin/env)" = "$(stat -c %i p/bin/busybox)" &&
	! test -e p/etc/passwd
'

test_expect_success 'an applet path colliding with a profile file does not overwrite it' '
	cmp prof/bin/sh p/bin/sh &&
	test "$(stat -c %i p/bin/sh)" != "$(stat -c %i p/bin/busybox)" &&
	chroot p /bin/sh >out && test "$(cat out)" = mine
'

test_expect_success 'a profile name without a slash is a built-in name (usage error)' '
	test_expect_code 2 bbroot install --busybox "$BB" --profile prof x 2>err &&
	test_grep "unknown profile .prof.: built-in profiles are minimal, standard" err &&
	test_grep "./prof" err && ! test -e x
'

test_expect_success 'a malformed profile names its line' '
	mkdir bad && printf "[dirs]\nok = 0755\nbad = 0899\n" >bad/profile.ini &&
	test_expect_code 1 bbroot install --busybox "$BB" --profile ./bad x 2>err &&
	test_grep "invalid profile .*bad/profile.ini.: line 3: mode" err && ! test -e x
'

test_expect_success 'a profile file that is a symlink is not followed' '
	mkdir evil && printf "[files]\nshadow = 0644\n" >evil/profile.ini &&
	ln -s /etc/shadow evil/shadow &&
	test_expect_code 1 bbroot install --busybox "$BB" --profile ./evil x 2>err &&
	test_grep "symbolic link" err && ! test -e x
'

test_expect_success 'overlays: modes and links kept, owners root, times from the epoch' '
	mkdir -p ov1/etc ov1/opt/app ov1/tmp &&
	echo "root:x:0:0:root:/root:/bin/ash" >ov1/etc/passwd &&
	printf "#!/bin/sh\necho app\n" >ov1/opt/app/run && chmod 750 ov1/opt/app/run &&
	chmod 700 ov1/opt/app && chmod 755 ov1/tmp &&
	ln -s ../opt/app/run ov1/etc/run && ln ov1/opt/app/run ov1/opt/app/run2 &&
	{ chown -R 1234:1234 ov1 2>/dev/null || true; } &&
	SOURCE_DATE_EPOCH=86400 bbroot install --busybox "$BB" --overlay ov1 o &&
	test "$(cat o/etc/passwd)" = "root:x:0:0:root:/root:/bin/ash" &&
	test "$(stat -c %a o/opt/app/run)" = 750 && test "$(stat -c %a o/opt/app)" = 700 &&
	test "$(stat -c %a o/tmp)" = 1777 &&
	test "$(readlink o/etc/run)" = ../opt/app/run &&
	test "$(stat -c %i o/opt/app/run2)" = "$(stat -c %i o/opt/app/run)" &&
	test -z "$(find o -mindepth 1 ! -user 0)" &&
	test -z "$(find o -mindepth 1 ! -newermt @86399)" &&
	test -z "$(find o -mindepth 1 -newermt @86400)" &&
	chroot o /etc/run >out && test "$(cat out)" = app
'

test_expect_success 'later overlays win, an overlay may replace an applet link, --release wins' '
	mkdir -p ov2/opt/app ov2/bin &&
	echo two >ov2/opt/app/run && chmod 755 ov2/opt/app/run &&
	printf "#!/bin/sh\necho not vi\n" >ov2/bin/vi && chmod 755 ov2/bin/vi &&
	echo overlay >ov2/release &&
	bbroot install --busybox "$BB" --overlay ov1 --overlay ov2 --release explicit o2 &&
	test "$(cat o2/opt/app/run)" = two &&
	chroot o2 /bin/vi >out && test "$(cat out)" = "not vi" &&
	test "$(cat o2/release)" = explicit
'

test_expect_success 'the same overlay gives the same tree whatever its creation order' '
	mkdir -p oa/x oa/y ob/y ob/x &&
	for f in 1 2 3; do echo $f >oa/x/$f; done && for f in 3 2 1; do echo $f >ob/x/$f; done &&
	touch -d @5 oa/x/1 && touch -d @999999 ob/x/1 &&
	bbroot install --busybox "$BB" --overlay oa ta &&
	bbroot install --busybox "$BB" --overlay ob tb &&
	(cd ta && find . -mindepth 1 -printf "%p %m %T@ %s\n" | LC_ALL=C sort) >la &&
	(cd tb && find . -mindepth 1 -printf "%p %m %T@ %s\n" | LC_ALL=C sort) >lb &&
	cmp la lb
'
test_done
