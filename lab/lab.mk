# The lab: real peers (hostapd, FreeRADIUS, Kamailio, nginx, tftpd-hpa, vsftpd,
# dnsmasq, baresip, sipsak, lldpd) in network namespaces. Included from the root Makefile.
#
#   make lab-deps   install the Debian packages the lab and its tests need
#   make lab-up     start the whole lab and stay in the foreground until Ctrl-C
#   make lab-down   remove what a lab-up or a crashed test left behind
#
# The daemons run with private configs inside the lab's namespaces only; the
# system's own instances of them are never started.

GO ?= go

# The lab's Debian packages (Debian 12). Reused by the lead for CI images.
LAB_PACKAGES := \
	iproute2 nftables busybox curl \
	hostapd wpasupplicant freeradius \
	kamailio kamailio-tls-modules baresip-core sipsak \
	nginx tftpd-hpa tftp-hpa vsftpd dnsmasq-base lldpd \
	espeak-ng sox

# Package services that Debian starts on install: stopped and disabled after an
# install, so nothing of the system's own instances listens.
LAB_SYSTEM_SERVICES := freeradius kamailio nginx tftpd-hpa vsftpd lldpd

.PHONY: lab-deps lab-up lab-down lab-status

# Idempotent: dpkg-query first; apt-get runs only when a package is missing.
# A temporary policy-rc.d (exit 101) keeps the packages' daemons from starting
# during the install; an existing one is left as it is. apt-get update may
# fail on one foreign-architecture index while a mirror syncs: the install
# then says whether what the lab needs is there.
lab-deps:
	@missing=$$(for p in $(LAB_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "lab-deps: all $(words $(LAB_PACKAGES)) packages present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "lab-deps: missing $$missing; run as root: apt-get install -y --no-install-recommends $$missing" >&2; exit 1; fi; \
	echo "lab-deps: installing $$missing"; \
	own_policy=; \
	if [ ! -e /usr/sbin/policy-rc.d ]; then \
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1; fi; \
	trap '[ -n "$$own_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT; \
	apt-get update -qq || echo "lab-deps: apt-get update reported errors (a mirror mid-sync?); trying the install anyway" >&2; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing || exit 1; \
	for s in $(LAB_SYSTEM_SERVICES); do \
		if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \
			systemctl disable --now $$s >/dev/null 2>&1 || true; \
		elif [ -x /etc/init.d/$$s ]; then \
			/etc/init.d/$$s stop >/dev/null 2>&1 || true; \
		fi; \
	done; \
	echo "lab-deps: done"

# Foreground: prints addresses and credentials, tears everything down on Ctrl-C.
lab-up: lab-deps
	$(GO) run ./lab/cmd/lab up

lab-down:
	$(GO) run ./lab/cmd/lab down

lab-status:
	$(GO) run ./lab/cmd/lab status
