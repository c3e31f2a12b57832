# The PC port (pass-through, proxy EAPOL-Logoff) and the voice VLAN.
#
#   make test-pcport   their unit and lab tests (root: the lab's namespaces)
#   make fuzz-pcport   each of their fuzz targets for PCPORT_FUZZTIME (default 20s)

PCPORT_FUZZTIME ?= 20s

.PHONY: test-pcport fuzz-pcport

test-pcport: lab-deps
	$(GO) test -count=1 -p 1 ./pcport/... ./voicevlan/...
	$(GO) test -count=1 -p 1 -run 'PCPort|PortAuthorized' ./firmware

fuzz-pcport:
	$(GO) test -run '^$$' -fuzz '^FuzzForward$$' -fuzztime $(PCPORT_FUZZTIME) ./pcport
	$(GO) test -run '^$$' -fuzz '^FuzzParseFrame$$' -fuzztime $(PCPORT_FUZZTIME) ./voicevlan
