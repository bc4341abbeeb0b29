#!/bin/sh
# bbroot pack: options, bad input, refused trees, and nothing partial left.
. "$(dirname "$0")/lib.sh"

check=$TOP/tests/e2e/pack-tarcheck.py

# A small tree with every kind of entry pack accepts.
mktree() {
	mkdir -p "$1/bin" "$1/etc" "$1/empty" &&
	printf 'hello\n' >"$1/etc/motd" &&
	printf '#!/bin/sh\n' >"$1/bin/tool" && chmod 0755 "$1/bin/tool" &&
	ln -s tool "$1/bin/alias"
}

# The output directory holds nothing but what is listed (no temp files).
only_in() {
	dir=$1
	shift
	ls -A "$dir" | sort >"$TRASH/.have"
	printf '%s\n' "$@" | sed '/^$/d' | sort >"$TRASH/.want"
	diff -u "$TRASH/.want" "$TRASH/.have"
}

test_expect_success '-h lists every option, the default output and exit codes' '
	bbroot pack -h >out &&
	for o in --output --format --compress --from --busybox --arch --platform \
		--tag --cmd --entrypoint --env --label --workdir --user --profile \
		--links --release --overlay; do
		test_grep "$o" out || return 1
	done &&
	test_grep "busybox.tar in the current" out && test_grep "2 usage" out
'

test_expect_success 'default output is busybox.tar in the current directory' '
	mktree tree && mkdir cwd && (cd cwd && bbroot pack --from ../tree >../out) &&
	only_in cwd busybox.tar && test_grep "docker import busybox.tar busybox" out
'

test_expect_success 'bbroot fetch && bbroot pack: the image of the locked binary' '
	mkdir flow && (cd flow && bbroot fetch host >/dev/null 2>&1 &&
	bbroot pack --release KatacodaPrivateBuild >out) &&
	test_grep "^  busybox  1\." flow/out && test_grep "docker import busybox.tar busybox" flow/out &&
	tar -xOf flow/busybox.tar release >rel && echo KatacodaPrivateBuild >want && diff -u want rel &&
	(cd flow && bbroot pack -f docker -o img.tar >out2) && test_grep "tag      busybox:1\." flow/out2
'

test_expect_success 'invalid SOURCE_DATE_EPOCH is a usage error (exit 2), nothing written' '
	mkdir sde && mktree tree2 &&
	for v in "" "12x" "-1" " 5" "1e9" "99999999999999999999"; do
		SOURCE_DATE_EPOCH=$v test_expect_code 2 bbroot pack --from tree2 -o sde/x.tar 2>err &&
		test_grep "invalid SOURCE_DATE_EPOCH" err || return 1
	done &&
	only_in sde
'

test_expect_success 'unknown format or compression is a usage error (exit 2)' '
	mkdir fmt &&
	test_expect_code 2 bbroot pack --from tree2 --format zip -o fmt/x 2>err &&
	test_grep "unknown format .zip." err && test_grep "try .bbroot pack -h." err &&
	test_expect_code 2 bbroot pack --from tree2 --compress lz4 -o fmt/x 2>err &&
	test_grep "unknown compression .lz4." err &&
	test_expect_code 2 bbroot pack --from tree2 -f docker -c xz -o fmt/x 2>err &&
	test_grep "no xz layer media type" err &&
	test_expect_code 2 bbroot pack --bogus 2>err && test_grep "unknown option .--bogus." err &&
	test_expect_code 2 bbroot pack --from 2>err && test_grep "needs a value" err &&
	test_expect_code 2 bbroot pack --from tree2 --busybox /bin/busybox 2>err &&
	test_expect_code 2 bbroot pack --from tree2 --env NOEQUALS 2>err &&
	test_grep "KEY=VALUE" err &&
	only_in fmt
'

test_expect_success 'an output that is a directory is refused before any work' '
	mkdir isdir &&
	test_expect_code 1 bbroot pack --from tree2 -o isdir 2>err &&
	test_grep "cannot write .isdir.: it is a directory" err && only_in isdir && only_in . $(ls -A)
'

test_expect_success 'a missing output directory fails clearly (exit 1)' '
	test_expect_code 1 bbroot pack --from tree2 -o nodir/x.tar 2>err &&
	test_grep "cannot open directory .nodir." err && ! test -e nodir &&
	test_expect_code 1 bbroot pack --from tree2 -f oci -o nodir/oci 2>err &&
	test_grep "nodir" err && ! test -e nodir
