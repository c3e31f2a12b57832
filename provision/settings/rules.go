package settings

import (
	"errors"
	"strconv"
)

// rule is a check across settings. The Store runs it on the whole set of
// values a change would leave, when the change touches one of its names,
// so a provisioning file that sets both fields at once is judged as a whole.
type rule struct {
	names []string
	check func(vals map[string]string) error
}

var rules = []rule{
	{names: []string{"dot1x.mode", "dot1x.reauth_period"}, check: reauthForTLS},
}

// reauthForTLS: an EAP-TLS exchange takes far longer than MD5, so its
// re-authentication period has a higher floor.
func reauthForTLS(vals map[string]string) error {
	n, _ := strconv.Atoi(vals["dot1x.reauth_period"])
	if vals["dot1x.mode"] != dot1xModeTLS || n == 0 || n >= minReauthTLS {
		return nil
	}
	return def("dot1x.reauth_period").errorf(
		"out of range with dot1x.mode %s (EAP-TLS): %d, from %d to 86400 (or 0 for off)",
		dot1xModeTLS, n, minReauthTLS)
}

// checkRules runs the rules that involve a changed name on vals.
func checkRules(vals map[string]string, changed map[string]bool) error {
	var errs []error
	for _, r := range rules {
		for _, n := range r.names {
			if changed[n] {
				if err := r.check(vals); err != nil {
					errs = append(errs, err)
				}
				break
			}
		}
	}
	return errors.Join(errs...)
}
