#!/bin/sh
# bbroot pack: the same inputs give the same bytes, whatever the builder's
# umask, TZ, locale, working directory, file creation order and clock, for
# every format and compression; and the headers follow the rules.
. "$(dirname "$0")/lib.sh"

check=$TOP/tests/e2e/pack-tarcheck.py
long=dddddddddddddddddddddddddddddddddddddddddddddddddd/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
export SOURCE_DATE_EPOCH=1700000000

# make_tree DIR fwd|rev: the same tree, built in a different order under a
# different umask and with different times; modes set explicitly after.
make_tree() {
	d=$1
	if [ "$2" = fwd ]; then
		umask 022
		list="a a/b bin etc tmp root $long"
	else
		umask 077
		list="$long root tmp etc bin a/b a"
	fi
	for p in $list; do mkdir -p "$d/$p"; done
	for f in $(if [ "$2" = fwd ]; then echo 1 2 3 4 5 6; else echo 6 5 4 3 2 1; fi); do
		case $f in
		1) printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd" ;;
		2) printf 'root:*:19000:0:99999:7:::\n' >"$d/etc/shadow" ;;
		3) cp "$TRASH/prog.src" "$d/bin/prog" ;;
		4) ln -s prog "$d/bin/sh" && ln -s /bin/prog "$d/bin/abs" ;;
		5) : >"$d/a/b/empty" && printf caf >"$d/a/caf$(printf '\303\251')" ;;
		6) printf 'x\n' >"$d/$long/file" && printf 'rel\n' >"$d/release" ;;
		esac
	done
	ln "$d/release" "$d/a/release.hard"
	chmod 0755 "$d" "$d/a" "$d/a/b" "$d/bin" "$d/etc" "$d/dddddddddddddddddddddddddddddddddddddddddddddddddd" "$d/$long"
	chmod 1777 "$d/tmp" && chmod 0700 "$d/root"
	chmod 0644 "$d/etc/passwd" "$d/release" "$d/a/b/empty" "$d/a/caf"* "$d/$long/file"
	chmod 0600 "$d/etc/shadow" && chmod 4755 "$d/bin/prog"
	umask 022
}

test_expect_success 'two trees built differently' '
	head -c 70000 /dev/urandom >prog.src &&
	make_tree "$TRASH/t1" fwd && sleep 1 && make_tree "$TRASH/t2" rev &&
	touch -d "2001-02-03 04:05:06" "$TRASH/t2/etc/passwd" &&
	! diff -r t1 t2 >/dev/null 2>&1 || true
'

# pack_twice NAME ARGS...: build from t1 (umask 022, UTC, C, in the trash)
# and t2 (umask 077, another zone and locale, another cwd); compare.
pack_twice() {
	name=$1
	shift
	(umask 022 && cd "$TRASH" && TZ=UTC LC_ALL=C "$BBROOT" pack --from t1 -o "$name.1" "$@" >/dev/null) &&
	mkdir -p "$TRASH/elsewhere/deep" &&
	(umask 077 && cd "$TRASH/elsewhere/deep" &&
	 TZ=Pacific/Kiritimati LC_ALL=C.UTF-8 LANG=fr_FR.UTF-8 \
	 "$BBROOT" pack --from "$TRASH/t2" -o "$TRASH/$name.2" "$@" >/dev/null)
}

for c in none gzip zstd xz; do
	test_expect_success "rootfs --compress $c: identical bytes, headers checked" "
		pack_twice rootfs-$c --compress $c &&
		cmp rootfs-$c.1 rootfs-$c.2 &&
		python3 \"\$check\" --mtime 1700000000 rootfs-$c.1 >list &&
		test_grep '^d 1777 0:0 tmp$' list && test_grep '^d 0700 0:0 root$' list &&
		test_grep '^f 4755 0:0 bin/prog 70000$' list &&
		test_grep '^f 0600 0:0 etc/shadow ' list &&
		test_grep '^h 0644 0:0 release => a/release.hard$' list &&
		test_grep '^l 0777 0:0 bin/abs -> /bin/prog$' list &&
		test_grep '/eeeeeeeeeeeeeeeeeeee*/file 2$' list
	"
done

test_expect_success 'rootfs: the uncompressed tar is the same under every compression' '
	python3 -c "import sys,hashlib,subprocess
