#!/bin/sh
# bbroot pack with the real Docker engine (a private dockerd on its own
# socket, started here and stopped at exit): the classic tutorial with
# `docker import`, `docker load` of the docker format, and an arm64 image
# built on amd64 running under qemu binfmt.
. "$(dirname "$0")/lib.sh"

dockerd_dir=$TRASH/dockerd

. "$TOP/tests/e2e/pack-lib.sh"

if ! DOCKER_HOST=$("$TOP/scripts/dockerd-test" start "$dockerd_dir" 2>"$TRASH/dockerd.err"); then
	test_skip "docker import/load/run of packed images" \
		"a Docker engine ($(tail -n 1 "$TRASH/dockerd.err"))"
	test_done
	exit
fi
export DOCKER_HOST
test_at_exit "$TOP/scripts/dockerd-test" stop "$dockerd_dir"

test_expect_success 'pack the rootfs tar (the tutorial: gzip, for docker import)' '
	pack_busybox /bin/busybox "" -c gzip >out &&
	test -f busybox.tar && test_grep "docker import busybox.tar busybox" out
'

test_expect_success 'docker import, then docker run IMAGE cat /release' '
	docker import busybox.tar bbr-import >/dev/null &&
	docker run --rm bbr-import cat /release >got &&
	echo KatacodaPrivateBuild >want && diff -u want got
'

test_expect_success 'docker run IMAGE /bin/sh -c "uname -a; env"' '
	docker run --rm bbr-import /bin/sh -c "uname -a; env" >got &&
	test_grep "^Linux " got && test_grep "^PATH=" got && test_grep "^HOME=/" got
'

test_expect_success 'a bare docker run of the imported rootfs says "No command specified"' '
	test_must_fail docker run --rm bbr-import >out 2>err &&
	test_grep "No command specified" err
'

test_expect_success 'docker import of uncompressed and xz rootfs tars' '
	pack_busybox /bin/busybox "" -o plain.tar >/dev/null &&
	pack_busybox /bin/busybox "" -c xz -o xz.tar >/dev/null &&
	docker import plain.tar bbr-plain >/dev/null && docker import xz.tar bbr-xz >/dev/null &&
	docker run --rm bbr-plain cat /release >a && docker run --rm bbr-xz cat /release >b &&
	diff -u want a && diff -u want b
'

test_expect_success 'docker load of the docker format, docker run IMAGE cat /release' '
	pack_busybox /bin/busybox "" -f docker -c gzip -t bbr-load:test -o image.tar >out &&
	test_grep "docker load -i image.tar" out &&
	docker load -i image.tar >loaded && test_grep "Loaded image: bbr-load:test" loaded &&
	docker run --rm bbr-load:test cat /release >got && diff -u want got
'

test_expect_success 'docker run IMAGE with no command runs sh' '
	echo "echo hello-from-sh" | docker run --rm -i bbr-load:test >got &&
	echo hello-from-sh >want2 && diff -u want2 got &&
	docker image inspect -f "{{json .Config.Cmd}} {{.Os}}/{{.Architecture}}" bbr-load:test >got &&
	echo "[\"sh\"] linux/amd64" >want3 && diff -u want3 got
'

test_expect_success 'docker load of an uncompressed layer; image metadata options' '
	pack_busybox /bin/busybox "" -f docker -t bbr-meta:1 -o meta.tar \
		--entrypoint "[\"/bin/sh\",\"-c\"]" --cmd "[\"echo \$GREETING from \$(pwd) as \$(id -u)\"]" \
		--env GREETING=hi --label org.example.k=v --workdir /tmp --user 65534 >/dev/null &&
	docker load -i meta.tar >/dev/null &&
	docker run --rm bbr-meta:1 >got && echo "hi from /tmp as 65534" >want4 && diff -u want4 got &&
	docker image inspect -f "{{index .Config.Labels \"org.example.k\"}}" bbr-meta:1 >got &&
	echo v >want5 && diff -u want5 got
'

test_expect_success 'the loaded image has our diff_id as its layer' '
	docker image inspect -f "{{json .RootFS.Layers}}" bbr-load:test >got &&
	mkdir unpacked && tar -C unpacked -xf image.tar &&
	cfg=$(python3 -c "import json; print(json.load(open(\"unpacked/manifest.json\"))[0][\"Config\"])") &&
	python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[\"rootfs\"][\"diff_ids\"]).replace(\" \",\"\"))" unpacked/$cfg >want6 &&
	diff -u want6 got
'

if arm_bb=$("$TOP/tests/fixtures/debian-busybox" bin arm64 2>"$TRASH/fixture.err"); then
	if "$TOP/scripts/dockerd-test" binfmt 2>"$TRASH/binfmt.err"; then
		test_expect_success 'an arm64 image built on amd64 says arm64/v8 and runs under qemu' '
			pack_busybox "$arm_bb" qemu-aarch64-static -f docker -c gzip -t bbr-arm64:test \
				-o arm64.tar >out &&
			test_grep "platform linux/arm64/v8" out &&
			docker load -i arm64.tar >/dev/null &&
			docker image inspect -f "{{.Architecture}} {{.Variant}}" bbr-arm64:test >got &&
			echo "arm64 v8" >want7 && diff -u want7 got &&
			docker run --rm --platform linux/arm64 bbr-arm64:test uname -m >got &&
			echo aarch64 >want8 && diff -u want8 got &&
			docker run --rm --platform linux/arm64 bbr-arm64:test cat /release >got &&
			diff -u want got
		'
	else
		test_skip "arm64 image under qemu" "binfmt_misc ($(tail -n 1 "$TRASH/binfmt.err"))"
	fi
else
	test_skip "arm64 image under qemu" "Debian arm64 busybox-static ($(tail -n 1 "$TRASH/fixture.err"))"
fi
test_done
