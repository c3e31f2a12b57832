package ui

import (
	"strconv"
	"time"
)

// SecurityInfo is what the menus show that neither the settings nor
// status.Phone hold: the certificates on the phone and the trust list. The
// firmware implements it over its certificate store; the UI calls it while
// it draws, under its lock, so it must answer at once and must not call
// back into the UI.
type SecurityInfo interface {
	Certificate(which Cert) CertInfo
	TrustList() TrustListInfo
}

// Cert names one certificate the menus show.
type Cert int

// The certificates the menus show.
const (
	CertDot1XCA     Cert = iota // the CA that verifies the 802.1X authentication server
	CertDot1XDevice             // the phone's own certificate for EAP-TLS
	CertLSC                     // the locally significant certificate (SIP TLS)
)

func (c Cert) String() string {
	switch c {
	case CertDot1XCA:
		return "CA certificate"
	case CertDot1XDevice:
		return "Device certificate"
	case CertLSC:
		return "LSC"
	}
	return "certificate"
}

// CertInfo is one certificate's status. The zero value is "not installed".
type CertInfo struct {
	Installed           bool
	Subject, Issuer     string // distinguished names, as the firmware prints them
	NotBefore, NotAfter time.Time
}

// TrustListInfo is the state of the trust list (Cisco CTL and ITL).
type TrustListInfo struct {
	CTL, ITL bool      // installed
	Signer   string    // who signed the installed list
	Updated  time.Time // the last update attempt; zero when none
	// Result is the last update's code, 1 to 9 (see trustResults); 0 when
	// there was none.
	Result int
}

// trustResults are the trust list update codes, as the alarms name them.
var trustResults = map[int]string{
	1: "TL_SUCCESS",
	2: "CTL_INITIAL_SUCCESS",
	3: "ITL_INITIAL_SUCCESS",
	4: "TL_INITIAL_SUCCESS",
	5: "TL_FAILED_OLD_CTL",
	6: "TL_FAILED_NO_TL",
	7: "TL_FAILED",
	8: "TL_FAILED_OLD_ITL",
	9: "TL_FAILED_OLD_TL",
}

// certificate asks the firmware about one certificate; without a
// SecurityInfo nothing is installed.
func (e *Env) certificate(which Cert) CertInfo {
	if e.ui == nil || e.ui.secinfo == nil {
		return CertInfo{}
	}
	return e.ui.secinfo.Certificate(which)
}

// trustList asks the firmware about the trust list.
func (e *Env) trustList() TrustListInfo {
	if e.ui == nil || e.ui.secinfo == nil {
		return TrustListInfo{}
	}
	return e.ui.secinfo.TrustList()
}

// installed is a yes/no for a menu row.
func installed(ok bool) string {
	if ok {
		return "Installed"
	}
	return "Not installed"
}

// certPage shows one certificate's status.
func certPage(which Cert) *InfoPage {
	return NewInfoPage(which.String(), func(e *Env) []InfoRow {
		ci := e.certificate(which)
		if !ci.Installed {
			return []InfoRow{{"Status", "Not installed"}}
		}
		status := "Installed"
		switch {
		case !ci.NotAfter.IsZero() && e.Now.After(ci.NotAfter):
			status = "Expired"
		case !ci.NotBefore.IsZero() && e.Now.Before(ci.NotBefore):
			status = "Not yet valid"
		}
		return []InfoRow{
			{"Status", status},
			{"Subject", orNone(ci.Subject, "-")},
			{"Issuer", orNone(ci.Issuer, "-")},
			{"Valid from", dateOr(ci.NotBefore)},
			{"Valid to", dateOr(ci.NotAfter)},
		}
	})
}

// trustListPage shows the trust list's state.
func trustListPage() *InfoPage {
	return NewInfoPage("Trust list", func(e *Env) []InfoRow {
		tl := e.trustList()
		rows := []InfoRow{
			{"CTL", installed(tl.CTL)},
			{"ITL", installed(tl.ITL)},
		}
		if tl.CTL || tl.ITL {
			rows = append(rows, InfoRow{"Signer", orNone(tl.Signer, "unknown")})
		}
		last := "none"
		if tl.Result != 0 {
			last = trustResultWords(tl.Result)
			if !tl.Updated.IsZero() {
				last += ", " + tl.Updated.Format("2006-01-02 15:04")
			}
		}
		return append(rows, InfoRow{"Last update", last})
	})
}

func trustResultWords(code int) string {
	if name, ok := trustResults[code]; ok {
		return name + " (" + strconv.Itoa(code) + ")"
	}
	return "code " + strconv.Itoa(code)
}

func dateOr(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}
