package lab

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// Packages are the Debian packages the lab needs (lab.mk's LAB_PACKAGES).
var Packages = []string{
	"iproute2", "nftables", "busybox", "curl",
	"hostapd", "wpasupplicant", "freeradius",
	"kamailio", "kamailio-tls-modules", "baresip-core", "sipsak",
	"nginx", "tftpd-hpa", "tftp-hpa", "vsftpd", "dnsmasq-base", "lldpd",
	"espeak-ng", "sox",
}

// binaries maps each program the lab or its tests run to its package.
var binaries = map[string]string{
	"ip": "iproute2", "nft": "nftables", "busybox": "busybox", "curl": "curl",
	"hostapd": "hostapd", "hostapd_cli": "hostapd", "wpa_supplicant": "wpasupplicant", "wpa_cli": "wpasupplicant",
	"freeradius": "freeradius", "kamailio": "kamailio", "baresip": "baresip-core", "sipsak": "sipsak",
	"nginx": "nginx", "in.tftpd": "tftpd-hpa", "tftp": "tftp-hpa", "vsftpd": "vsftpd", "dnsmasq": "dnsmasq-base",
	"lldpd": "lldpd", "lldpcli": "lldpd", "espeak-ng": "espeak-ng", "sox": "sox",
}

// Missing lists the programs the lab needs that are not installed, with the
// package of each.
func Missing() []string {
	var out []string
	for bin, pkg := range binaries {
		if _, err := exec.LookPath(bin); err != nil {
			out = append(out, bin+" ("+pkg+")")
		}
	}
	sort.Strings(out)
	return out
}

// InstallCommand is what installs everything (as lab-deps does).
func InstallCommand() string {
	return "apt-get install -y --no-install-recommends " + strings.Join(Packages, " ")
}

// Check reports why a lab cannot run here: not root, or programs missing.
func Check(Options) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("lab: needs root (network namespaces); run as root, e.g. sudo make test")
	}
	if m := Missing(); len(m) > 0 {
		return fmt.Errorf("lab: missing %s; install with: make lab-deps, or %s", strings.Join(m, ", "), InstallCommand())
	}
	return nil
}
