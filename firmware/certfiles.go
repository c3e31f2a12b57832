package main

import (
	"crypto/x509"
	"fmt"
	"os"
)

// loadRoots reads a PEM file of CA certificates (the subcommands' -ca).
func loadRoots(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read CA %s: no PEM certificate in it", path)
	}
	return roots, nil
}
