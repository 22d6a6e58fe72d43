package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/sim"
)

// endpoints lists each wire format with a minimal request and a check
// that an error body has the provider's shape and type.
var endpoints = []struct {
	name    string
	path    string
	headers map[string]string
	body    func(model string, stream bool) map[string]any
	model   string
	errType func(t *testing.T, raw []byte) string // returns the provider's error type ("" for Ollama)
}{
	{
		name: "openai", path: "/v1/chat/completions", model: "gpt-4o-mini",
		body: func(model string, stream bool) map[string]any {
			b := map[string]any{"model": model, "stream": stream, "messages": []any{map[string]any{"role": "user", "content": longText(60)}}}
			if stream {
				b["stream_options"] = map[string]any{"include_usage": true}
			}
			return b
		},
		errType: func(t *testing.T, raw []byte) string {
			e := decode[oaErr](t, raw)
			if e.Error.Message == "" {
				t.Fatalf("OpenAI error without message: %s", raw)
			}
			return e.Error.Type
		},
	},
	{
		name: "anthropic", path: "/v1/messages", model: "claude-sonnet-4-5", headers: anthropicHeaders,
		body: func(model string, stream bool) map[string]any {
			return map[string]any{"model": model, "max_tokens": 500, "stream": stream, "messages": []any{map[string]any{"role": "user", "content": longText(60)}}}
		},
		errType: func(t *testing.T, raw []byte) string {
			e := decode[anErr](t, raw)
			if e.Type != "error" || e.Error.Message == "" {
				t.Fatalf("Anthropic error shape: %s", raw)
			}
			return e.Error.Type
		},
	},
	{
		name: "ollama", path: "/api/chat", model: "qwen2.5-coder:7b",
		body: func(model string, stream bool) map[string]any {
			return map[string]any{"model": model, "stream": stream, "messages": []any{map[string]any{"role": "user", "content": longText(60)}}}
		},
		errType: func(t *testing.T, raw []byte) string {
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(raw, &e); err != nil || e.Error == "" {
				t.Fatalf("Ollama error shape: %s", raw)
			}
			return ""
		},
	},
}

func TestStatusFaults(t *testing.T) {
	wantTypes := map[string]map[sim.FaultKind]string{
		"openai":    {sim.FaultRateLimit: "requests", sim.FaultServerError: "server_error", sim.FaultUnavailable: "server_error", sim.FaultOverloaded: "overloaded_error", sim.FaultUnauthorized: "invalid_request_error"},
		"anthropic": {sim.FaultRateLimit: "rate_limit_error", sim.FaultServerError: "api_error", sim.FaultUnavailable: "api_error", sim.FaultOverloaded: "overloaded_error", sim.FaultUnauthorized: "authentication_error"},
		"ollama":    {},
	}
	statuses := map[sim.FaultKind]int{sim.FaultRateLimit: 429, sim.FaultServerError: 500, sim.FaultUnavailable: 503, sim.FaultOverloaded: 529, sim.FaultUnauthorized: 401}
	for _, ep := range endpoints {
		for kind, status := range statuses {
			t.Run(ep.name+"/"+string(kind), func(t *testing.T) {
				srv := start(t, sim.Options{Now: newClock().Now})
				srv.Inject(sim.Fault{Kind: kind, RetryAfter: 1500 * time.Millisecond})
				body := ep.body(ep.model, false)
				body["messages"] = []any{map[string]any{"role": "user", "content": longText(1500)}}
				st, hdr, raw := post(t, srv, ep.path, ep.headers, body)
				if st != status {
					t.Fatalf("status %d, want %d: %s", st, status, raw)
				}
				if got := ep.errType(t, raw); got != wantTypes[ep.name][kind] {
					t.Errorf("error type %q, want %q", got, wantTypes[ep.name][kind])
				}
				if kind != sim.FaultUnauthorized && kind != sim.FaultServerError && hdr.Get("Retry-After") != "2" {
					t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", hdr.Get("Retry-After"))
				}
				if srv.Cache().Len() != 0 {
					t.Error("a refused request touched the cache")
				}
				// The fault is used up: the next request succeeds.
				if st, _, raw := post(t, srv, ep.path, ep.headers, ep.body(ep.model, false)); st != 200 {
					t.Fatalf("after the fault: %d %s", st, raw)
				}
				calls := srv.Calls()
				if len(calls) != 2 || calls[0].Fault != kind || calls[0].Status != status || calls[1].Status != 200 || calls[1].Usage.Input == 0 {
					t.Fatalf("calls = %+v", calls)
				}
			})
		}
	}
}

