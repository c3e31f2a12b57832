# EAP-FAST (802.1X mode 7) in net8021x: its own TLS 1.2 client, TLVs, key
# chain and PAC store.
#
#   make test-fast   its unit tests and lab tests against hostapd's own EAP
#                    server (root: the lab's namespaces)
#   make fuzz-fast   its fuzz targets for FAST_FUZZTIME each (default 20s)

FAST_FUZZTIME ?= 20s

.PHONY: test-fast fuzz-fast

test-fast: lab-deps
	$(GO) test -count=1 -p 1 -run 'FAST|RFC4851|PRF12|PAC|FastISK' ./net8021x

fuzz-fast:
	$(GO) test -run '^$$' -fuzz '^FuzzFASTRecord$$' -fuzztime $(FAST_FUZZTIME) ./net8021x
	$(GO) test -run '^$$' -fuzz '^FuzzFASTTLV$$' -fuzztime $(FAST_FUZZTIME) ./net8021x
