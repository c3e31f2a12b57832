package lab_test

import (
	"context"
	"testing"
	"time"

	"deskphone/lab"
)

// authenticate runs the reference supplicant until its EAP result.
func authenticate(t *testing.T, l *lab.Lab, name string, m lab.Method) *lab.Supplicant {
	t.Helper()
	s, err := l.StartSupplicant(name, m, l.PhoneLAN)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Result(ctx); err != nil {
		t.Fatalf("%s: %v", m, err)
	}
	return s
}

// TestEAPFreeRADIUS: wpa_supplicant authenticates through hostapd against
// FreeRADIUS with each method, and hostapd's MIB shows the port authorized
// for the method's user.
func TestEAPFreeRADIUS(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	u := l.EAP
	for _, c := range []struct {
		m    lab.Method
		user string
	}{
		{lab.MethodMD5, u.MD5.User},
		{lab.MethodTLS, u.TLSPhone},
		{lab.MethodPEAPMSCHAPv2, u.PEAPMSCHAPv2.User},
		{lab.MethodPEAPGTC, u.PEAPGTC.User},
		{lab.MethodTTLSEAPMSCHAPv2, u.TTLSMSCHAPv2.User},
		{lab.MethodTTLSEAPGTC, u.TTLSGTC.User},
	} {
		t.Run(string(c.m), func(t *testing.T) {
			s := authenticate(t, l, string(c.m), c.m)
			defer s.Stop(time.Second)
			mib, err := l.Station(l.PhoneLAN.MAC)
			if err != nil {
				t.Fatal(err)
			}
			if mib["dot1xAuthAuthControlledPortStatus"] != "1" {
				t.Errorf("port status %q after EAP-Success, want 1 (authorized)", mib["dot1xAuthAuthControlledPortStatus"])
			}
			// TLS methods report the outer identity; inner users show in the MIB.
			if got := mib["dot1xAuthSessionUserName"]; got != c.user && got != u.Anonymous {
				t.Errorf("session user %q, want %q", got, c.user)
			}
		})
	}
}

// TestEAPWrongPassword: the back end really checks: a wrong MD5 password
// fails.
func TestEAPWrongPassword(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS})
	l.EAP.MD5.Password = "wrong"
	s, err := l.StartSupplicant("md5-wrong", lab.MethodMD5, l.PhoneLAN)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Result(ctx); err == nil {
		t.Fatal("EAP-MD5 with a wrong password succeeded")
	}
	if ok, err := l.Authorized(l.PhoneLAN.MAC); err != nil || ok {
		t.Fatalf("authorized after failure: %v %v", ok, err)
	}
}

// TestEAPHostapdServer: EAP-FAST (server-authenticated provisioning, then a
// run that resumes with the PAC) and PEAP with required crypto binding,
// which only hostapd's own EAP server offers.
func TestEAPHostapdServer(t *testing.T) {
	t.Parallel()
	l := lab.Start(t, lab.Options{Dot1X: lab.HostapdEAP})
	t.Run("fast-provisioning", func(t *testing.T) {
		s := authenticate(t, l, "fast", lab.MethodFASTProvisioning)
		s.Stop(time.Second)
		if !regexpMatch(s.Output(), `EAP-FAST: Wrote 1 PAC entries`) {
			t.Errorf("first EAP-FAST run stored no PAC")
		}
		// Same name, same PAC file: this run resumes with the PAC.
		s = authenticate(t, l, "fast", lab.MethodFASTProvisioning)
		defer s.Stop(time.Second)
		if !regexpMatch(s.Output(), `EAP-FAST: PAC found for this A-ID`) || !regexpMatch(s.Output(), `SessionTicket callback`) {
			t.Errorf("second EAP-FAST run did not resume with the PAC")
		}
	})
	t.Run("peap-cryptobinding", func(t *testing.T) {
		s := authenticate(t, l, "peapcb", lab.MethodPEAPCryptoBind)
		defer s.Stop(time.Second)
		if !regexpMatch(s.Output(), `EAP-PEAP: Valid cryptobinding TLV received`) {
			t.Errorf("no crypto binding in the supplicant's log")
		}
	})
	t.Run("md5", func(t *testing.T) {
		s := authenticate(t, l, "md5", lab.MethodMD5)
		defer s.Stop(time.Second)
	})
}

// TestEAPServerOptions: the EAP server presents the certificate chosen in
// Options (a rogue one makes the supplicant refuse), and FreeRADIUS runs
// with TLS 1.3 allowed.
func TestEAPServerOptions(t *testing.T) {
	t.Parallel()
	t.Run("rogue-cert", func(t *testing.T) {
		t.Parallel()
		l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, EAPCert: lab.CertRogue})
		s, err := l.StartSupplicant("peap-rogue", lab.MethodPEAPMSCHAPv2, l.PhoneLAN)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Result(ctx); err == nil {
			t.Fatal("PEAP succeeded against a server certificate of a rogue CA")
		}
		if !regexpMatch(s.Output(), `certificate verify failed|unable to get local issuer|CTRL-EVENT-EAP-TLS-CERT-ERROR`) {
			t.Error("supplicant failed, but not on the server certificate")
		}
	})
	t.Run("tls13-allowed", func(t *testing.T) {
		t.Parallel()
		l := lab.Start(t, lab.Options{Dot1X: lab.FreeRADIUS, EAPTLS13: true})
		s := authenticate(t, l, "tls", lab.MethodTLS)
		s.Stop(time.Second)
	})
}
