package netconf

import "errors"

// Applier puts an Address into effect on an interface (the address and
// the default route) and takes it out again. The Linux one speaks
// rtnetlink; tests use a fake.
type Applier interface {
	Apply(iface string, a *Address) error
	Remove(iface string, a *Address) error
}

// errNoNetlink is what the stub says where there is no rtnetlink.
var errNoNetlink = errors.New("no rtnetlink on this platform")
