#!/bin/sh
# bbroot install into a hostile or broken DIR, and bad overlays: a clear
# message, a documented exit code, nothing written outside DIR, and
# nothing written at all when the install is refused.
. "$(dirname "$0")/lib.sh"

BB=${BBROOT_TEST_BUSYBOX:-/bin/busybox}
if ! [ -x "$BB" ] || ! "$BB" true 2>/dev/null; then
	test_skip 'install bad-input tests' "a static busybox at $BB (Debian busybox-static)"
	test_done
	exit
fi

# outside/: must stay exactly as it is.
snapshot() { (cd "$TRASH/outside" && find . -printf '%p %y %m %s %T@\n' | LC_ALL=C sort); }
mkdir -p "$TRASH/outside/etc" &&
echo precious >"$TRASH/outside/victim" &&
cp "$BB" "$TRASH/outside/busybox-copy" &&
snapshot >"$TRASH/outside.before"
outside_unchanged() { snapshot >"$TRASH/outside.after" && cmp "$TRASH/outside.before" "$TRASH/outside.after"; }

test_expect_success 'a DIR that is a file: exit 1, the file is untouched' '
	echo data >file &&
	test_expect_code 1 bbroot install --busybox "$BB" file 2>err &&
	test_grep "cannot install into .file.: Not a directory" err &&
	test "$(cat file)" = data
'

test_expect_success 'a DIR below a file: exit 1' '
	test_expect_code 1 bbroot install --busybox "$BB" file/sub 2>err &&
	test_grep "file" err
'

test_expect_success 'a symlink inside DIR pointing outside is refused, nothing written' '
	mkdir d1 && ln -s "$TRASH/outside/etc" d1/etc &&
	test_expect_code 1 bbroot install --busybox "$BB" d1 2>err &&
	test_grep "cannot install into .d1.: .etc. is a symbolic link where the image has a directory" err &&
	test_grep "force" err &&
	test "$(ls d1)" = etc && outside_unchanged
'

test_expect_success '--force replaces that symlink with a directory, outside untouched' '
	bbroot install --busybox "$BB" --force d1 2>err &&
	test -d d1/etc && ! test -L d1/etc && test -f d1/etc/passwd &&
	outside_unchanged
'

test_expect_success 'a symlinked bin/ in DIR is refused too (several conflicts counted)' '
	mkdir d2 && ln -s "$TRASH/outside" d2/bin && ln -s "$TRASH/outside" d2/sbin &&
	test_expect_code 1 bbroot install --busybox "$BB" d2 2>err &&
	test_grep "and 1 more conflicts" err && outside_unchanged
'

test_expect_success 'a symlink where a file goes is replaced, its target untouched' '
	mkdir -p d3/bin d3/etc &&
	ln -s "$TRASH/outside/busybox-copy" d3/bin/busybox &&
	ln -s "$TRASH/outside/victim" d3/release &&
	ln -s "$TRASH/outside/victim" d3/etc/passwd &&
	bbroot install --busybox "$BB" --release new d3 &&
	! test -L d3/bin/busybox && ! test -L d3/release && ! test -L d3/etc/passwd &&
	test "$(cat d3/release)" = new && outside_unchanged
'

test_expect_success 'a directory where a file goes is a conflict; --force removes it' '
	mkdir -p d4/bin/sh/keep d4/etc/shadow &&
	test_expect_code 1 bbroot install --busybox "$BB" d4 2>err &&
	test_grep "is a directory where the image has a file or link" err &&
	! test -e d4/bin/busybox && test -d d4/bin/sh/keep &&
	bbroot install --busybox "$BB" --force d4 &&
	test -f d4/bin/sh && test -f d4/etc/shadow
'

test_expect_success 'entries the image does not mention are left alone' '
	mkdir -p d5/etc d5/opt && echo mine >d5/etc/mine && echo mine >d5/opt/x &&
	bbroot install --busybox "$BB" d5 &&
	test "$(cat d5/etc/mine)" = mine && test "$(cat d5/opt/x)" = mine
