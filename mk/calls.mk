# Calls: the call half of the SIP stack against the real peers (root, the
# lab's packages).
#
#   make test-calls       the call unit tests (sipcore, the call control,
#                         the call screens), then the lab calls with baresip
#                         through Kamailio over TLS with SRTP: both
#                         directions, G.711 and G.722 scored for SNR, delay
#                         and level, hold and resume, DTMF, CANCEL and BYE
#                         from each side, plain RTP refused under
#                         "encrypted". About a minute.
#   make fuzz-calls       each call parser's fuzz target for CALLS_FUZZTIME.

CALLS_FUZZTIME ?= 20s

.PHONY: test-calls fuzz-calls

test-calls: lab-deps
	$(GO) test -count=1 -p 1 ./sipcore
	$(GO) test -count=1 -p 1 -run 'TestCallGoldens|TestCallKeys|TestCallLineWords|TestGoldenMenus' ./ui
	$(GO) test -count=1 -p 1 -run 'TestCall|TestCmdCall|TestIndicationTone|TestWAV' ./firmware

fuzz-calls:
	$(GO) test -run '^$$' -fuzz 'FuzzParsePrecedence$$' -fuzztime $(CALLS_FUZZTIME) ./sipcore
	$(GO) test -run '^$$' -fuzz 'FuzzSDPDirection$$' -fuzztime $(CALLS_FUZZTIME) ./sipcore