'

test_expect_success 'an unwritable output directory fails clearly, nothing left' '
	mkdir ro && chmod 0555 ro &&
	if [ "$(id -u)" = 0 ]; then
		mount -t tmpfs -o ro,size=1m tmpfs ro || { echo "cannot mount tmpfs" >&2; exit 1; }
	fi &&
	test_expect_code 1 bbroot pack --from tree2 -o ro/x.tar 2>err;
	rc=$?
	test_grep "cannot create .ro/x.tar.: \(Read-only file system\|Permission denied\)" err &&
	test_expect_code 1 bbroot pack --from tree2 -f docker -o ro/x.tar 2>err &&
	test_grep "ro" err &&
	test_expect_code 1 bbroot pack --from tree2 -f oci -o ro/oci 2>err &&
	only_in ro;
	rc2=$?
	if [ "$(id -u)" = 0 ]; then umount ro; fi
	[ $rc = 0 ] && [ $rc2 = 0 ]
'

test_expect_success 'a full disk fails with the cause, nothing partial at the target' '
	if [ "$(id -u)" != 0 ]; then echo "needs root for a small tmpfs (skipped)"; exit 0; fi
	mkdir full big && mount -t tmpfs -o size=512k tmpfs full &&
	head -c 2000000 /dev/urandom >big/blob &&
	for f in rootfs docker oci; do
		test_expect_code 1 bbroot pack --from big -f $f -o full/out 2>err &&
		test_grep "No space left on device" err || { umount full; exit 1; }
	done &&
	ls -A full >left; umount full && test ! -s left
'

test_expect_success '--from refuses a fifo, naming it; nothing left' '
	mktree fifo && mkfifo fifo/etc/initctl && mkdir out1 &&
	test_expect_code 1 bbroot pack --from fifo -o out1/x.tar 2>err &&
	test_grep "cannot pack .fifo/etc/initctl.: it is a fifo" err && only_in out1
'

test_expect_success '--from refuses a socket' '
	mktree sock &&
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" sock/etc/s &&
	test_expect_code 1 bbroot pack --from sock -o out1/x.tar 2>err &&
	test_grep "it is a socket" err && only_in out1
'

test_expect_success '--from refuses a device node' '
	if [ "$(id -u)" != 0 ]; then echo "needs root for mknod (skipped)"; exit 0; fi
	mktree dev && mknod dev/null c 1 3 &&
	test_expect_code 1 bbroot pack --from dev -f docker -o out1/x.tar 2>err &&
	test_grep "it is a character device" err && only_in out1
'

test_expect_success '--from stores outside-pointing symlinks as links, never follows them' '
	mktree esc && ln -s /etc/passwd esc/etc/passwd && ln -s ../../../../etc esc/up &&
	ln -s /etc esc/etcdir &&
	bbroot pack --from esc -o esc.tar >out &&
	python3 "$check" esc.tar >list &&
	test_grep "^l 0777 0:0 etc/passwd -> /etc/passwd$" list &&
	test_grep "^l 0777 0:0 up -> ../../../../etc$" list &&
	test_grep "^l 0777 0:0 etcdir -> /etc$" list &&
	! grep "etcdir/" list && ! grep "^f.*passwd" list
'

test_expect_success '--from: a script at bin/busybox is packed without complaint' '
	mkdir -p scr/bin && printf "#!/bin/sh\n" >scr/bin/busybox &&
	bbroot pack --from scr -f docker -o scr.tar >out 2>err &&
	! test -s err && test_grep "tag      busybox:latest" out
'

test_expect_success 'a hard link to a file outside the tree is stored as the file' '
	mkdir hl && echo data >outside && ln outside hl/inside &&
	bbroot pack --from hl -o hl.tar >out &&
	python3 "$check" hl.tar >list && test_grep "^f 0644 0:0 inside 5$" list
'

