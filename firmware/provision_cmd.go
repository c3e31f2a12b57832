package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"

	"deskphone/provision"
	"deskphone/provision/settings"
)

// phoneModel is the model name used in the files the phone asks for
// (<model>SIP.cfg, cfg<model>.xml): an Avaya 1230's, so the master files
// admins already keep for that model apply.
const phoneModel = "1230"

// cmdProvision runs one provisioning pass from the command line.
func cmdProvision(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("provision", stderr)
	server := fs.String("server", "", "provisioning server URL (http, https, tftp, ftp)")
	dataDir := fs.String("data", "./var", "the phone's flash")
	mac := fs.String("mac", "", "the phone's MAC address, as the server's file names use it")
	model := fs.String("model", phoneModel, "the model name in the files asked for")
	caFile := fs.String("ca", "", "PEM roots for HTTPS, beside those provisioning installed")
	certFile := fs.String("cert", "", "device certificate (PEM) for mutual TLS")
	keyFile := fs.String("key", "", "device key (PEM) for mutual TLS")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" || *mac == "" {
		return fmt.Errorf("%w: -server and -mac are required", errUsage)
	}
	cfg := provision.Config{DataDir: *dataDir, Model: *model, MAC: *mac}
	if *caFile != "" {
		var err error
		if cfg.Roots, err = loadRoots(*caFile); err != nil {
			return err
		}
	}
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load device certificate: %w", err)
		}
		cfg.DeviceCert = &cert
	}
	store, err := settings.Open(*dataDir)
	if err != nil {
		return fmt.Errorf("open settings: %w", err)
	}
	p, err := provision.New(store, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "note: %v\n", err)
	}
	if provision.RunCommand(ctx, stdout, p, *server) != 0 {
		return errSilent
	}
	return nil
}

// cmdSign signs a file for the phone (FILE.sgn), or makes a signing key.
func cmdSign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sign", stderr)
	keyFile := fs.String("key", "", "the signer's private key (PEM)")
	genkey := fs.String("genkey", "", "make a new signing key: writes PREFIX.key (private) and PREFIX.pub")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: firmware sign -key KEY.pem FILE   (writes FILE.sgn)")
		fmt.Fprintln(stderr, "       firmware sign -genkey PREFIX")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *genkey != "" {
		priv, pub, err := provision.GenerateSigningKey()
		if err != nil {
			return err
		}
		if err := writeNew(*genkey+".key", priv, 0o600); err != nil {
			return err
		}
		if err := writeNew(*genkey+".pub", pub, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s.key and %s.pub\n", *genkey, *genkey)
		return nil
	}
	if *keyFile == "" || fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: -key and one FILE are required", errUsage)
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("read key: %w", err)
	}
	return transformFile(fs.Arg(0), ".sgn", stdout, func(data []byte) ([]byte, error) {
		return provision.SignFile(key, data)
	})
}

// cmdEncrypt encrypts a file for the phone (FILE.enc), or makes a key.
func cmdEncrypt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("encrypt", stderr)
	keyFile := fs.String("key", "", "the device or site key file (64 hex digits)")
	genkey := fs.String("genkey", "", "make a new key file at this path")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: firmware encrypt -key KEYFILE FILE   (writes FILE.enc; sign it after)")
		fmt.Fprintln(stderr, "       firmware encrypt -genkey KEYFILE")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *genkey != "" {
		key, err := provision.GenerateDataKey()
		if err != nil {
			return err
		}
		if err := writeNew(*genkey, key, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *genkey)
		return nil
	}
	if *keyFile == "" || fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: -key and one FILE are required", errUsage)
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("read key: %w", err)
	}
	return transformFile(fs.Arg(0), ".enc", stdout, func(data []byte) ([]byte, error) {
		return provision.EncryptFile(key, data)
	})
}

func transformFile(path, suffix string, stdout io.Writer, fn func([]byte) ([]byte, error)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := fn(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.WriteFile(path+suffix, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s%s\n", path, suffix)
	return nil
}

// writeNew refuses to overwrite a key that exists.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
