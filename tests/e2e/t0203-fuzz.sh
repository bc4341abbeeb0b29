#!/bin/sh
# The libFuzzer target of the ELF/applet reader builds (clang) and runs for
# a few seconds without a crash, leak or broken list (`make fuzz` runs it
# for minutes).  Without clang's libFuzzer this is a skip, and under
# CI=true a failure.
. "$(dirname "$0")/lib.sh"

printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' \
	>"$TRASH/probe.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer -o "$TRASH/probe" "$TRASH/probe.c" >"$TRASH/probe.log" 2>&1; then
	test_skip 'the reader survives a short fuzzing run' 'clang with libFuzzer (clang, libclang-rt-14-dev)'
	test_done
	exit
fi

test_expect_success 'the reader survives a short fuzzing run' '
	make -s -C "$TOP" fuzz-smoke >fuzz.log 2>&1 ||
		{ tail -n 60 fuzz.log; false; } &&
	test_grep "^Done [0-9]* runs" fuzz.log
'
test_done
