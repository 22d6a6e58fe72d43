package ollama

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseResponse: any body either fails to decode or parses without
// panicking, and what decodes re-encodes to JSON that decodes again.
func FuzzParseResponse(f *testing.F) {
	seeds(f, "response_*.json")
	f.Add([]byte(`{"done":true,"message":{"tool_calls":[{"function":{"arguments":"{\"a\":1}"}},{"function":{"arguments":null}}]},"eval_count":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var cr ChatResponse
		if json.Unmarshal(b, &cr) != nil {
			return
		}
		resp, _ := ParseResponse(&cr, 3)
		for _, tc := range resp.Message.ToolCalls {
			if !json.Valid(tc.Arguments) || tc.ID == "" {
				t.Fatalf("bad tool call %+v", tc)
			}
		}
		if resp.UsageKnown {
			if err := resp.Usage.Validate(); err != nil {
				t.Fatalf("usage known but invalid: %v", err)
			}
		}
		out, err := json.Marshal(cr)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again ChatResponse
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
	})
}

// FuzzReadStream: any byte stream ends in a response and maybe an error,
// never a panic; the deltas add up to the text.
func FuzzReadStream(f *testing.F) {
	seeds(f, "stream_*.ndjson")
	f.Add([]byte("{\"message\":{\"content\":\"a\"}}\n\n{\"done\":true,\"eval_count\":-1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var text strings.Builder
		resp, err := readStream(bytes.NewReader(b), 1, func(d frugal.Delta) error {
			text.WriteString(d.Text)
			if d.ToolCall != nil && !json.Valid(d.ToolCall.Arguments) {
				t.Fatalf("tool call arguments are not JSON: %q", d.ToolCall.Arguments)
			}
			return nil
		})
		if text.String() != resp.Message.Content {
			t.Fatalf("deltas %q != content %q", text.String(), resp.Message.Content)
		}
		if err == nil && !resp.UsageKnown {
			t.Fatal("complete stream without usage")
		}
	})
}

// FuzzErrorBody: error bodies of any shape give a bounded, printable message.
func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(`{"error":"model not found"}`))
	f.Add([]byte(`{"error":{"message":"m"}}`))
	f.Add([]byte("<html>\x00\xff</html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg := parseErrorBody(b)
		if len(msg) > 600 || strings.ContainsAny(msg, "\n\r\t") {
			t.Fatalf("message %q", msg)
		}
	})
}
