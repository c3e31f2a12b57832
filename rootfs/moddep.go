package rootfs

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"
)

// ModuleIndex is what depmod wrote about a kernel's modules: each loadable
// module's file and its dependencies, and the modules built into the kernel.
type ModuleIndex struct {
	files   map[string]string   // module name -> path relative to /lib/modules/<kver>
	deps    map[string][]string // module name -> dependency names, as modules.dep lists them
	builtin map[string]bool
}

// moduleName is a module's canonical name: the file's base name without
// ".ko" (and a compression suffix), dashes as underscores, as the kernel
// itself compares them.
func moduleName(file string) string {
	b := path.Base(file)
	for _, s := range []string{".xz", ".zst", ".gz"} {
		b = strings.TrimSuffix(b, s)
	}
	return strings.ReplaceAll(strings.TrimSuffix(b, ".ko"), "-", "_")
}

// ParseModuleIndex reads modules.dep ("path: dep-path dep-path ...") and
// modules.builtin (one path per line).
func ParseModuleIndex(dep, builtin []byte) (*ModuleIndex, error) {
	ix := &ModuleIndex{files: map[string]string{}, deps: map[string][]string{}, builtin: map[string]bool{}}
	sc := bufio.NewScanner(bytes.NewReader(dep))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, rest, ok := strings.Cut(line, ":")
		file = strings.TrimSpace(file)
		if !ok || file == "" || !strings.Contains(path.Base(file), ".ko") {
			return nil, fmt.Errorf("modules.dep line %d: want \"module.ko: deps\", got %q", n, clip(line))
		}
		if path.IsAbs(file) || strings.Contains(file, "..") {
			return nil, fmt.Errorf("modules.dep line %d: path %q leaves the module tree", n, clip(file))
		}
		name := moduleName(file)
		ix.files[name] = file
		for _, d := range strings.Fields(rest) {
			ix.deps[name] = append(ix.deps[name], moduleName(d))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("modules.dep: %w", err)
	}
	for _, l := range strings.Fields(string(builtin)) {
		ix.builtin[moduleName(l)] = true
	}
	return ix, nil
}

// LoadOrder is the files to load, in order, for the wanted modules: every
// module after its dependencies, each once. A wanted module built into the
// kernel needs nothing; one that is neither is an error.
func (ix *ModuleIndex) LoadOrder(want []string) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name, from string) error
	visit = func(name, from string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("module %s: dependency cycle through %s", name, from)
		case 2:
			return nil
		}
		file, ok := ix.files[name]
		if !ok {
			if ix.builtin[name] {
				state[name] = 2
				return nil
			}
			if from != "" {
				return fmt.Errorf("module %s (needed by %s): not in modules.dep", name, from)
			}
			return fmt.Errorf("module %s: neither in modules.dep nor built in", name)
		}
		state[name] = 1
		// modprobe loads the listed dependencies last to first.
		d := ix.deps[name]
		for i := len(d) - 1; i >= 0; i-- {
			if err := visit(d[i], name); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, file)
		return nil
	}
	for _, w := range want {
		if err := visit(moduleName(w), ""); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// clip shortens what is quoted from bad input in an error.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
