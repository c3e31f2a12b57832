# Media: the phone's media engine beside baresip (root, the lab's packages).
#
#   make bench-media   SRTP calls (PCMU, AES_CM_128_HMAC_SHA1_80, TLS) to
#                      a remote baresip through Kamailio: the whole phone
#                      (`firmware run` on the lab's 802.1X port, dialled on
#                      its keypad), `firmware call` and a baresip caller,
#                      three calls each, taking turns: CPU per minute of
#                      call (median) and resident memory (most) side by
#                      side, and the delay the phone adds. About 7 minutes
#                      (MEDIA_CALL=30s per call).
#                      MEDIA_PHONE_ENV=GOGC=100,GOMAXPROCS=2 adds a second
#                      `firmware call` under those runtime settings.
#                      The firmware is built as the boards' (CGO_ENABLED=0).

MEDIA_CALL ?= 30s
MEDIA_PHONE_ENV ?=

.PHONY: bench-media

bench-media: lab-deps
	$(GO) run ./media/bench -for $(MEDIA_CALL) $(if $(MEDIA_PHONE_ENV),-phone-env $(MEDIA_PHONE_ENV))
