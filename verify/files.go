package verify

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// maxTreeEntries bounds the entries hashed under one directory path.
const maxTreeEntries = 20_000

// Snapshot is the state of some workspace paths at one moment: a content
// hash per path (a directory's covers the names, kinds and contents of
// everything under it but .git), or its absence. Take it at the start of a
// step; file_changed gates compare against it.
type Snapshot struct {
	states map[string]state // by resolved, root-relative path
}

type state struct {
	exists bool
	hash   [sha256.Size]byte
	err    string // the path could not be read; file_changed then fails
}

// SnapshotPaths returns the paths the file_changed gates among gates name,
// for TakeSnapshot.
func SnapshotPaths(gates []frugal.Gate) []string {
	var ps []string
	for _, g := range gates {
		if g.Kind() == "file_changed" && !slices.Contains(ps, g.FileChanged) {
			ps = append(ps, g.FileChanged)
		}
	}
	return ps
}

// TakeSnapshot hashes the given workspace paths. A path that is refused
// or unreadable is recorded as such, and a file_changed gate on it fails
// with the reason; absent paths are recorded as absent. Errors: EINVALID
// when ws is nil.
func TakeSnapshot(ws *tool.Workspace, paths []string) (*Snapshot, error) {
	if ws == nil {
		return nil, frugal.Errorf(frugal.EINVALID, "snapshot: no workspace")
	}
	s := &Snapshot{states: make(map[string]state, len(paths))}
	for _, p := range paths {
		key, st := current(ws, p)
		if key != "" {
			s.states[key] = st
		}
	}
	return s, nil
}

// current resolves p and hashes what is there now. key is "" when p is
// refused.
func current(ws *tool.Workspace, p string) (key string, st state) {
	abs, err := ws.Resolve(p)
	if err != nil {
		return "", state{err: err.Error()}
	}
	key, _ = filepath.Rel(ws.Root(), abs)
	fi, err := ws.Stat(key)
	switch {
	case frugal.ErrorCode(err) == frugal.ENOTFOUND:
		return key, state{}
	case err != nil:
		return key, state{err: err.Error()}
	}
	h := sha256.New()
	if fi.IsDir() {
		err = hashTree(ws, key, h)
	} else {
		err = hashFile(ws, key, h)
	}
	if err != nil {
		return key, state{err: err.Error()}
	}
	st = state{exists: true}
	h.Sum(st.hash[:0])
	return key, st
}

func hashFile(ws *tool.Workspace, rel string, h io.Writer) error {
	f, err := ws.Open(rel)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	return err
}

// hashTree hashes every entry under a directory in name order: its path,
// its kind, and a file's content or a symlink's target.
func hashTree(ws *tool.Workspace, dir string, h io.Writer) error {
	fsys := ws.FS()
	n := 0
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" && p != dir {
			return fs.SkipDir
		}
		if n++; n > maxTreeEntries {
			return fmt.Errorf("%s holds more than %d entries", dir, maxTreeEntries)
		}
		fmt.Fprintf(h, "%s\x00%v\x00", strings.TrimPrefix(p, dir), d.Type())
		switch {
		case d.Type().IsRegular():
			return hashFile(ws, p, h)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00", target)
		}
		return nil
	})
}

func checkExists(ws *tool.Workspace, g frugal.Gate) (bool, string) {
	fi, err := ws.Stat(g.FileExists)
	switch {
	case err == nil && fi.IsDir():
		return true, fmt.Sprintf("%s exists (a directory)", g.FileExists)
	case err == nil:
		return true, fmt.Sprintf("%s exists (%d bytes)", g.FileExists, fi.Size())
	case frugal.ErrorCode(err) == frugal.ENOTFOUND:
		return false, fmt.Sprintf("%s does not exist; the step must create it", g.FileExists)
	}
	return false, fmt.Sprintf("file_exists: %v", err)
}

func checkChanged(ws *tool.Workspace, g frugal.Gate, snap *Snapshot) (bool, string) {
	key, now := current(ws, g.FileChanged)
	if key == "" {
		return false, fmt.Sprintf("file_changed: %s", now.err)
	}
	if snap == nil {
		return false, fmt.Sprintf("file_changed: no snapshot was taken at the start of the step, so a change to %s cannot be seen", g.FileChanged)
	}
	before, ok := snap.states[key]
	switch {
	case !ok:
		return false, fmt.Sprintf("file_changed: %s was not in the snapshot taken at the start of the step", g.FileChanged)
	case before.err != "":
		return false, fmt.Sprintf("file_changed: %s could not be read at the start of the step: %s", g.FileChanged, before.err)
	case now.err != "":
		return false, fmt.Sprintf("file_changed: %s cannot be read: %s", g.FileChanged, now.err)
	case !before.exists && !now.exists:
		return false, fmt.Sprintf("%s does not exist, and did not at the start of the step; the step must create or change it", g.FileChanged)
	case !before.exists:
		return true, fmt.Sprintf("%s was created", g.FileChanged)
	case !now.exists:
		return true, fmt.Sprintf("%s was deleted", g.FileChanged)
	case before.hash == now.hash:
		return false, fmt.Sprintf("%s is unchanged since the start of the step; the step must change it", g.FileChanged)
	}
	return true, fmt.Sprintf("%s changed", g.FileChanged)
}
