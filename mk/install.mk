# mk/install.mk - targets of the install module (bbroot install, layout).
#
#   make bench-install    bbroot install vs the classic shell-loop recipe
#                         (scripts/bench-install; BUSYBOX=/bin/busybox)

BUSYBOX ?= /bin/busybox

bench-install: all
	BBROOT=$(abspath $(O)/bbroot) sh scripts/bench-install $(BUSYBOX)

.PHONY: bench-install
