package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"

	"deskphone/net8021x"
)

// cmdDot1X is the field engineer's one-shot 802.1X check on an interface.
func cmdDot1X(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("8021x", stderr)
	iface := fs.String("iface", "", "the LAN interface")
	mode := fs.Int("mode", 1, "802.1X mode (Htek P8626): 1 MD5, 2 TLS, 3 PEAP/MSCHAPv2, 4 TTLS/EAP-MSCHAPv2, 5 PEAP/GTC, 6 TTLS/EAP-GTC, 7 EAP-FAST")
	identity := fs.String("identity", "", "EAP identity")
	password := fs.String("password", "", "password (MD5, MSCHAPv2, GTC)")
	caFile := fs.String("ca", "", "PEM file of the CA(s) the server certificate must chain to")
	serverName := fs.String("server-name", "", "required name in the server certificate (optional)")
	certFile := fs.String("cert", "", "device certificate (PEM), for EAP-TLS")
	keyFile := fs.String("key", "", "device key (PEM), for EAP-TLS")
	pacDir := fs.String("pac-dir", "./var/8021x-pac", "EAP-FAST: directory of the PACs (kept between runs)")
	pacAnon := fs.Bool("pac-anonymous", false, "EAP-FAST: allow anonymous (unauthenticated) PAC provisioning")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *iface == "" || *identity == "" {
		return fmt.Errorf("%w: -iface and -identity are required", errUsage)
	}
	cfg := net8021x.Config{
		Mode:       net8021x.Mode(*mode),
		Identity:   *identity,
		Password:   *password,
		ServerName: *serverName,
	}
	if cfg.Mode == net8021x.ModeFAST {
		cfg.FASTPACDir, cfg.FASTAnonProvisioning = *pacDir, *pacAnon
	}
	if *caFile != "" {
		var err error
		if cfg.CAs, err = loadRoots(*caFile); err != nil {
			return err
		}
	}
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load device certificate: %w", err)
		}
		cfg.Certificate = &cert
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ifi, err := net.InterfaceByName(*iface)
	if err != nil {
		return fmt.Errorf("interface %s: %w", *iface, err)
	}
	frames, err := net8021x.ListenEAPOL(*iface)
	if err != nil {
		return err
	}
	defer frames.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := net8021x.Authenticate(ctx, frames, ifi.HardwareAddr, cfg)
	if err != nil {
		fmt.Fprintf(stdout, "EAP-FAILURE reason=%s detail=%q\n", net8021x.ReasonOf(err), err.Error())
		return errSilent
	}
	fmt.Fprintf(stdout, "EAP-SUCCESS method=%s elapsed=%s\n", res.Method, res.Elapsed)
	return nil
}
