package tokenizer_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tokenizer"
)

func TestCountKnownValues(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"hello world", 2},
		{"Hello, world!", 4},
		// Special-token markers are plain text, never a panic.
		{"<|endoftext|>", 7},
	} {
		if got := tokenizer.Count(tc.text); got != tc.want {
			t.Errorf("Count(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestEncodeMatchesCount(t *testing.T) {
	for _, s := range []string{"", "x", "func main() {\n\tfmt.Println(\"hi\")\n}\n", "日本語のテキスト", strings.Repeat("ab ", 400)} {
		if got, want := len(tokenizer.Encode(s)), tokenizer.Count(s); got != want {
			t.Errorf("len(Encode(%.20q)) = %d, Count = %d", s, got, want)
		}
	}
}

func TestLongRunsStayLinear(t *testing.T) {
	// A 100 KB word would make the BPE quadratic; the cut keeps it fast and
	// the count plausible (o200k merges about 8 repeated letters a token).
	n := tokenizer.Count(strings.Repeat("a", 100_000))
	if n < 100_000/16 || n > 100_000/4 {
		t.Fatalf("Count(100k × 'a') = %d, want between %d and %d", n, 100_000/16, 100_000/4)
	}
	if n := tokenizer.Count(strings.Repeat(" ", 50_000)); n == 0 || n > 50_000 {
		t.Fatalf("Count(50k spaces) = %d", n)
	}
}

func TestTruncate(t *testing.T) {
	text := "The quick brown fox jumps over the lazy dog."
	if got := tokenizer.Truncate(text, 1000); got != text {
		t.Fatalf("Truncate with room = %q", got)
	}
	if got := tokenizer.Truncate(text, 0); got != "" {
		t.Fatalf("Truncate(0) = %q", got)
	}
	got := tokenizer.Truncate(text, 3)
	if got != "The quick brown" {
		t.Fatalf("Truncate(3) = %q, want %q", got, "The quick brown")
	}
	// Multi-byte characters are never cut in half.
	cjk := strings.Repeat("語", 50)
	for n := 1; n < 30; n++ {
		p := tokenizer.Truncate(cjk, n)
		if !utf8.ValidString(p) || !strings.HasPrefix(cjk, p) {
			t.Fatalf("Truncate(cjk, %d) = %q: not a valid prefix", n, p)
		}
		if c := tokenizer.Count(p); c > n {
			t.Fatalf("Truncate(cjk, %d) has %d tokens", n, c)
		}
	}
}

func TestCountJSONIgnoresIndentation(t *testing.T) {
	compact := `{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`
	indented := "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"path\": {\"type\": \"string\"}\n  },\n  \"required\": [\"path\"]\n}"
	if a, b := tokenizer.CountJSON([]byte(compact)), tokenizer.CountJSON([]byte(indented)); a != b || a == 0 {
		t.Fatalf("CountJSON compact %d, indented %d", a, b)
	}
	if got, want := tokenizer.CountJSON([]byte("not json {")), tokenizer.Count("not json {"); got != want {
		t.Fatalf("CountJSON(invalid) = %d, want plain count %d", got, want)
	}
	if got := tokenizer.CompactJSON([]byte(indented)); got != compact {
		t.Fatalf("CompactJSON = %s", got)
	}
}

func TestConcurrentCount(t *testing.T) {
	text := strings.Repeat("concurrent counting must agree; ", 50)
	want := tokenizer.Count(text)
	var wg sync.WaitGroup
	errs := make(chan int, 16)
	for range 16 {
		wg.Go(func() {
			if got := tokenizer.Count(text); got != want {
				errs <- got
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Fatalf("concurrent Count = %d, want %d", got, want)
	}
}

func sampleRequest() frugal.Request {
	return frugal.Request{
		Model:  "m",
		System: "You are a careful Go engineer. Keep answers short.",
		Tools: []frugal.Tool{{
			Name:        "read_file",
			Description: "Read a file of the workspace.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`),
		}},
		Messages: []frugal.Message{
			{Role: frugal.RoleUser, Content: "Fix the failing test in parse_test.go."},
			{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "c1", Name: "read_file", Arguments: json.RawMessage(`{"path": "parse_test.go"}`)}}},
			{Role: frugal.RoleTool, ToolCallID: "c1", Content: "package parse\n\nfunc TestParse(t *testing.T) {}\n", IsError: true},
		},
		MaxOutput: 512,
	}
}

func TestCountRequestAddsUpItsParts(t *testing.T) {
	req := sampleRequest()
	c := func(s string) int64 { return int64(tokenizer.Count(s)) }
	want := int64(tokenizer.ReplyPriming) +
		tokenizer.MessageFraming + c(req.System) +
		tokenizer.ToolsFraming + tokenizer.ToolFraming + c("read_file") + c("Read a file of the workspace.") + int64(tokenizer.CountJSON(req.Tools[0].Parameters)) +
		tokenizer.MessageFraming + c(req.Messages[0].Content) +
		tokenizer.MessageFraming + tokenizer.ToolCallFraming + c("read_file") + c(`{"path":"parse_test.go"}`) +
		tokenizer.MessageFraming + tokenizer.ToolCallFraming + tokenizer.ToolErrorMarker + c(req.Messages[2].Content)
	if got := tokenizer.CountRequest(req); got != want {
		t.Fatalf("CountRequest = %d, want %d", got, want)
	}
	withSchema := req
	withSchema.Schema = json.RawMessage(`{"type":"object","properties":{"ok":{"type":"boolean"}}}`)
	withSchema.SchemaName = "verdict"
	extra := tokenizer.CountRequest(withSchema) - want
	if wantExtra := int64(tokenizer.SchemaFraming) + c("verdict") + int64(tokenizer.CountJSON(withSchema.Schema)); extra != wantExtra {
		t.Fatalf("schema adds %d tokens, want %d", extra, wantExtra)
	}
}

func TestToolErrorMarkerCoversAdapters(t *testing.T) {
	for _, marker := range []string{"ERROR: ", "Error: ", "[error] "} {
		if n := tokenizer.Count(marker); n > tokenizer.ToolErrorMarker {
			t.Errorf("marker %q costs %d tokens, more than ToolErrorMarker", marker, n)
		}
	}
}

func TestEstimateRequestMargins(t *testing.T) {
	req := sampleRequest()
	raw := tokenizer.CountRequest(req)
	for _, tc := range []struct {
		provider string
		want     int64
	}{
		{"openai", (raw*102+99)/100 + 8},
		{"OpenAI", (raw*102+99)/100 + 8},
		{"anthropic", (raw*150+99)/100 + 16},
		{"deepseek", (raw*125+99)/100 + 16},
		{"ollama", (raw*125+99)/100 + 16},
		{"somethingnew", (raw*125+99)/100 + 16},
	} {
		if got := tokenizer.EstimateRequest(req, tc.provider); got != tc.want {
			t.Errorf("EstimateRequest(%s) = %d, want %d (raw %d)", tc.provider, got, tc.want, raw)
		}
		if got := tokenizer.EstimateRequest(req, tc.provider); got <= raw {
			t.Errorf("EstimateRequest(%s) = %d does not exceed the raw count %d", tc.provider, got, raw)
		}
	}
	if got := tokenizer.EstimateRequest(frugal.Request{}, "openai"); got != tokenizer.ReplyPriming+8+1 {
		t.Errorf("empty request estimate = %d", got)
	}
}

func TestMarginApply(t *testing.T) {
	m := tokenizer.Margin{Num: 5, Den: 4, Add: 16}
	for n, want := range map[int64]int64{0: 16, 1: 18, 4: 21, 100: 141} {
		if got := m.Apply(n); got != want {
			t.Errorf("Apply(%d) = %d, want %d", n, got, want)
		}
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", "hello world", "<|endoftext|>", "\xff\xfe", "日本語", strings.Repeat("=", 600), "a\r\n\r\n  b"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		c := tokenizer.Count(s)
		if c < 0 || (s != "" && c == 0) {
			t.Fatalf("Count(%q) = %d", s, c)
		}
		if len(tokenizer.Encode(s)) != c {
			t.Fatalf("Encode and Count disagree on %q", s)
		}
		if n < 0 || n > 1<<16 {
			return
		}
		p := tokenizer.Truncate(s, n)
		if !strings.HasPrefix(s, p) {
			t.Fatalf("Truncate(%q, %d) = %q is not a prefix", s, n, p)
		}
		_ = tokenizer.CountJSON([]byte(s))
	})
}

// benchmarkCount counts a fresh text of size bytes each time (repeated:
// the same text, which long texts answer from the memo).
func benchmarkCount(b *testing.B, size int, repeated bool) {
	unit := "The ledger reserves the worst case before each call; func (l *Ledger) Reserve(ctx context.Context) error {}\n"
	text := strings.Repeat(unit, size/len(unit)+1)[:size]
	tokenizer.Count("warm up")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if !repeated {
			i++
			text = strconv.Itoa(i) + text[len(strconv.Itoa(i-1)):]
		}
		tokenizer.Count(text)
	}
}

func BenchmarkCount1KB(b *testing.B)           { benchmarkCount(b, 1<<10, false) }
func BenchmarkCount100KB(b *testing.B)         { benchmarkCount(b, 100<<10, false) }
func BenchmarkCount100KBRepeated(b *testing.B) { benchmarkCount(b, 100<<10, true) }

func TestMemoizedLongTexts(t *testing.T) {
	long := strings.Repeat("A long system prompt that comes back every call. ", 100)
	first := tokenizer.Encode(long)
	first[0] = -42 // callers may scribble on what they get
	second := tokenizer.Encode(long)
	if second[0] == -42 || len(second) != tokenizer.Count(long) {
		t.Fatal("Encode handed out the memoised slice")
	}
	if tokenizer.Count(long+"x") < tokenizer.Count(long) {
		t.Fatal("a longer text counted fewer tokens")
	}
}
