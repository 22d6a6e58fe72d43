package wiretest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

// Seeds adds every file of testdata matching pattern to f's corpus.
func Seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// CheckResponse fails t when a parsed answer breaks what every adapter
// promises whatever the provider sent: tool-call arguments are JSON, and
// usage marked known is valid.
func CheckResponse(t testing.TB, resp frugal.Response) {
	t.Helper()
	for _, tc := range resp.Message.ToolCalls {
		if !json.Valid(tc.Arguments) {
			t.Fatalf("tool call arguments are not JSON: %q", tc.Arguments)
		}
	}
	if resp.UsageKnown {
		if err := resp.Usage.Validate(); err != nil {
			t.Fatalf("usage known but invalid: %v", err)
		}
	}
}

// RoundTrip fails t when v, a decoded wire value, does not re-encode to
// JSON that decodes again into a T.
func RoundTrip[T any](t testing.TB, v *T) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	var again T
	if err := json.Unmarshal(out, &again); err != nil {
		t.Fatalf("re-decode %s: %v", out, err)
	}
}

// Deltas collects the deltas of a stream for a fuzz target: Add is the
// stream's callback and fails the test on a tool call whose arguments are
// not JSON; Check fails it when the texts do not add up to the answer's.
type Deltas struct {
	t    testing.TB
	text strings.Builder
}

// NewDeltas returns a collector failing t.
func NewDeltas(t testing.TB) *Deltas { return &Deltas{t: t} }

// Add takes one delta; it never returns an error.
func (d *Deltas) Add(delta frugal.Delta) error {
	d.text.WriteString(delta.Text)
	if delta.ToolCall != nil && !json.Valid(delta.ToolCall.Arguments) {
		d.t.Fatalf("tool call arguments are not JSON: %q", delta.ToolCall.Arguments)
	}
	return nil
}

// Check fails the test when the deltas' texts are not the answer's text.
func (d *Deltas) Check(resp frugal.Response) {
	d.t.Helper()
	if d.text.String() != resp.Message.Content {
		d.t.Fatalf("deltas %q != content %q", d.text.String(), resp.Message.Content)
	}
}
