// Package conformance is the suite every provider adapter must pass against
// the sim servers over real HTTP: plain chat, a tool-call round trip,
// JSON-schema output, streaming with usage, prompt-cache hits and misses
// on a fake clock, each error class and cancellation mid-stream. It owns
// the suite only; each adapter comes in as a Target.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
)

// Adapter is what the suite drives: one call, streamed or not.
type Adapter interface {
	frugal.Brain
	frugal.Streamer
}

// CacheKind is how a provider caches prompts.
type CacheKind int

// Cache kinds.
const (
	CacheNone     CacheKind = iota // no reported cache (Ollama)
	CacheAuto                      // automatic prefix cache (OpenAI, DeepSeek)
	CacheExplicit                  // cache_control breakpoints (Anthropic)
)

// Target is one adapter under test.
type Target struct {
	Name    string // sim endpoint: "openai", "anthropic" or "ollama"
	Model   string
	Cache   CacheKind
	Bills1h bool // the provider takes 1-hour cache writes
	// AutoTTL is how long an automatic cache keeps an unused prefix.
	AutoTTL time.Duration
	// SchemaInPrompt: the schema travels in the prompt (JSON mode), so the
	// sim can only be asked for some JSON object, not the schema's.
	SchemaInPrompt bool
	// New returns the adapter for a sim at baseURL (the server root, e.g.
	// "http://127.0.0.1:4000") with this API key and per-call timeout.
	New func(baseURL, key string, timeout time.Duration) Adapter
}

const simKey = "sk-sim-conformance-0123456789"

// clock is a fake clock for the sim's prompt caches.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv   *sim.Server
	clock *clock
	a     Adapter
}

func start(t *testing.T, tg Target, opts sim.Options, timeout time.Duration) env {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	opts.Now = c.Now
	opts.APIKey = simKey
	srv := sim.New(opts)
	t.Cleanup(srv.Close)
	return env{srv: srv, clock: c, a: tg.New(srv.URL, simKey, timeout)}
}

func chatRequest(tg Target) frugal.Request {
	return frugal.Request{
		Model:     tg.Model,
		System:    "You are terse.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "Say hello."}},
		MaxOutput: 200,
	}
}

