#!/bin/sh
# bbroot inspect on good and bad input: the output for people and scripts,
# and a clear message with a documented exit code (1 unreadable, 2 usage,
# 3 binary check) for everything that is not a static busybox it can read.
# Hostile fixtures are forged at test time from Debian's binary.
. "$(dirname "$0")/lib.sh"

FIXTURE="$TOP/tests/fixtures/debian-busybox"
if ! BB=$(sh "$FIXTURE" bin amd64 2>"$TRASH/fetch.err"); then
	test_skip 'bad-input tests' "Debian busybox-static for amd64 ($(cat "$TRASH/fetch.err"))"
	test_done
	exit
fi
export BB

# forge SRC DST ACTION...: a corrupted copy (python3 does the byte surgery).
#   upx                    "UPX!" in the first page, as packed binaries have
#   zero-loc OFF N         zero the N-applet location table at OFF
#   rename-install         "--install" -> "--inXtall" everywhere
#   break-name             "[[" -> "[~": the names are no longer all sorted names
#   break-mid              "mount" -> "mo~nt": the same in the middle
forge() {
	python3 - "$@" <<'PY'
import sys
src, dst, *acts = sys.argv[1:]
d = bytearray(open(src, 'rb').read())
while acts:
    a = acts.pop(0)
    if a == 'upx':
        d[0x200:0x204] = b'UPX!'
    elif a == 'zero-loc':
        off, n = int(acts.pop(0), 0), int(acts.pop(0))
        d[off:off + (n + 1) // 2] = bytes((n + 1) // 2)
    elif a == 'rename-install':
        assert d.count(b'--install') > 0
        d = d.replace(b'--install', b'--inXtall')
    elif a == 'break-name':
        i = d.find(b'\0[\0[[\0')
        assert i > 0
        d[i + 4] = ord('~')
    elif a == 'break-mid':
        i = d.find(b'\0mount\0')
        assert i > 0
        d[i + 3] = ord('~')
open(dst, 'wb').write(d)
PY
	chmod 755 "$2"
}
# The location table's offset and the table's name count, from inspect -v.
loc_of() { sed -n 's/^locations: at file offset \(0x[0-9a-f]*\)$/\1/p' "$1"; }
names_of() { sed -n 's/^names: .*(\([0-9]*\) names)$/\1/p' "$1"; }

test_expect_success 'inspect prints platform, linkage, version and count' '
	bbroot inspect "$BB" >out &&
	test_grep "^platform:  linux/amd64\$" out &&
	test_grep "^linkage:   static\$" out &&
	test_grep "^version:   1\.[0-9]" out &&
	test_grep "^applets:   [0-9]* (from table)\$" out &&
	! grep -q "^/" out
'
test_expect_success 'inspect -v lists every applet path, never busybox itself' '
	bbroot inspect -v "$BB" >out &&
	test_grep "^/bin/sh\$" out && test_grep "^/sbin/ifconfig\$" out &&
	test_grep "^/usr/bin/env\$" out && test_grep "^/usr/sbin/chroot\$" out &&
	test_grep "^/bin/readlink\$" out && test_grep "^/linuxrc\$" out &&
	! grep -q "^/.*busybox\$" out &&
	n=$(sed -n "s/^applets:   \([0-9]*\) .*/\1/p" out) &&
	test "$(grep -c "^/" out)" = "$n"
'
test_expect_success 'global -v before the command is the same as inspect -v' '
	bbroot -v inspect "$BB" >out1 && bbroot inspect -v "$BB" >out2 &&
	cmp out1 out2
'
test_expect_success 'inspect --json: fixed key order, same facts as the text' '
	bbroot inspect --json "$BB" >out.json &&
	python3 - out.json <<-\PY
	import json, sys
	j = json.load(open(sys.argv[1]))
	keys = ["file", "platform", "os", "architecture", "variant", "elf_class",
	        "byte_order", "linkage", "version", "applets_origin", "applet_count", "applets"]
	assert list(j) == keys, list(j)
	assert j["platform"] == "linux/amd64" and j["linkage"] == "static"
	assert j["applet_count"] == len(j["applets"]) > 100
	names = [a["name"] for a in j["applets"]]
	assert names == sorted(names) and "busybox" not in names
	assert {"name": "sh", "path": "/bin/sh"} in j["applets"]
	PY
'
test_expect_success '--json output is the same bytes every run' '
	bbroot inspect --json "$BB" >a.json && bbroot inspect --json "$BB" >b.json &&
	cmp a.json b.json
'
test_expect_success '--arch for another architecture is refused (exit 3)' '
	test_expect_code 3 bbroot inspect --arch arm64 "$BB" >out 2>err &&
	test_grep "built for amd64, not arm64" err && test_grep "^bbroot: " err
'
test_expect_success '--arch for its own architecture is accepted' '
	bbroot inspect --arch amd64 "$BB" >out && test_grep "linux/amd64" out
'
test_expect_success 'usage errors exit 2 with a hint' '
	test_expect_code 2 bbroot inspect --bogus "$BB" 2>err &&
	test_grep "try .bbroot inspect -h." err &&
	test_expect_code 2 bbroot inspect "$BB" "$BB" 2>err &&
	test_grep "too many arguments" err &&
	test_expect_code 2 bbroot inspect --arch 2>err
'
test_expect_success 'options may follow FILE' '
	bbroot inspect "$BB" --json >a.json && bbroot inspect --json "$BB" >b.json &&
	cmp a.json b.json
'
test_expect_success '--arch without a value is a usage error naming it' '
	test_expect_code 2 bbroot inspect "$BB" --arch 2>err &&
	test_grep "option .--arch. needs a value" err
'
test_expect_success '--json with a file name that is not UTF-8: file is null' '
	cp "$BB" "$(printf "bb\\377")" &&
	bbroot inspect --json "$(printf "bb\\377")" >out.json &&
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"file\"] is None and j[\"applet_count\"] > 100" out.json
'
test_expect_success 'inspect -h prints usage and exit codes' '
	bbroot inspect -h >out && test_grep "usage: bbroot inspect" out &&
	test_grep "3 binary check failed" out
'
test_expect_success 'a missing file is exit 1' '
	test_expect_code 1 bbroot inspect "$TRASH/nope" 2>err &&
	test_grep "cannot open .*nope.*: No such file or directory" err
'
test_expect_success 'a directory is exit 1, not a regular file' '
	mkdir d && test_expect_code 1 bbroot inspect d 2>err &&
	test_grep "not a regular file" err
'
test_expect_success 'an unreadable file is exit 1 with the system error' '
	cp "$BB" locked && chmod 000 locked &&
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$TRASH" &&
		test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BBROOT" inspect "$TRASH/locked" 2>err
	else
		test_expect_code 1 bbroot inspect locked 2>err
	fi &&
	test_grep "cannot open .*locked.*: Permission denied" err
'
test_expect_success 'not an ELF file is refused (exit 3)' '
	printf "#!/bin/sh\necho hi\n" >script &&
	test_expect_code 3 bbroot inspect script 2>err &&
	test_grep "binary check failed for .script.: not an ELF file" err &&
	: >empty && test_expect_code 3 bbroot inspect empty 2>err &&
	test_grep "not an ELF file" err
'
test_expect_success 'a dynamic busybox is refused, naming interpreter and libraries' '
	dyn=$(sh "$FIXTURE" bin amd64 busybox) &&
	test_expect_code 3 bbroot inspect "$dyn" 2>err &&
	test_grep "dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2; libraries .*libc.so.6" err &&
	test_grep "needs a static busybox" err
'
test_expect_success 'a dynamic program (/bin/ls) is refused' '
	test_expect_code 3 bbroot inspect /bin/ls 2>err &&
	test_grep "dynamically linked" err
'
test_expect_success 'a static ELF that is not busybox is refused' '
	printf "int main(void) { return 0; }\n" >hello.c &&
	gcc -static -o hello hello.c &&
	test_expect_code 3 bbroot inspect hello 2>err &&
	test_grep "not a BusyBox binary (no .BusyBox v. banner)" err
'
test_expect_success 'a static ELF with a busybox banner but no applet table is refused' '
	printf "const char *v = \"BusyBox v1.36.1 (fake)\";\nint main(void) { return v[0] == 0; }\n" >fake.c &&
	gcc -static -o fake fake.c &&
	test_expect_code 3 bbroot inspect fake 2>err &&
	test_grep "cannot read applets of .fake." err
'
test_expect_success 'a UPX-packed binary is refused with an explanation' '
	forge "$BB" upx upx &&
	test_expect_code 3 bbroot inspect upx 2>err &&
	test_grep "packed with UPX.*upx -d" err
'
test_expect_success 'a zeroed location table is refused, not guessed (exit 3)' '
	bbroot inspect -v "$BB" >facts &&
	forge "$BB" noloc zero-loc "$(loc_of facts)" "$(names_of facts)" &&
	test_expect_code 3 bbroot inspect noloc >out 2>err &&
	test_grep "no applet location table near its [0-9]* applet names" err &&
	test_grep "refusing to guess" err && test ! -s out
'
test_expect_success 'names that are not all sorted names are refused (exit 3)' '
	forge "$BB" badname break-name &&
	test_expect_code 3 bbroot inspect badname >out 2>err &&
	test_grep "names seem to start before file offset" err && test ! -s out &&
	forge "$BB" badmid break-mid &&
	test_expect_code 3 bbroot inspect badmid >out 2>err &&
	test_grep "refusing to guess" err && test ! -s out
'
test_expect_success 'built without the installer: every applet in /bin, with a warning' '
	bbroot inspect -v "$BB" >facts &&
	forge "$BB" noinst zero-loc "$(loc_of facts)" "$(names_of facts)" rename-install &&
	bbroot inspect -v noinst >out 2>err &&
	n=$(sed -n "s/^applets:   \([0-9]*\) .*/\1/p" facts) &&
	test_grep "^applets:   $n (from all-in-bin)\$" out &&
	test "$(grep -c "^/bin/" out)" = "$n" &&
	test_grep "warning: .*all $n .*/bin" err
'
test_expect_success 'a foreign binary without the installer: every applet in /bin' '
	arm=$(sh "$FIXTURE" bin arm64) &&
	bbroot inspect -v "$arm" >facts &&
	forge "$arm" noinst-arm zero-loc "$(loc_of facts)" "$(names_of facts)" rename-install &&
	bbroot inspect noinst-arm >out 2>err &&
	test_grep "(from all-in-bin)" out && test_grep "warning: .*/bin" err
'
test_done