h=set()
for f in sys.argv[1:]:
    d=open(f,\"rb\").read()
    if d[:4]==bytes.fromhex(\"28b52ffd\"): d=subprocess.run([\"zstd\",\"-dc\"],input=d,stdout=subprocess.PIPE).stdout
    else:
        import gzip,lzma
        if d[:2]==bytes.fromhex(\"1f8b\"): d=gzip.decompress(d)
        elif d[:6]==bytes.fromhex(\"fd377a585a00\"): d=lzma.decompress(d)
    h.add(hashlib.sha256(d).hexdigest())
sys.exit(len(h)!=1)" rootfs-none.1 rootfs-gzip.1 rootfs-zstd.1 rootfs-xz.1
'

for c in none gzip zstd; do
	test_expect_success "docker --compress $c: identical bytes, layer and archive checked" "
		pack_twice docker-$c -f docker --compress $c -t bb:repro &&
		cmp docker-$c.1 docker-$c.2 &&
		python3 \"\$check\" --mtime 1700000000 docker-$c.1 >outer &&
		test_grep '^f 0644 0:0 manifest.json ' outer && test_grep '^f 0644 0:0 oci-layout 30$' outer &&
		test_grep '^f 0644 0:0 index.json ' outer && test_grep '^f 0644 0:0 repositories ' outer &&
		mkdir x-$c && tar -C x-$c -xf docker-$c.1 &&
		layer=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0][\"Layers\"][0])' x-$c/manifest.json) &&
		python3 \"\$check\" --mtime 1700000000 x-$c/\$layer >list &&
		test_grep '^d 1777 0:0 tmp$' list && test_grep '^f 4755 0:0 bin/prog 70000$' list
	"
	test_expect_success "oci --compress $c: identical trees" "
		pack_twice oci-$c -f oci --compress $c -t bb:repro &&
		(cd oci-$c.1 && find . | sort) >l1 && (cd oci-$c.2 && find . | sort) >l2 &&
		cmp l1 l2 && diff -r oci-$c.1 oci-$c.2 &&
		test \$(ls oci-$c.1/blobs/sha256 | wc -l) = 3
	"
done

test_expect_success 'docker and oci formats share the same blobs' '
	for f in $(ls oci-gzip.1/blobs/sha256); do
		cmp oci-gzip.1/blobs/sha256/$f x-gzip/blobs/sha256/$f || return 1
	done
'

test_expect_success 'every blob is named by its sha256 and the config has the diff_id' '
	for f in oci-zstd.1/blobs/sha256/*; do
		test "$(sha256sum <$f | cut -d" " -f1)" = "$(basename $f)" || return 1
	done &&
	cfg=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(m[0][\"Config\"])" x-zstd/manifest.json) &&
	layer=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(m[0][\"Layers\"][0])" x-zstd/manifest.json) &&
	diff_id=$(zstd -dc x-zstd/$layer | sha256sum | cut -d" " -f1) &&
	test_grep "\"diff_ids\":\[\"sha256:$diff_id\"\]" x-zstd/$cfg &&
	test_grep "\"created\":\"2023-11-14T22:13:20Z\"" x-zstd/$cfg
'

test_expect_success 'SOURCE_DATE_EPOCH is honoured; the default is 0' '
	SOURCE_DATE_EPOCH=86400 bbroot pack --from t1 -o e1.tar >/dev/null &&
	python3 "$check" --mtime 86400 e1.tar >/dev/null &&
	(unset SOURCE_DATE_EPOCH; bbroot pack --from t1 -o e0.tar >/dev/null) &&
	python3 "$check" --mtime 0 e0.tar >/dev/null && ! cmp -s e0.tar e1.tar
'

test_expect_success 'the member order is GNU tar --sort=name order' '
	tar -tf rootfs-none.1 | sed "s|/\$||" >ours &&
	(cd t1 && tar --sort=name -cf - .) | tar -tf - | sed "s|^\./||; s|/\$||; /^\$/d" >gnu &&
	diff -u gnu ours
'

if [ -f "$TOP/bootstrap/layout.c" ] && [ -x /bin/busybox ]; then
	test_expect_success 'the busybox model packs to identical bytes (every format)' '
		for f in "rootfs -c gzip" "docker" "oci -c zstd"; do
			(umask 022 && TZ=UTC "$BBROOT" pack --busybox /bin/busybox --release R -f $f -o m1 >/dev/null) &&
			(umask 077 && cd elsewhere && TZ=Asia/Tokyo LC_ALL=C.UTF-8 \
			 "$BBROOT" pack --busybox /bin/busybox --release R -f $f -o ../m2 >/dev/null) &&
			if [ -d m1 ]; then diff -r m1 m2; else cmp m1 m2; fi &&
			rm -rf m1 m2 || return 1
		done
	'
	test_expect_success 'another user (nobody) packs the same bytes as root' '
		if [ "$(id -u)" != 0 ] || ! command -v runuser >/dev/null; then
			echo "needs root and runuser (skipped)"; exit 0
		fi
		shared=$(mktemp -d) && chmod 1777 "$shared" &&
		cp "$BBROOT" "$shared/bbroot" && chmod 0755 "$shared/bbroot" &&
		(cd "$shared" && umask 077 && HOME=/nonexistent runuser -u nobody -- \
			"$shared/bbroot" pack --busybox /bin/busybox --release R -f docker -o "$shared/n.tar" >/dev/null) &&
		"$BBROOT" pack --busybox /bin/busybox --release R -f docker -o "$shared/r.tar" >/dev/null &&
		cmp "$shared/n.tar" "$shared/r.tar"; rc=$?
		rm -rf "$shared"
		exit $rc
	'
else
	echo "ok $((test_count + 1)) - the busybox model packs to identical bytes # SKIP layout module not in this tree"
	test_count=$((test_count + 1))
fi
test_done