var weatherTool = frugal.Tool{
	Name:        "get_weather",
	Description: "Current weather of a city.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

// Run runs the whole suite against tg.
func Run(t *testing.T, tg Target) {
	t.Run("PlainChat", func(t *testing.T) { plainChat(t, tg) })
	t.Run("ToolRoundTrip", func(t *testing.T) { toolRoundTrip(t, tg, false) })
	t.Run("ToolRoundTripStreamed", func(t *testing.T) { toolRoundTrip(t, tg, true) })
	t.Run("SchemaOutput", func(t *testing.T) { schemaOutput(t, tg) })
	t.Run("StreamWithUsage", func(t *testing.T) { streamWithUsage(t, tg) })
	t.Run("PromptCache", func(t *testing.T) { promptCache(t, tg) })
	t.Run("Errors", func(t *testing.T) { errorClasses(t, tg) })
	t.Run("CancelMidStream", func(t *testing.T) { cancelMidStream(t, tg) })
}

func plainChat(t *testing.T, tg Target) {
	e := start(t, tg, sim.Options{}, 0)
	resp, err := e.a.Chat(context.Background(), chatRequest(tg))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Role != frugal.RoleAssistant || !strings.Contains(resp.Message.Content, tg.Model) ||
		resp.StopReason != frugal.StopEnd || !resp.UsageKnown || resp.Usage.InputTotal() == 0 || resp.Usage.Output == 0 {
		t.Errorf("resp = %+v", resp)
	}
	if err := resp.Usage.Validate(); err != nil {
		t.Error(err)
	}
	calls := e.srv.Calls()
	if len(calls) != 1 || calls[0].Endpoint != tg.Name || calls[0].Status != 200 || calls[0].Usage != resp.Usage {
		t.Errorf("sim saw %+v, adapter reported %+v", calls, resp.Usage)
	}
}

func toolRoundTrip(t *testing.T, tg Target, stream bool) {
	turn0 := 0
	cassette := &sim.Cassette{Name: "tools", Rules: []sim.Rule{
		{When: sim.When{HasTool: "get_weather", Turn: &turn0}, Reply: sim.Reply{Text: "Checking.", ToolCalls: []sim.ToolCall{{Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)}}}},
		{When: sim.When{ToolResultContains: "temp_c"}, Reply: sim.Reply{Text: "It is 21 degrees in Paris."}},
	}}
	e := start(t, tg, sim.Options{Cassette: cassette}, 0)
	req := chatRequest(tg)
	req.Messages[0].Content = "Weather in Paris?"
	req.Tools = []frugal.Tool{weatherTool}
	call := func() (frugal.Response, []frugal.Delta) {
		t.Helper()
		if !stream {
			resp, err := e.a.Chat(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			return resp, nil
		}
		var ds []frugal.Delta
		resp, err := e.a.Stream(context.Background(), req, func(d frugal.Delta) error { ds = append(ds, d); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return resp, ds
	}
	resp, deltas := call()
	if resp.StopReason != frugal.StopToolUse || len(resp.Message.ToolCalls) != 1 {
		t.Fatalf("first answer = %+v", resp)
	}
	tc := resp.Message.ToolCalls[0]
	var args map[string]string
	if tc.ID == "" || tc.Name != "get_weather" || json.Unmarshal(tc.Arguments, &args) != nil || args["city"] != "Paris" {
		t.Errorf("tool call = %+v", tc)
	}
	if stream {
		var got *frugal.ToolCall
		for _, d := range deltas {
			if d.ToolCall != nil {
				got = d.ToolCall
			}
		}
		if got == nil || got.ID != tc.ID || string(got.Arguments) != string(tc.Arguments) {
			t.Errorf("streamed tool call %+v, answer's %+v", got, tc)
		}
	}
	req.Messages = append(req.Messages, resp.Message,
		frugal.Message{Role: frugal.RoleTool, ToolCallID: tc.ID, Content: `{"temp_c":21}`})
	resp, _ = call()
	if resp.StopReason != frugal.StopEnd || resp.Message.Content != "It is 21 degrees in Paris." || len(resp.Message.ToolCalls) != 0 {
		t.Errorf("second answer = %+v", resp)
	}
}

func schemaOutput(t *testing.T, tg Target) {
	e := start(t, tg, sim.Options{}, 0)
	req := chatRequest(tg)
	req.Schema = json.RawMessage(`{"type":"object","properties":{"answer":{"type":"integer"},"unit":{"type":"string"}},"required":["answer","unit"],"additionalProperties":false}`)
	req.SchemaName = "answer"
	resp, err := e.a.Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if tg.SchemaInPrompt {
		var v map[string]any
		if err := json.Unmarshal([]byte(resp.Message.Content), &v); err != nil {
			t.Errorf("answer %q is not a JSON object: %v", resp.Message.Content, err)
		}
		return
	}
	var v struct {
		Answer *int64  `json:"answer"`
		Unit   *string `json:"unit"`
	}
	if err := json.Unmarshal([]byte(resp.Message.Content), &v); err != nil || v.Answer == nil || v.Unit == nil {
		t.Errorf("answer %q is not the schema's object: %v", resp.Message.Content, err)
	}
}

func streamWithUsage(t *testing.T, tg Target) {
	e := start(t, tg, sim.Options{}, 0)
	req := chatRequest(tg)
	whole, err := e.a.Chat(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	n := 0
	resp, err := e.a.Stream(context.Background(), req, func(d frugal.Delta) error {
		text.WriteString(d.Text)
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 || text.String() != resp.Message.Content || resp.Message.Content != whole.Message.Content {
		t.Errorf("%d deltas %q; answer %q; not streamed %q", n, text.String(), resp.Message.Content, whole.Message.Content)
	}
	if !resp.UsageKnown || resp.Usage != whole.Usage || resp.StopReason != frugal.StopEnd {
		t.Errorf("streamed %+v, not streamed %+v", resp, whole)
	}
}

// longSystem is a stable prefix well above every cache minimum.
var longSystem = "You maintain a Go repository. " + strings.Repeat("Follow the style guide: small interfaces, plain errors, no globals, tests beside the code. ", 120)

func promptCache(t *testing.T, tg Target) {
	for _, ttl := range []time.Duration{5 * time.Minute, time.Hour} {
		if ttl == time.Hour && !tg.Bills1h {
			continue
		}
		t.Run(ttl.String(), func(t *testing.T) {
			e := start(t, tg, sim.Options{}, 0)
			req := chatRequest(tg)
			req.System = longSystem
			req.CacheTTL = ttl
			call := func() frugal.Usage {
				t.Helper()
				resp, err := e.a.Chat(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				return resp.Usage
			}
			write := func(u frugal.Usage) int64 {
				if ttl == time.Hour {
					return u.CacheWrite1h
				}
				return u.CacheWrite5m
			}
			life := ttl
			if tg.Cache == CacheAuto {
				life = tg.AutoTTL // the provider's own, whatever was asked
			}
			first := call()
			e.clock.Advance(life / 2)
			second := call()
			e.clock.Advance(life + time.Minute) // past the TTL since the last use
			third := call()
			switch tg.Cache {
			case CacheNone:
				for _, u := range []frugal.Usage{first, second, third} {
					if u.CacheRead != 0 || u.CacheWrite() != 0 {
						t.Errorf("cache reported: %+v", u)
					}
				}
			case CacheAuto:
				if first.CacheRead != 0 || second.CacheRead < 1024 || third.CacheRead != 0 {
					t.Errorf("reads %d, %d, %d: want 0, ≥1024, 0", first.CacheRead, second.CacheRead, third.CacheRead)
				}
				if second.InputTotal() != first.InputTotal() {
					t.Errorf("input totals differ: %d then %d", first.InputTotal(), second.InputTotal())
				}
			case CacheExplicit:
				if write(first) < 1024 || first.CacheRead != 0 {
					t.Errorf("first call: %+v, want a %s write", first, ttl)
				}
				if second.CacheRead != write(first) || second.CacheWrite() != 0 {
					t.Errorf("second call within TTL: %+v, want a read of %d", second, write(first))
				}
				if third.CacheRead != 0 || write(third) != write(first) {
					t.Errorf("third call after TTL: %+v, want a new write", third)
				}
			}
		})
	}
}

func errorClasses(t *testing.T, tg Target) {
	for _, tc := range []struct {
		name      string
		fault     sim.Fault
		stream    bool
		status    int
		retryable bool
		billed    bool
		wait      time.Duration
	}{
		{"rate limit", sim.Fault{Kind: sim.FaultRateLimit, RetryAfter: 3 * time.Second}, false, 429, true, false, 3 * time.Second},
		{"rate limit streamed", sim.Fault{Kind: sim.FaultRateLimit, RetryAfter: 2 * time.Second}, true, 429, true, false, 2 * time.Second},
		{"server error", sim.Fault{Kind: sim.FaultServerError}, false, 500, true, false, 0},
		{"unavailable", sim.Fault{Kind: sim.FaultUnavailable, RetryAfter: time.Second}, true, 503, true, false, time.Second},
		{"overloaded", sim.Fault{Kind: sim.FaultOverloaded}, false, 529, true, false, 0},
		{"unauthorized", sim.Fault{Kind: sim.FaultUnauthorized}, false, 401, false, false, 0},
		{"malformed", sim.Fault{Kind: sim.FaultMalformed}, false, 0, false, true, 0},
		{"malformed streamed", sim.Fault{Kind: sim.FaultMalformed}, true, 0, false, true, 0},
		{"truncated", sim.Fault{Kind: sim.FaultTruncate}, false, 0, true, true, 0},
		{"truncated streamed", sim.Fault{Kind: sim.FaultTruncate}, true, 0, true, true, 0},
		{"timeout", sim.Fault{Kind: sim.FaultSlow, Delay: 5 * time.Second}, false, 0, true, true, 0}, // sent whole: may be billed
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, tg, sim.Options{}, 300*time.Millisecond)
			e.srv.Inject(tc.fault)
			var resp frugal.Response
			var err error
			if tc.stream {
				resp, err = e.a.Stream(context.Background(), chatRequest(tg), func(frugal.Delta) error { return nil })
			} else {
				resp, err = e.a.Chat(context.Background(), chatRequest(tg))
			}
			var pe *frugal.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProviderError", err)
			}
			if pe.Status != tc.status || pe.Retryable != tc.retryable || pe.Billed != tc.billed || pe.RetryAfter != tc.wait || pe.Provider == "" || pe.Message == "" {
				t.Errorf("got %#v", *pe)
			}
			if strings.Contains(err.Error(), simKey) {
				t.Errorf("key in error: %v", err)
			}
			if resp.UsageKnown {
				t.Errorf("usage known after %s: %+v", tc.name, resp)
			}
		})
	}
	t.Run("unknown model", func(t *testing.T) {
		e := start(t, tg, sim.Options{Models: []string{"some-other-model"}}, 0)
		_, err := e.a.Chat(context.Background(), chatRequest(tg))
		var pe *frugal.ProviderError
		if !errors.As(err, &pe) || pe.Status != 404 || pe.Retryable || pe.Billed {
			t.Errorf("err = %#v", err)
		}
	})
}

func cancelMidStream(t *testing.T, tg Target) {
	e := start(t, tg, sim.Options{}, 0)
	e.srv.Inject(sim.Fault{Kind: sim.FaultSlow, ChunkDelay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		resp frugal.Response
		err  error
	}
	done := make(chan result, 1)
	// The caller gives up at the first piece of text, or after a moment
	// if the slow server has sent none yet.
	stop := time.AfterFunc(200*time.Millisecond, cancel)
	defer stop.Stop()
	go func() {
		resp, err := e.a.Stream(ctx, chatRequest(tg), func(frugal.Delta) error { cancel(); return nil })
		done <- result{resp, err}
	}()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) || r.resp.UsageKnown {
			t.Errorf("resp %+v err %v", r.resp, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Stream did not return after cancellation")
	}
}
