package ollama

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/internal/wiretest"
)

// FuzzParseResponse: any body either fails to decode or parses without
// panicking, and what decodes re-encodes to JSON that decodes again.
func FuzzParseResponse(f *testing.F) {
	wiretest.Seeds(f, "response_*.json")
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
		wiretest.CheckResponse(t, resp)
		wiretest.RoundTrip(t, &cr)
	})
}

// FuzzReadStream: any byte stream ends in a response and maybe an error,
// never a panic; the deltas add up to the text.
func FuzzReadStream(f *testing.F) {
	wiretest.Seeds(f, "stream_*.ndjson")
	f.Add([]byte("{\"message\":{\"content\":\"a\"}}\n\n{\"done\":true,\"eval_count\":-1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		deltas := wiretest.NewDeltas(t)
		resp, _ := readStream(bytes.NewReader(b), 1, deltas.Add)
		deltas.Check(resp)
		if resp.UsageKnown && resp.Usage.Validate() != nil {
			t.Fatalf("invalid usage marked known: %+v", resp.Usage)
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
