package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frugal-dev/frugal/sim"
)

func benchBody(b *testing.B, v any) []byte {
	b.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return js
}

// BenchmarkHandlerOpenAI2kTokens is the sim's own cost for one non-streamed
// call with a 2,000-token prompt (tokenizing, caching, answering), without
// the network.
func BenchmarkHandlerOpenAI2kTokens(b *testing.B) {
	h := sim.NewHandler(sim.Options{})
	body := benchBody(b, map[string]any{"model": "gpt-4o", "messages": []any{
		map[string]any{"role": "system", "content": longText(1900)},
		map[string]any{"role": "user", "content": "What now?"}}})
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(body)))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkServerAnthropicStreamCached is a full HTTP round trip: a
// streamed Anthropic call whose 1,500-token system prompt is read from the
// cache.
func BenchmarkServerAnthropicStreamCached(b *testing.B) {
	srv := sim.New(sim.Options{})
	defer srv.Close()
	body := benchBody(b, map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 200, "stream": true,
		"system":   []any{map[string]any{"type": "text", "text": longText(1500), "cache_control": map[string]any{"type": "ephemeral"}}},
		"messages": []any{map[string]any{"role": "user", "content": "Go on."}}})
	client := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", bytes.NewReader(body))
		req.Header.Set("anthropic-version", "2023-06-01")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
