package memory_test

import (
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

// clock returns a Now that starts at 2026-12-04T10:00:00Z and ticks a
// minute per call.
func clock() func() time.Time {
	t := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		now := t
		t = t.Add(time.Minute)
		return now
	}
}

func TestDecisionsAppendOnly(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	s.Now = clock()
	if got, err := s.Decisions(5); err != nil || got != nil {
		t.Fatalf("Decisions before any = %v, %v", got, err)
	}
	for _, d := range []string{
		"run r1 step 1: accepted (worker, attempt 1)",
		"run r1 step 2: escalated worker -> planner\n(tests still failing)\r\n",
	} {
		if err := s.AppendDecision(d); err != nil {
			t.Fatal(err)
		}
	}
	// Reopen, as the next run would, and go on appending.
	s2 := open(t, home)
	s2.Now = func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.FixedZone("CET", 3600)) }
	if err := s2.AppendDecision("  run r2 step 1:\taccepted (planner, attempt 1)  "); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"- 2026-12-04T10:00:00Z run r1 step 1: accepted (worker, attempt 1)",
		"- 2026-12-04T10:01:00Z run r1 step 2: escalated worker -> planner (tests still failing)",
		"- 2026-12-04T11:00:00Z run r2 step 1: accepted (planner, attempt 1)",
	}
	data, err := os.ReadFile(filepath.Join(s.Dir(), memory.DecisionsFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != strings.Join(want, "\n")+"\n" {
		t.Errorf("decisions.md =\n%s", data)
	}
	for n, w := range map[int][]string{0: want, -1: want, 1: want[2:], 2: want[1:], 3: want, 10: want} {
		if got, err := s2.Decisions(n); err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("Decisions(%d) = %q, %v; want %q", n, got, err, w)
		}
	}
	if err := s2.AppendDecision(" \n\t "); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("empty decision: %v", err)
	}
}

func TestDecisionTruncated(t *testing.T) {
	s := open(t, t.TempDir())
	if err := s.AppendDecision(strings.Repeat("é", memory.MaxDecisionBytes)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Decisions(1)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	text := got[0][len("- 2026-12-04T10:00:00Z "):]
	if len(text) > memory.MaxDecisionBytes || !strings.HasSuffix(text, "é…") {
		t.Errorf("long decision kept %d bytes, ends %q", len(text), text[len(text)-8:])
	}
}

// TestDecisionAfterTornLine: a line cut short by a crash does not merge
// with the next one.
func TestDecisionAfterTornLine(t *testing.T) {
	s := open(t, t.TempDir())
	s.Now = clock()
	path := filepath.Join(s.Dir(), memory.DecisionsFile)
	if err := os.WriteFile(path, []byte("- 2026-12-04T09:00:00Z run r0 step 1: acc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDecision("run r1 step 1: accepted"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Decisions(0)
	want := []string{"- 2026-12-04T09:00:00Z run r0 step 1: acc", "- 2026-12-04T10:00:00Z run r1 step 1: accepted"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decisions = %q", got)
	}
}

// TestDecisionsTail reads the last lines of a log much longer than the
// read chunk, for every n around the chunk boundaries, against reading
// the whole file.
func TestDecisionsTail(t *testing.T) {
	s := open(t, t.TempDir())
	var b strings.Builder
	var all []string
	for i := range 5000 {
		line := fmt.Sprintf("- 2026-12-04T10:00:00Z run r%d step %d: %s", i/10, i%10, strings.Repeat("x", i%97))
		all = append(all, line)
		b.WriteString(line + "\n")
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), memory.DecisionsFile), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 7, 100, 700, 1001, 1400, 2500, 4999, 5000, 6000} {
		got, err := s.Decisions(n)
		if err != nil {
			t.Fatal(err)
		}
		want := all[max(0, len(all)-n):]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Decisions(%d): %d lines, first %q; want %d lines, first %q", n, len(got), got[0], len(want), want[0])
		}
	}
}

func BenchmarkAppendDecision(b *testing.B) {
	s := open(b, b.TempDir())
	for i := 0; b.Loop(); i++ {
		if err := s.AppendDecision(fmt.Sprintf("run r1 step %d: accepted (worker, attempt 1)", i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecisionsTail(b *testing.B) {
	s := open(b, b.TempDir())
	var sb strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&sb, "- 2026-12-04T10:00:00Z run r%d step %d: accepted (worker, attempt 1)\n", i/10, i%10)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), memory.DecisionsFile), []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := s.Decisions(20); err != nil || len(got) != 20 {
			b.Fatal(got, err)
		}
	}
}

// TestConcurrentWriters: goroutines sharing a Store never tear a line or
// a state.
func TestConcurrentWriters(t *testing.T) {
	s := open(t, t.TempDir())
	const writers, each = 6, 15
	done := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range each {
				if err := s.AppendDecision(fmt.Sprintf("writer %d step %d", w, i)); err != nil {
					done <- err
					return
				}
				if err := s.SaveState(state{Run: fmt.Sprint(w), Seq: i}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	lines, err := s.Decisions(0)
	if err != nil || len(lines) != writers*each {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var ts string
		var w, i int
		if _, err := fmt.Sscanf(l, "- %s writer %d step %d", &ts, &w, &i); err != nil {
			t.Fatalf("torn line %q", l)
		}
		seen[fmt.Sprint(w, i)] = true
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct decisions", len(seen))
	}
	var st state
	if found, err := s.LoadState(&st); err != nil || !found || st.Seq != each-1 {
		t.Errorf("final state %+v, %v, %v", st, found, err)
	}
}
