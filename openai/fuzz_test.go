package openai

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

// FuzzParseResponse: any body either fails to decode or parses without
// panicking, and what decodes re-encodes to JSON that decodes again.
func FuzzParseResponse(f *testing.F) {
	wiretest.Seeds(f, "response_*.json")
	f.Add([]byte(`{"choices":[{"message":{"content":[{"type":"text","text":"a"}],"tool_calls":[{"function":{"arguments":"{"}}]}}],"usage":{"prompt_tokens":1,"cost":"1e-3"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var cr ChatResponse
		if json.Unmarshal(b, &cr) != nil {
			return
		}
		resp, _ := ParseResponse(&cr)
		wiretest.CheckResponse(t, resp)
		wiretest.RoundTrip(t, &cr)
	})
}

// FuzzReadStream: any byte stream ends in a response and maybe an error,
// never a panic; the deltas add up to the text.
func FuzzReadStream(f *testing.F) {
	wiretest.Seeds(f, "stream_*.sse")
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":3,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]"))
	f.Add([]byte(": comment\r\ndata: {\"error\":{\"code\":\"x\",\"message\":\"m\"}}\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		deltas := wiretest.NewDeltas(t)
		resp, err := readStream(bytes.NewReader(b), true, deltas.Add)
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
	f.Add([]byte(`{"error":{"message":"m","type":"t","code":"c"}}`))
	f.Add([]byte(`{"error":"text"}`))
	f.Add([]byte(`{"object":"error","message":"m","type":"BadRequestError","code":400}`))
	f.Add([]byte("<html>\x00\xff</html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, msg := parseErrorBody(b)
		if len(msg) > 600 || strings.ContainsAny(msg, "\n\r\t") {
			t.Fatalf("message %q", msg)
		}
	})
}

// FuzzRetryAfter: any header value gives a wait within [0, 24h].
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"7", "1.5", "-3", "NaN", "Inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "6m0s"} {
		f.Add(v, v)
	}
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ra, reset string) {
		h := http.Header{}
		h.Set("Retry-After", ra)
		h.Set("x-ratelimit-reset-tokens", reset)
		h.Set("x-ratelimit-remaining-tokens", "0")
		if d := httpx.RetryAfter(h, now, true, rateLimits); d < 0 || d > httpx.MaxRetryAfter {
			t.Fatalf("retryAfter(%q, %q) = %v", ra, reset, d)
		}
	})
}

func TestParseCost(t *testing.T) {
	for in, want := range map[string]frugal.Money{
		"0": 0, "0.95": 950_000, "1.2e-05": 12, "0.0000315": 32, "0.000001": 1, "0.0000010001": 2,
		"12": 12_000_000, "1E+1": 10_000_000,
	} {
		got, err := parseCost(in)
		if err != nil || got != want {
			t.Errorf("parseCost(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "abc", "0x10", "1/3", "1e999999999", "", "9e30"} {
		if _, err := parseCost(in); err == nil {
			t.Errorf("parseCost(%q) accepted", in)
		}
	}
}
