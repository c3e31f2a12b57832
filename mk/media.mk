# Media: the phone's media engine beside baresip (root, the lab's packages).
#
#   make bench-media   an SRTP call (PCMU, AES_CM_128_HMAC_SHA1_80) from
#                      `firmware call` to baresip through Kamailio, then a
#                      baresip-to-baresip call as long: CPU per minute of call
#                      and resident memory side by side, and the delay the
#                      phone adds. About 2 minutes (MEDIA_CALL=30s per call).

MEDIA_CALL ?= 30s

.PHONY: bench-media

bench-media: lab-deps
	$(GO) run ./media/bench -for $(MEDIA_CALL)