'

test_expect_success 'a missing overlay: exit 1, DIR not created' '
	test_expect_code 1 bbroot install --busybox "$BB" --overlay nope d6 2>err &&
	test_grep "cannot read overlay .nope." err && ! test -e d6
'

test_expect_success 'a fifo in an overlay is refused with a message' '
	mkdir -p ov1/etc && mkfifo ov1/etc/fifo &&
	test_expect_code 1 bbroot install --busybox "$BB" --overlay ov1 d7 2>err &&
	test_grep "ov1/etc/fifo.: it is a fifo" err && ! test -e d7
'

test_expect_success 'a socket in an overlay is refused with a message' '
	mkdir ov2 &&
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" ov2/sock &&
	test_expect_code 1 bbroot install --busybox "$BB" --overlay ov2 d8 2>err &&
	test_grep "it is a socket" err && ! test -e d8
'

if [ "$(id -u)" = 0 ]; then
	test_expect_success 'a device node in an overlay is refused with a message' '
		mkdir ov3 && mknod ov3/null c 1 3 &&
		test_expect_code 1 bbroot install --busybox "$BB" --overlay ov3 d9 2>err &&
		test_grep "it is a character device" err && ! test -e d9
	'
else
	test_skip 'a device node in an overlay is refused' 'root to make a device node'
fi

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	test_expect_success 'an unreadable overlay is refused (as another user)' '
		chmod 755 "$TRASH" && mkdir -p ov4/secret ovw && echo x >ov4/secret/f &&
		chmod 700 ov4/secret && chown 65534 ovw &&
		test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" install --busybox "$BB" --overlay ov4 ovw/d 2>err &&
		test_grep "cannot read overlay directory .ov4/secret.: Permission denied" err &&
		! test -e ovw/d
	'
	test_expect_success 'an unreadable overlay file is refused (as another user)' '
		mkdir -p ov5 && echo x >ov5/f && chmod 600 ov5/f &&
		test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" install --busybox "$BB" --overlay ov5 ovw/d 2>err &&
		test_grep "cannot read overlay file .ov5/f.: Permission denied" err
	'

	test_expect_success 'the system root is refused (run as nobody, so a bug cannot harm it)' '
		test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" install --busybox "$BB" / 2>err &&
		test_grep "it is this system.s root directory" err
	'
else
	test_skip 'the system root is refused' 'root and setpriv to run as another user'
fi

test_expect_success 'an overlay symlink pointing outside is stored, never followed' '
	mkdir ov6 && ln -s "$TRASH/outside/victim" ov6/victim && ln -s ../../../etc ov6/up &&
	bbroot install --busybox "$BB" --overlay ov6 d10 &&
	test "$(readlink d10/victim)" = "$TRASH/outside/victim" &&
	test "$(readlink d10/up)" = ../../../etc && outside_unchanged
'

test_expect_success 'an overlay entry that cannot replace a directory is refused' '
	mkdir ov7 && ln -s usr/bin ov7/bin &&
	test_expect_code 1 bbroot install --busybox "$BB" --overlay ov7 d11 2>err &&
	test_grep "bin" err && ! test -e d11
'

test_expect_success 'not an ELF: exit 3, nothing written' '
	echo "#!/bin/sh" >notelf &&
	test_expect_code 3 bbroot install --busybox notelf d12 2>err && ! test -e d12
'

test_expect_success 'a missing binary: exit 1' '
	test_expect_code 1 bbroot install --busybox missing d13 2>err && ! test -e d13
'

test_expect_success 'a binary for another architecture than --arch: exit 3' '
	test_expect_code 3 bbroot install --busybox "$BB" --arch s390x d14 2>err &&
	test_grep "not s390x" err && ! test -e d14
'

test_expect_success 'nothing was ever written outside the install directories' '
	outside_unchanged
'
test_done
