package memory_test

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

type entry struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	N    int    `json:"n"`
}

func readEntries(t *testing.T, path string) []entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q is not valid JSON: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestTranscript(t *testing.T) {
	home := t.TempDir()
	s := open(t, home)
	tr, err := s.Transcript("r-20261204.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{Kind: "request", Text: "fix the test\nplease", N: 1},
		{Kind: "response", Text: "done\r\n\"quoted\"\t", N: 2},
	}
	for _, e := range want {
		if err := tr.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	// Appended lines are on disk before Close: a killed process keeps them.
	if got := readEntries(t, tr.Path()); !reflect.DeepEqual(got, want) {
		t.Errorf("before Close: %+v", got)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := tr.Append(entry{}); err == nil {
		t.Error("Append after Close succeeded")
	}
	// Reopening appends.
	tr2, err := open(t, home).Transcript("r-20261204.1")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, entry{Kind: "verify", N: 3})
	if err := tr2.Append(want[2]); err != nil {
		t.Fatal(err)
	}
	tr2.Close()
	if got := readEntries(t, tr.Path()); !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen: %+v", got)
	}
	data, _ := os.ReadFile(tr.Path())
	if n := strings.Count(string(data), "\n"); n != 3 {
		t.Errorf("%d lines, want 3:\n%s", n, data)
	}
	if err := tr2.Append(make(chan int)); err == nil {
		t.Error("Append of a channel succeeded")
	}
	if _, err := s.Transcript("r2"); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.Runs(); err != nil || !reflect.DeepEqual(ids, []string{"r-20261204.1", "r2"}) {
		t.Errorf("Runs = %v, %v", ids, err)
	}
	for _, bad := range []string{"", "../r1", "r/1", ".hidden", strings.Repeat("r", 129)} {
		if _, err := s.Transcript(bad); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("Transcript(%q): %v, want EINVALID", bad, err)
		}
	}
}

func BenchmarkTranscriptAppend(b *testing.B) {
	s := open(b, b.TempDir())
	tr, err := s.Transcript("r1")
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	e := entry{Kind: "response", Text: strings.Repeat("token ", 200)}
	for b.Loop() {
		if err := tr.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}
