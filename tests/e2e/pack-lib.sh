# tests/e2e/pack-lib.sh - helpers for the pack tests (sourced after lib.sh).
#
# The busybox rootfs comes from the model when the layout module is in
# this tree, else from the classic recipe's tree (one absolute symlink per
# applet, made with the binary's own --list-full) packed with --from, which
# exercises the same sinks.

have_layout() { [ -f "$TOP/bootstrap/layout.c" ]; }

# classic_tree DIR BUSYBOX [RUNNER]: the classic recipe, by shell loop.
classic_tree() {
	d=$1 bb=$2 run=${3:-}
	mkdir -p "$d/bin" && cp "$bb" "$d/bin/busybox" &&
	for p in $($run "$bb" --list-full); do
		mkdir -p "$d/$(dirname "$p")" &&
		{ [ -e "$d/$p" ] || [ -L "$d/$p" ] || ln -s /bin/busybox "$d/$p"; } || return 1
	done &&
	mkdir -p "$d/tmp" && chmod 1777 "$d/tmp" &&
	printf 'KatacodaPrivateBuild\n' >"$d/release"
}

# pack_busybox BUSYBOX RUNNER PACK-ARGS...: the busybox image with
# /release = KatacodaPrivateBuild.
pack_busybox() {
	bb=$1 run=$2
	shift 2
	if have_layout; then
		bbroot pack --busybox "$bb" --release KatacodaPrivateBuild "$@"
	else
		rm -rf "$TRASH/tree.$$" && classic_tree "$TRASH/tree.$$" "$bb" "$run" &&
		bbroot pack --from "$TRASH/tree.$$" "$@"
	fi
}
