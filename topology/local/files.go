package local

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// manifest lists, one per line, the files a program wrote into the state
// dir with WriteFile, so Destroy removes them and nothing else.
const manifest = "files"

// WriteFile writes data to name at the top of the state dir (e.g. a
// program's connect.json), only when the content differs, and records it
// so Destroy removes it. It reports whether it wrote. The data must hold no
// secret value.
func (l *Local) WriteFile(name string, data []byte) (bool, error) {
	if name == "" || name != filepath.Base(name) || name == manifest || name == "lock" || name == "servers" || name == "bin" {
		return false, fmt.Errorf("local: %q is not a file name WriteFile may use", name)
	}
	if err := os.MkdirAll(l.stateDir, 0o755); err != nil {
		return false, err
	}
	names := l.writtenFiles()
	if !slices.Contains(names, name) {
		f, err := os.OpenFile(filepath.Join(l.stateDir, manifest), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return false, err
		}
		_, err = fmt.Fprintln(f, name)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return false, err
		}
	}
	return writeIfChanged(filepath.Join(l.stateDir, name), data, 0o644)
}

// writtenFiles reads the manifest.
func (l *Local) writtenFiles() []string {
	f, err := os.Open(filepath.Join(l.stateDir, manifest))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if n := strings.TrimSpace(sc.Text()); n != "" && n == filepath.Base(n) {
			out = append(out, n)
		}
	}
	return out
}
