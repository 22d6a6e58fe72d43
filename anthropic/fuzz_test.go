package anthropic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/internal/httpx"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

// FuzzParseResponse: any body either fails to decode or parses without
// panicking, and what decodes re-encodes to JSON that decodes again.
func FuzzParseResponse(f *testing.F) {
	wiretest.Seeds(f, "response_*.json")
	f.Add([]byte(`{"content":[{"type":"tool_use","input":null},{"type":"text"}],"usage":{"output_tokens":1,"cache_creation":{"ephemeral_1h_input_tokens":3}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var mr MessagesResponse
		if json.Unmarshal(b, &mr) != nil {
			return
		}
		resp, _ := ParseResponse(&mr)
		wiretest.CheckResponse(t, resp)
		wiretest.RoundTrip(t, &mr)
	})
}

// FuzzReadStream: any byte stream ends in a response and maybe an error,
// never a panic; the deltas add up to the text.
func FuzzReadStream(f *testing.F) {
	wiretest.Seeds(f, "stream_*.sse")
	f.Add([]byte("data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"x\",\"input\":{}}}\n\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}\n\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		deltas := wiretest.NewDeltas(t)
		resp, err := readStream(bytes.NewReader(b), deltas.Add)
		deltas.Check(resp)
		if err == nil && resp.UsageKnown {
			if verr := resp.Usage.Validate(); verr != nil {
				t.Fatal(verr)
			}
		}
	})
}

// FuzzErrorBody: error bodies of any shape give a bounded, printable message.
func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	f.Add([]byte(`{"error":"text"}`))
	f.Add([]byte("<html>\x00\xff</html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, msg := parseErrorBody(b)
		if len(msg) > 600 || strings.ContainsAny(msg, "\n\r\t") {
			t.Fatalf("message %q", msg)
		}
	})
}

// FuzzRetryAfter: any header values give a wait within [0, 24h].
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"7", "-3", "NaN", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "2015-10-21T07:29:00Z"} {
		f.Add(v, v)
	}
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ra, reset string) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		h.Set("anthropic-ratelimit-tokens-reset", reset)
		h.Set("anthropic-ratelimit-tokens-remaining", "0")
		if d := httpx.RetryAfter(h, now, true, rateLimits); d < 0 || d > httpx.MaxRetryAfter {
			t.Fatalf("retryAfter(%q, %q) = %v", ra, reset, d)
		}
	})
}