func TestFaultMatchingAndTimes(t *testing.T) {
	srv := start(t, sim.Options{})
	srv.Inject(sim.Fault{Kind: sim.FaultOverloaded, Model: "claude-*", Times: 2})
	ep := endpoints[1]
	oa := endpoints[0]
	if st, _, _ := post(t, srv, oa.path, nil, oa.body("gpt-4o", false)); st != 200 {
		t.Fatalf("a claude-* fault hit gpt-4o: %d", st)
	}
	for i := range 2 {
		if st, _, _ := post(t, srv, ep.path, ep.headers, ep.body("claude-haiku-4-5", false)); st != 529 {
			t.Fatalf("request %d: %d, want 529", i, st)
		}
	}
	if st, _, _ := post(t, srv, ep.path, ep.headers, ep.body("claude-haiku-4-5", false)); st != 200 || len(srv.Pending()) != 0 {
		t.Fatalf("third request %d, pending %v", st, srv.Pending())
	}
	srv.Inject(sim.Fault{Kind: sim.FaultServerError, Endpoint: "ollama"})
	if st, _, _ := post(t, srv, ep.path, ep.headers, ep.body("claude-haiku-4-5", false)); st != 200 {
		t.Fatal("an ollama fault hit the anthropic endpoint")
	}
}

func TestMalformedFault(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			srv := start(t, sim.Options{})
			srv.Inject(sim.Fault{Kind: sim.FaultMalformed, Times: 2})
			st, _, raw := post(t, srv, ep.path, ep.headers, ep.body(ep.model, false))
			if st != 200 || json.Valid(raw) {
				t.Fatalf("non-streamed: status %d, valid JSON %v", st, json.Valid(raw))
			}
			st, _, raw = post(t, srv, ep.path, ep.headers, ep.body(ep.model, true))
			if st != 200 {
				t.Fatal(st)
			}
			bad := 0
			for _, line := range strings.Split(string(raw), "\n") {
				line = strings.TrimPrefix(line, "data: ")
				if line == "" || strings.HasPrefix(line, "event: ") || line == "[DONE]" {
					continue
				}
				if !json.Valid([]byte(line)) {
					bad++
				}
			}
			if bad != 1 {
				t.Fatalf("streamed: %d invalid events, want 1:\n%s", bad, raw)
			}
		})
	}
}

// rawPost returns the body read so far and the read error.
func rawPost(t *testing.T, srv *sim.Server, path string, hdr map[string]string, body any) ([]byte, error) {
	t.Helper()
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(js))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func TestTruncateFault(t *testing.T) {
	finals := map[string]string{"openai": "[DONE]", "anthropic": "message_stop", "ollama": `"done":true`}
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			srv := start(t, sim.Options{})
			srv.Inject(sim.Fault{Kind: sim.FaultTruncate, Times: 2})
			got, err := rawPost(t, srv, ep.path, ep.headers, ep.body(ep.model, true))
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("streamed: read error %v, want unexpected EOF", err)
			}
			if len(got) == 0 || strings.Contains(string(got), finals[ep.name]) || strings.Contains(string(got), "usage\":{") && ep.name == "openai" {
				t.Fatalf("truncated stream still carries its end or usage:\n%s", got)
			}
			got, err = rawPost(t, srv, ep.path, ep.headers, ep.body(ep.model, false))
			if !errors.Is(err, io.ErrUnexpectedEOF) || json.Valid(got) {
				t.Fatalf("non-streamed: read error %v, body valid %v", err, json.Valid(got))
			}
			calls := srv.Calls()
			if len(calls) != 2 || calls[0].Fault != sim.FaultTruncate || calls[0].Usage.Output == 0 {
				t.Fatalf("calls = %+v (a truncated answer is still billed)", calls)
			}
		})
	}
}

