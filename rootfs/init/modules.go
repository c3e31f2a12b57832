package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// loadModules loads the modules listed in list (one path a line, each after
// its dependencies: the image build wrote them in that order).
func loadModules(list string) (int, []error) {
	data, err := os.ReadFile(list)
	if err != nil {
		return 0, []error{fmt.Errorf("module list: %w", err)}
	}
	n := 0
	var errs []error
	for _, p := range strings.Fields(string(data)) {
		if err := loadModule(p); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errs
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load module: %w", err)
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("load module %s: %w", path, err)
	}
	return nil
}
