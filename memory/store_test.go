package memory_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/memory"
)

// state is a stand-in for the runtime's run state.
type state struct {
	Run   string   `json:"run"`
	Seq   int      `json:"seq"`
	Steps []string `json:"steps"`
	Pad   string   `json:"pad,omitempty"`
}

func open(t testing.TB, home string) *memory.Store {
	t.Helper()
	s, err := memory.Open(home, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenLayout(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	if want := filepath.Join(home, "agents", "nightly"); s.Dir() != want {
		t.Errorf("Dir %q, want %q", s.Dir(), want)
	}
	for _, d := range []string{s.Dir(), filepath.Join(s.Dir(), "runs")} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", d, st.Mode().Perm())
		}
	}
	for _, bad := range []string{"", "..", "../x", "a/b", "Upper", strings.Repeat("a", 65)} {
		if _, err := memory.Open(home, bad); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("Open(%q): %v, want EINVALID", bad, err)
		}
	}
	if _, err := memory.Open(home, "other.agent_2"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(home, "agents", "Not An Agent"), 0o700); err != nil {
		t.Fatal(err)
	}
	names, err := memory.ListAgents(home)
	if err != nil || !reflect.DeepEqual(names, []string{"nightly", "other.agent_2"}) {
		t.Errorf("ListAgents = %v, %v", names, err)
	}
	if names, err := memory.ListAgents(t.TempDir()); err != nil || names != nil {
		t.Errorf("ListAgents of an empty home = %v, %v", names, err)
	}
}

func TestStateRoundTrip(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	var got state
	found, err := s.LoadState(&got)
	if err != nil || found {
		t.Fatalf("LoadState before any save = %v, %v", found, err)
	}
	for i, want := range []state{
		{Run: "r1", Seq: 1, Steps: []string{"plan"}},
		{Run: "r1", Seq: 2, Steps: []string{"plan", "fix tests"}},
	} {
		if err := s.SaveState(want); err != nil {
			t.Fatal(err)
		}
		// A fresh store (a new process) sees it.
		s2, err := memory.Open(home, "nightly")
		if err != nil {
			t.Fatal(err)
		}
		got = state{}
		found, err := s2.LoadState(&got)
		if err != nil || !found || !reflect.DeepEqual(got, want) {
			t.Errorf("save %d: LoadState = %+v, %v, %v; want %+v", i, got, found, err, want)
		}
		s2.Close()
	}
	st, err := os.Stat(filepath.Join(s.Dir(), memory.StateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(s.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if err := s.SaveState(func() {}); err == nil {
		t.Error("SaveState of a func succeeded")
	}
}

func TestCorruptState(t *testing.T) {
	s := open(t, t.TempDir())
	path := filepath.Join(s.Dir(), memory.StateFile)
	for _, content := range []string{`{"run": "r1", "seq": `, `not json`, `{"seq": "three"}`} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		var st state
		found, err := s.LoadState(&st)
		if err == nil || found {
			t.Fatalf("%q: LoadState = %v, %v; want an error", content, found, err)
		}
		if frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("%q: error %v does not name the corrupt file", content, err)
		}
	}
}

func TestDigest(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	if d, err := s.Digest(); err != nil || d != "" {
		t.Fatalf("Digest before any write = %q, %v", d, err)
	}
	text := "# nightly\n\n- tests green since r3\n- flaky: TestNetwork\n"
	if err := s.WriteDigest(text); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteDigest(text + "- r4: fixed lint\n"); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, home)
	if d, err := s2.Digest(); err != nil || d != text+"- r4: fixed lint\n" {
		t.Errorf("Digest = %q, %v", d, err)
	}
}

func TestStaleTempsRemoved(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	old := filepath.Join(s.Dir(), ".tmp-state.json-111")
	young := filepath.Join(s.Dir(), ".tmp-state.json-222")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	open(t, home)
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("young temp file (maybe another writer's) removed: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := memory.Open(t.TempDir(), "a")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Transcript("r1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Append(map[string]int{"a": 1}); err == nil {
		t.Error("Append after the store closed succeeded")
	}
	for name, err := range map[string]error{
		"SaveState":      s.SaveState(1),
		"WriteDigest":    s.WriteDigest("x"),
		"AppendDecision": s.AppendDecision("x"),
	} {
		if err == nil {
			t.Errorf("%s after Close succeeded", name)
		}
	}
}

func ExampleStore() {
	home, _ := os.MkdirTemp("", "frugal")
	defer os.RemoveAll(home)
	s, _ := memory.Open(home, "nightly")
	defer s.Close()
	s.Now = func() time.Time { return time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC) }
	_ = s.AppendDecision("run r1 step 2: accepted (worker, attempt 2)")
	lines, _ := s.Decisions(1)
	fmt.Println(lines[0])
	// Output:
	// - 2026-12-04T10:00:00Z run r1 step 2: accepted (worker, attempt 2)
}

func BenchmarkSaveState(b *testing.B) {
	s := open(b, b.TempDir())
	st := state{Run: "r1", Steps: []string{"plan", "edit", "test"}, Pad: strings.Repeat("p", 2000)}
	for b.Loop() {
		st.Seq++
		if err := s.SaveState(st); err != nil {
			b.Fatal(err)
		}
	}
}