func TestSlowFault(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			srv := start(t, sim.Options{})
			srv.Inject(sim.Fault{Kind: sim.FaultSlow, Delay: 5 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			js, _ := json.Marshal(ep.body(ep.model, false))
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+ep.path, bytes.NewReader(js))
			for k, v := range ep.headers {
				req.Header.Set(k, v)
			}
			if resp, err := srv.Client().Do(req); err == nil {
				resp.Body.Close()
				t.Fatal("a 5s delay before the headers did not trip a 100ms deadline")
			}
			// Chunk delays slow a stream but it still completes whole.
			srv.Inject(sim.Fault{Kind: sim.FaultSlow, ChunkDelay: time.Millisecond})
			st, _, raw := post(t, srv, ep.path, ep.headers, ep.body(ep.model, true))
			if st != 200 || !strings.Contains(string(raw), map[string]string{"openai": "[DONE]", "anthropic": "message_stop", "ollama": `"done":true`}[ep.name]) {
				t.Fatalf("slow stream: %d %s", st, raw)
			}
		})
	}
}

func TestAPIKey(t *testing.T) {
	const key = "sk-sim-secret-0123456789"
	srv := start(t, sim.Options{APIKey: key})
	for _, ep := range endpoints {
		for _, tc := range []struct {
			name   string
			header map[string]string
			status int
		}{
			{"missing", nil, 401},
			{"wrong bearer", map[string]string{"Authorization": "Bearer sk-wrong-key-abcdef"}, 401},
			{"right bearer", map[string]string{"Authorization": "Bearer " + key}, 200},
			{"right x-api-key", map[string]string{"x-api-key": key}, 200},
		} {
			hdr := map[string]string{}
			for k, v := range ep.headers {
				hdr[k] = v
			}
			for k, v := range tc.header {
				hdr[k] = v
			}
			st, _, raw := post(t, srv, ep.path, hdr, ep.body(ep.model, false))
			if st != tc.status {
				t.Fatalf("%s %s: status %d, want %d: %s", ep.name, tc.name, st, tc.status, raw)
			}
			if st == 401 {
				ep.errType(t, raw)
				if strings.Contains(string(raw), "sk-wrong-key-abcdef") {
					t.Fatalf("%s echoed the whole key: %s", ep.name, raw)
				}
			}
		}
	}
	for _, c := range srv.Calls() {
		if v := c.Header.Get("Authorization") + c.Header.Get("X-Api-Key"); strings.Contains(v, "sk-") {
			t.Fatalf("a key is kept in Calls: %q", v)
		}
	}
}

func TestStatsAndConnections(t *testing.T) {
	srv := start(t, sim.Options{})
	if s := srv.Requests(); s.Requests != 0 || s.Connections != 0 {
		t.Fatalf("fresh server stats %+v", s)
	}
	for _, ep := range endpoints {
		post(t, srv, ep.path, ep.headers, ep.body(ep.model, false))
	}
	post(t, srv, "/v1/nothing", nil, "{}")
	s := srv.Requests()
	if s.Requests != 4 || s.ByEndpoint["openai"] != 1 || s.ByEndpoint["anthropic"] != 1 || s.ByEndpoint["ollama"] != 1 || s.ByEndpoint["unknown"] != 1 || s.Connections < 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestLatencyOption(t *testing.T) {
	srv := start(t, sim.Options{Latency: sim.Latency{BeforeHeaders: 5 * time.Second}})
	ep := endpoints[0]
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	js, _ := json.Marshal(ep.body(ep.model, false))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+ep.path, bytes.NewReader(js))
	if resp, err := srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("Latency.BeforeHeaders was not applied")
	}
	// The sim notices the client left and records it so.
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Calls()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if calls := srv.Calls(); len(calls) != 1 || calls[0].Status != 499 {
		t.Fatalf("calls = %+v, want one with status 499", calls)
	}
}
