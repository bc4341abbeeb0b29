#!/bin/sh
# bbroot pack with the OCI clients that validate images: skopeo (checks
# every layer against its digest and diff_id), umoci (strict about media
# types, oci-layout and ref names) and podman.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/e2e/pack-lib.sh"

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	test_skip "$2" "$1 (apt-get install $1)"
	return 1
}

test_expect_success 'pack the docker and oci formats' '
	pack_busybox /bin/busybox "" -f docker -c gzip -t bbr:test -o image.tar >/dev/null &&
	pack_busybox /bin/busybox "" -f oci -c gzip -t bbr:test -o layout >/dev/null &&
	pack_busybox /bin/busybox "" -f oci -t bbr:plain -o plain >/dev/null &&
	pack_busybox /bin/busybox "" -f oci -c zstd -t bbr:zstd -o zlayout >/dev/null &&
	echo KatacodaPrivateBuild >want
'

# The layer digest of the only image in an OCI layout directory.
layer_of() {
	python3 - "$1" <<-\EOF
	import json, sys
	d = sys.argv[1]
	idx = json.load(open(d + "/index.json"))
	m = json.load(open(d + "/blobs/" + idx["manifests"][0]["digest"].replace(":", "/")))
	print(m["layers"][0]["digest"])
	EOF
}

if need skopeo "skopeo copy of packed images"; then
	test_expect_success 'skopeo copy docker-archive: -> oci: keeps the layer' '
		skopeo copy -q docker-archive:image.tar oci:sk1:t &&
		skopeo inspect --config oci:sk1:t >cfg &&
		test_grep "\"architecture\": \"amd64\"" cfg && test_grep "\"sh\"" cfg
	'
	test_expect_success 'skopeo copy oci-archive: (the same file) -> oci:' '
		skopeo copy -q oci-archive:image.tar:test oci:sk2:t &&
		test "$(layer_of sk2)" = "$(layer_of layout)"
	'
	test_expect_success 'skopeo copy oci: -> docker-archive: -> oci: round trip' '
		skopeo copy -q oci:layout:test docker-archive:back.tar:bbr:back &&
		skopeo copy -q docker-archive:back.tar oci:sk3:t &&
		skopeo copy -q oci:plain:plain oci:sk4:t &&
		skopeo copy -q oci:zlayout:zstd oci:sk5:t &&
		test "$(layer_of sk5)" = "$(layer_of zlayout)"
	'
	test_expect_success 'skopeo refuses a forged layer (the check is real)' '
		cp -r layout forged &&
		blob=forged/blobs/$(layer_of forged | tr : /) &&
		chmod u+w "$blob" &&
		python3 -c "import sys; p=sys.argv[1]; d=bytearray(open(p,\"rb\").read()); d[len(d)//2]^=1; open(p,\"wb\").write(d)" "$blob" &&
		test_must_fail skopeo copy -q oci:forged:test oci:sk6:t 2>err &&
		test_grep "[Dd]igest" err
	'
fi

if need umoci "umoci unpack of packed images"; then
	test_expect_success 'umoci unpack --rootless of the oci format (gzip)' '
		umoci unpack --rootless --image layout:test bundle >/dev/null 2>&1 &&
		diff -u want bundle/rootfs/release &&
		test -x bundle/rootfs/bin/busybox && test -d bundle/rootfs/tmp &&
		test_grep "\"sh\"" bundle/config.json
	'
	test_expect_success 'umoci unpack --rootless of an uncompressed layer' '
		umoci unpack --rootless --image plain:plain bundle2 >/dev/null 2>&1 &&
		diff -u want bundle2/rootfs/release
	'
	test_expect_success 'umoci refuses a tag the index does not name' '
		test_must_fail umoci unpack --rootless --image layout:nope bundle3 2>err
	'
fi

if need podman "podman load of packed images"; then
	test_expect_success 'podman load of the docker format' '
		export CONTAINERS_STORAGE_CONF="$TRASH/storage.conf" &&
		printf "[storage]\ndriver = \"vfs\"\nrunroot = \"%s\"\ngraphroot = \"%s\"\n" \
			"$TRASH/podman/run" "$TRASH/podman/graph" >"$CONTAINERS_STORAGE_CONF" &&
		podman --events-backend=file --cgroup-manager=cgroupfs load -i image.tar >out 2>&1 &&
		test_grep "Loaded image.*bbr:test" out &&
		podman --events-backend=file image inspect -f "{{.Architecture}} {{.Os}}" bbr:test >got &&
		echo "amd64 linux" >want2 && diff -u want2 got
	'
fi
test_done
