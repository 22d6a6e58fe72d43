package runner

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frugal-dev/frugal/tokenizer"
)

// Cuts never split a rune: the results go to state.json, decisions.md and
// prompts.
func TestClipsKeepUTF8(t *testing.T) {
	s := strings.Repeat("héllo wörld ", 50)
	for n := 0; n < 40; n++ {
		if got := oneLine(s, n); !utf8.ValidString(got) || len(got) > n+len("…") {
			t.Fatalf("oneLine(_, %d) = %q", n, got)
		}
	}
	if got := oneLine("a\n  b\tc", 100); got != "a b c" {
		t.Errorf("oneLine folds whitespace: %q", got)
	}
	for _, tail := range []bool{false, true} {
		got := clipTokensAt(s, 20, tail)
		if !utf8.ValidString(got) || tokenizer.Count(got) > 20 || !strings.Contains(got, "…") {
			t.Errorf("clipTokensAt(tail=%v) = %q (%d tokens)", tail, got, tokenizer.Count(got))
		}
		if strings.HasPrefix(got, "…") != tail {
			t.Errorf("clipTokensAt(tail=%v) kept the wrong end: %q", tail, got)
		}
	}
	if got := clipTokens("short", 20); got != "short" {
		t.Errorf("clipTokens of a short text: %q", got)
	}
}
