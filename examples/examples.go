// Package examples ships the demo's agents: their agent files, their
// workspaces, and the sim cassette that plays their brains offline. The
// files are embedded so that `frugal demo` works from any directory.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed all:fix-failing-test all:escalate all:release-check all:deferred sim.cassette.yaml
var files embed.FS

// Names are the examples in the order the demo runs them.
var Names = []string{"fix-failing-test", "escalate", "release-check", "deferred"}

// CassetteFile is the name of the demo's sim cassette.
const CassetteFile = "sim.cassette.yaml"

// FS returns the embedded examples.
func FS() fs.FS { return files }

// Cassette returns the demo's sim cassette.
func Cassette() ([]byte, error) { return files.ReadFile(CassetteFile) }

// CopyTo writes every example (agent.yaml and workspace/) under dir, one
// directory per example, so that runs change copies, never the originals.
func CopyTo(dir string) error {
	return fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(p) == ".sh" {
			mode = 0o755
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			return fmt.Errorf("copy example %s: %w", p, err)
		}
		return nil
	})
}
