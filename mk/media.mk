# Media: the phone's media engine beside baresip (root, the lab's packages).
#
#   make bench-media   an SRTP call (PCMU, AES_CM_128_HMAC_SHA1_80) from
#                      `firmware call` to baresip through Kamailio, then a
#                      baresip-to-baresip call as long: CPU per minute of call
#                      and resident memory side by side, and the delay the
#                      phone adds. About 2 minutes (MEDIA_CALL=30s per call).
#                      MEDIA_PHONE_ENV=GOMAXPROCS=1,GOMEMLIMIT=6MiB adds a
#                      second phone call under those runtime settings.
#                      The firmware is built as the boards' (CGO_ENABLED=0).

MEDIA_CALL ?= 30s
MEDIA_PHONE_ENV ?=

.PHONY: bench-media

bench-media: lab-deps
	$(GO) run ./media/bench -for $(MEDIA_CALL) $(if $(MEDIA_PHONE_ENV),-phone-env $(MEDIA_PHONE_ENV))
