package memory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/frugal-dev/frugal"
)

// Transcript is the full record of one run, runs/<id>.jsonl: one JSON
// object per line, for people. It is never read back into a prompt.
//
// Each Append is one write(2) of a whole line straight to the file (no
// user-space buffer), so a killed process loses nothing it appended; the
// file is fsynced on Close only, so a power loss may drop the last lines,
// which is acceptable for a transcript (the state is what resume needs).
type Transcript struct {
	store *Store
	path  string

	mu sync.Mutex
	f  *os.File
}

// Transcript opens (creating or appending to) the transcript of runID. A
// run id is 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or
// digit (EINVALID otherwise).
func (s *Store) Transcript(runID string) (*Transcript, error) {
	if !runRe.MatchString(runID) {
		return nil, frugal.Errorf(frugal.EINVALID, "memory: %q is not a valid run id", runID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, RunsDir, runID+".jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("memory: open transcript: %w", err)
	}
	t := &Transcript{store: s, path: path, f: f}
	s.transcripts[t] = struct{}{}
	return t, nil
}

// Path returns the transcript's file.
func (t *Transcript) Path() string { return t.path }

// Append writes v as one line of JSON.
func (t *Transcript) Append(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("memory: encode transcript entry: %w", err)
	}
	data = append(data, '\n')
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return frugal.Errorf(frugal.EINTERNAL, "memory: transcript %s is closed", t.path)
	}
	if _, err := t.f.Write(data); err != nil {
		return fmt.Errorf("memory: append to transcript: %w", err)
	}
	return nil
}

// Close fsyncs and closes the file. Closing twice is a no-op.
func (t *Transcript) Close() error {
	t.mu.Lock()
	f := t.f
	t.f = nil
	t.mu.Unlock()
	if f == nil {
		return nil
	}
	t.store.mu.Lock()
	delete(t.store.transcripts, t)
	t.store.mu.Unlock()
	return errors.Join(f.Sync(), f.Close())
}

// Runs returns the ids of the runs that have a transcript, sorted.
func (s *Store) Runs() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, RunsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: list runs: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".jsonl"); ok && !e.IsDir() && runRe.MatchString(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}
