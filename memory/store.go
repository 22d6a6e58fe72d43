// Package memory owns an agent's durable state on disk: the run state
// (state.json), the decision log (decisions.md), the digest a new session
// reads (memory.md) and the full transcripts kept for people (runs/*.jsonl).
// Every write that resume depends on is atomic and fsynced, so a crash at
// any point loses at most the call in flight.
package memory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frugal-dev/frugal"
)

// File names inside an agent's directory.
const (
	StateFile     = "state.json"
	DecisionsFile = "decisions.md"
	DigestFile    = "memory.md"
	RunsDir       = "runs"
)

// maxStateSize bounds what LoadState and Digest read: state and digest are
// small by design, a huge file is damage.
const maxStateSize = 64 << 20

// tmpPrefix marks temporary files of atomic writes; Open removes stale ones.
const tmpPrefix = ".tmp-"

var (
	// agentRe matches config.ValidName: an agent name is a directory name.
	agentRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	runRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
)

// Store is one agent's directory, $FRUGAL_HOME/agents/<name>/. Its methods
// are safe for concurrent use. They take no context: local file system
// calls cannot be cancelled, and each is short.
type Store struct {
	// Now stamps decisions; time.Now by default.
	Now func() time.Time

	dir   string
	agent string

	mu          sync.Mutex
	closed      bool
	transcripts map[*Transcript]struct{}
}

// Open opens (creating with mode 0700) the directory of agent under home
// and removes temporary files that a crash left behind. The agent name must
// be a valid agent name (EINVALID otherwise): it becomes a path.
func Open(home, agent string) (*Store, error) {
	if !agentRe.MatchString(agent) {
		return nil, frugal.Errorf(frugal.EINVALID, "memory: %q is not a valid agent name", agent)
	}
	if home == "" {
		return nil, frugal.Errorf(frugal.EINVALID, "memory: no home directory")
	}
	dir := filepath.Join(home, "agents", agent)
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o700); err != nil {
		return nil, fmt.Errorf("memory: open %s: %w", dir, err)
	}
	s := &Store{Now: time.Now, dir: dir, agent: agent, transcripts: map[*Transcript]struct{}{}}
	s.removeStaleTemps(time.Hour)
	return s, nil
}

// ListAgents returns the names of the agents that have a directory under
// home, sorted; none when home/agents does not exist.
func ListAgents(home string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(home, "agents"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: list agents: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && agentRe.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Dir returns the agent's directory.
func (s *Store) Dir() string { return s.dir }

// Agent returns the agent's name.
func (s *Store) Agent() string { return s.agent }

// Close closes the transcripts still open. The Store may not be used
// afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	ts := make([]*Transcript, 0, len(s.transcripts))
	for t := range s.transcripts {
		ts = append(ts, t)
	}
	s.mu.Unlock()
	var errs []error
	for _, t := range ts {
		errs = append(errs, t.Close())
	}
	return errors.Join(errs...)
}

func (s *Store) check() error {
	if s.closed {
		return frugal.Errorf(frugal.EINTERNAL, "memory: store of %s is closed", s.agent)
	}
	return nil
}

// SaveState replaces state.json with v as JSON, atomically: the new
// content goes to a temporary file in the same directory, is fsynced and
// renamed over the old one, and the directory is fsynced. A crash at any
// point leaves either the old state or the new one, never a mix.
func (s *Store) SaveState(v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("memory: encode state of %s: %w", s.agent, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, StateFile), append(data, '\n'))
}

// LoadState reads state.json into v. found is false (and v untouched) when
// there is no state yet. A state file that is not valid JSON for v is an
// EINVALID error naming the file, never a silent reset.
func (s *Store) LoadState(v any) (found bool, err error) {
	path := filepath.Join(s.dir, StateFile)
	data, err := readSmall(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("memory: read state: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, frugal.Errorf(frugal.EINVALID,
			"memory: state file %s is corrupt (%v); move it aside to start the agent afresh", path, err)
	}
	return true, nil
}

// Digest returns memory.md, the only memory a new session reads; "" when
// there is none yet.
func (s *Store) Digest() (string, error) {
	data, err := readSmall(filepath.Join(s.dir, DigestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("memory: read digest: %w", err)
	}
	return string(data), nil
}

// WriteDigest replaces memory.md atomically (see SaveState).
func (s *Store) WriteDigest(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, DigestFile), []byte(text))
}

// readSmall reads a file no larger than maxStateSize.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStateSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxStateSize)
	}
	return data, nil
}

// writeAtomic replaces path with data: temp file, fsync, rename, fsync
// of the directory.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("memory: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("memory: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("memory: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("memory: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("memory: replace %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename or a file creation in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("memory: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("memory: sync %s: %w", dir, err)
	}
	return nil
}

// removeStaleTemps deletes temporary files older than age: leftovers of a
// crash between create and rename. Younger ones may belong to a writer in
// another process.
func (s *Store) removeStaleTemps(age time.Duration) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}