test_expect_success 'hard links inside the tree become one file and links to it' '
	mkdir -p hl2/b && echo x >hl2/b/z && ln hl2/b/z hl2/a && ln hl2/b/z hl2/c &&
	bbroot pack --from hl2 -o hl2.tar >out &&
	python3 "$check" hl2.tar >list &&
	test_grep "^f 0644 0:0 a 2$" list && test_grep "^h 0644 0:0 b/z => a$" list &&
	test_grep "^h 0644 0:0 c => a$" list
'

test_expect_success 'packing a tree into itself leaves the temp file out' '
	mktree self && (cd self && bbroot pack --from . -o self.tar >/dev/null) &&
	python3 "$check" self/self.tar >list && ! grep "self.tar" list
'

test_expect_success '--from a missing directory or a file fails (exit 1)' '
	test_expect_code 1 bbroot pack --from nope -o x.tar 2>err &&
	test_grep "cannot pack .nope.: No such file" err &&
	test_expect_code 1 bbroot pack --from esc.tar -o x.tar 2>err &&
	test_grep "not a directory" err && ! test -e x.tar
'

test_expect_success 'oci: an existing directory that is no layout is refused and kept' '
	mkdir keep && echo mine >keep/file &&
	test_expect_code 1 bbroot pack --from tree2 -f oci -o keep 2>err &&
	test_grep "not an OCI layout is in the way" err && only_in keep file
'

test_expect_success 'oci: an existing layout is replaced whole' '
	bbroot pack --from tree2 -f oci -o lay >/dev/null &&
	bbroot pack --from esc -f oci -o lay -c gzip >/dev/null &&
	ls lay/blobs/sha256 | wc -l >n && test "$(cat n)" = 3 &&
	only_in . $(ls -A) && ! ls -A | grep "^\.lay"
'

test_expect_success 'docker/oci: bad tags, platforms and commands are usage errors' '
	test_expect_code 2 bbroot pack --from tree2 -f docker -t "UPPER:x" -o t.tar 2>err &&
	test_grep "invalid tag" err &&
	test_expect_code 2 bbroot pack --from tree2 -f docker --platform linux -o t.tar 2>err &&
	test_grep "OS/ARCH" err &&
	test_expect_code 2 bbroot pack --from tree2 -f docker --cmd "[1,2]" -o t.tar 2>err &&
	! test -e t.tar
'

test_expect_success '-o - writes the same tar to standard output, the summary to stderr' '
	bbroot pack --from tree2 -o same.tar >/dev/null &&
	bbroot pack --from tree2 -o - >stdout.tar 2>summary &&
	cmp same.tar stdout.tar && test_grep "wrote standard output" summary &&
	bbroot pack --from tree2 -c gzip -o - 2>/dev/null | gzip -dc >unz.tar && cmp same.tar unz.tar &&
	bbroot pack --from tree2 -f docker -o - 2>/dev/null | cat >docker-stdout.tar &&
	bbroot pack --from tree2 -f docker -o docker-file.tar >/dev/null &&
	cmp docker-stdout.tar docker-file.tar && tar -tf docker-stdout.tar >members &&
	test_grep "^manifest.json$" members &&
	test_expect_code 2 bbroot pack --from tree2 -f oci -o - 2>err >/dev/null &&
	test_grep "cannot go to standard output" err
'

test_expect_success 'SIGTERM during a pack leaves nothing behind' '
	mkdir sig sigout && head -c 300000000 /dev/zero >sig/zero || exit 1
	"$BBROOT" pack --from sig -c xz -o sigout/x.tar >/dev/null 2>&1 &
	pid=$!
	i=0
	while ! ls -A sigout | grep -q "^\.x\.tar\..*\.tmp$" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -TERM $pid &&
	{ wait $pid; test $? = 143; } && only_in sigout
'
test_expect_success 'SIGTERM during an OCI layout pack removes its temporary directory' '
	mkdir sigdir sigoci && head -c 300000000 /dev/zero >sigdir/zero || exit 1
	"$BBROOT" pack --from sigdir --format oci -c gzip -o sigoci/layout >/dev/null 2>&1 &
	pid=$!
	i=0
	while ! ls -A sigoci | grep -q "^\.layout\." && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	ls -A sigoci | grep -q "^\.layout\." &&
	sleep 0.2 && test -d sigoci/$(ls -A sigoci | head -n 1)/blobs/sha256 &&
	kill -TERM $pid &&
	{ wait $pid; test $? = 143; } && only_in sigoci
'
test_done
