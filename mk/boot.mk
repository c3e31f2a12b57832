# The whole phone in the lab (root, the lab's packages).
#
#   make bench-boot   link up -> 802.1X -> address -> provisioning -> line
#                     registered, BOOT_RUNS times (default 10) on one phone:
#                     the median, each stage's share, and the firmware's
#                     resident memory once registered. About 30 s.

BOOT_RUNS ?= 10

.PHONY: bench-boot

bench-boot: lab-deps
	BOOT_RUNS=$(BOOT_RUNS) $(GO) test -count=1 -run '^$$' -bench '^BenchmarkBootLab$$' -benchtime 1x ./firmware
