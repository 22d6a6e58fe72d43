package anthropic_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

var weatherTool = frugal.Tool{
	Name:        "get_weather",
	Description: "Current weather of a city.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

func chatRequest() frugal.Request {
	return frugal.Request{
		Model:     "claude-sonnet-4-5",
		System:    "You are terse.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "Say hello."}},
		MaxOutput: 256,
	}
}

func toolsRequest() frugal.Request {
	temp := 0.2
	return frugal.Request{
		Model:  "claude-sonnet-4-5",
		System: "You check the weather.",
		Messages: []frugal.Message{
			{Role: frugal.RoleUser, Content: "Weather in Paris and the files here?"},
			{Role: frugal.RoleAssistant, Content: "Checking.", ToolCalls: []frugal.ToolCall{
				{ID: "toolu_1", Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)},
				{ID: "toolu_2", Name: "list_files"},
			}},
			{Role: frugal.RoleTool, ToolCallID: "toolu_1", Content: `{"temp_c":21}`},
			{Role: frugal.RoleTool, ToolCallID: "toolu_2", Content: "permission denied", IsError: true},
			{Role: frugal.RoleUser, Content: "And Lyon?"},
			{Role: frugal.RoleAssistant}, // an empty turn is left out
			{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "toolu_3", Name: "get_weather", Arguments: json.RawMessage(`{"city":"Lyon"}`)}}},
			{Role: frugal.RoleTool, ToolCallID: "toolu_3", Content: `{"temp_c":19}`},
		},
		Tools:       []frugal.Tool{weatherTool, {Name: "list_files", Description: "List the workspace."}},
		MaxOutput:   1000,
		Temperature: &temp,
	}
}

// longText is about n tokens by the default len/4 estimate.
func longText(n int) string { return strings.Repeat("word ", n*4/5) }

// cachedRequest has a system prompt long enough to cache on Sonnet 4.5
// (1024 tokens) and two leading messages to mark as well.
func cachedRequest(ttl time.Duration, breakpoints int) frugal.Request {
	r := toolsRequest()
	r.System = "You check the weather.\n" + longText(1100)
	r.CacheTTL = ttl
	r.CacheBreakpoints = breakpoints
	return r
}

var answerSchema = json.RawMessage(`{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"],"additionalProperties":false}`)

func schemaRequest() frugal.Request {
	r := chatRequest()
	r.Messages[0].Content = "6 times 7?"
	r.Schema = answerSchema
	return r
}

// TestRequestGolden pins the exact bodies sent, through real HTTP.
func TestRequestGolden(t *testing.T) {
	shortSystem1h := cachedRequest(time.Hour, 3)
	shortSystem1h.System = "Too short to cache alone."
	for _, tc := range []struct {
		name   string
		req    frugal.Request
		opts   func(*anthropic.Options)
		stream bool
	}{
		{"request_chat.json", chatRequest(), nil, false},
		{"request_tools.json", toolsRequest(), nil, false},
		{"request_cache_5m.json", cachedRequest(5*time.Minute, 0), nil, false},
		{"request_cache_1h_messages.json", cachedRequest(time.Hour, 3), nil, true},
		// Tools and system alone are below the minimum: only the message mark,
		// whose prefix is long enough, is placed.
		{"request_cache_below_minimum.json", func() frugal.Request {
			r := shortSystem1h
			r.Messages = append([]frugal.Message{{Role: frugal.RoleUser, Content: longText(1200)}}, r.Messages...)
			return r
		}(), nil, false},
		{"request_schema.json", schemaRequest(), nil, false},
		{"request_schema_in_prompt.json", schemaRequest(), func(o *anthropic.Options) { o.SchemaInPrompt = true }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, ctype := "response_chat.json", "application/json"
			if tc.stream {
				file, ctype = "stream_text.sse", "text/event-stream"
			}
			s := wiretest.NewServer(t, wiretest.ServeFile(t, file, ctype))
			var mut []func(*anthropic.Options)
			if tc.opts != nil {
				mut = append(mut, tc.opts)
			}
			c := client(s, mut...)
			if _, err := wiretest.Call(c, tc.req, tc.stream); err != nil {
				t.Fatal(err)
			}
			got := s.Last(t)
			if got.Path != "/v1/messages" {
				t.Errorf("path = %q", got.Path)
			}
			wiretest.Golden(t, tc.name, got.Body)
		})
	}
}

func TestCacheBreakpointsFollowMinimum(t *testing.T) {
	count := func(body []byte) int { return strings.Count(string(body), `"cache_control"`) }
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	for _, tc := range []struct {
		name    string
		min     int64
		req     frugal.Request
		want    int
		wantTTL string
	}{
		{"no TTL, no marks", 0, cachedRequest(0, 3), 0, ""},
		{"tools, system and messages", 1, cachedRequest(time.Hour, 3), 3, `"ttl":"1h"`},
		{"minimum above everything", 1 << 30, cachedRequest(5*time.Minute, 3), 0, ""},
		{"breakpoints beyond the messages", 1, cachedRequest(5*time.Minute, 99), 3, `"ttl":"5m"`},
		// Haiku 4.5 needs 4096 tokens: the ~1100-token prefix is not cached.
		{"model minimum by default", -1, func() frugal.Request { r := cachedRequest(5*time.Minute, 0); r.Model = "claude-haiku-4-5"; return r }(), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(s, func(o *anthropic.Options) {
				if tc.min >= 0 {
					o.MinCacheableTokens = func(string) int64 { return tc.min }
				}
			})
			if _, err := c.Chat(context.Background(), tc.req); err != nil {
				t.Fatal(err)
			}
			body := s.Last(t).Body
			if got := count(body); got != tc.want {
				t.Errorf("%d cache_control marks, want %d: %s", got, tc.want, body)
			}
			if tc.wantTTL != "" && !strings.Contains(string(body), tc.wantTTL) {
				t.Errorf("no %s in %s", tc.wantTTL, body)
			}
		})
	}
	// The injected counter decides the prefix length.
	c := client(s, func(o *anthropic.Options) { o.CountTokens = func(string) int { return 2000 } })
	r := chatRequest()
	r.CacheTTL = 5 * time.Minute
	if _, err := c.Chat(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if count(s.Last(t).Body) != 1 {
		t.Errorf("injected CountTokens ignored: %s", s.Last(t).Body)
	}
}

func TestDefaultMinCacheableTokens(t *testing.T) {
	for model, want := range map[string]int64{
		"claude-opus-4-6": 4096, "claude-opus-4-5-20251101": 4096, "claude-haiku-4-5": 4096,
		"claude-sonnet-4-6": 2048, "claude-3-5-haiku-20241022": 2048, "claude-3-haiku-20240307": 2048,
		"claude-sonnet-4-5": 1024, "claude-opus-4-1": 1024, "claude-sonnet-4-20250514": 1024,
	} {
		if got := anthropic.DefaultMinCacheableTokens(model); got != want {
			t.Errorf("%s: %d, want %d", model, got, want)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	c := client(s, func(o *anthropic.Options) {
		o.Headers = map[string]string{"anthropic-beta": "some-beta-2025-01-01"}
	})
	if _, err := c.Chat(context.Background(), chatRequest()); err != nil {
		t.Fatal(err)
	}
	h := s.Last(t).Header
	for k, want := range map[string]string{
		"X-Api-Key": testKey, "Anthropic-Version": "2023-06-01", "Content-Type": "application/json",
		"Anthropic-Beta": "some-beta-2025-01-01",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if h.Get("Authorization") != "" {
		t.Error("Authorization header sent to Anthropic")
	}

	// Without a key (the sim, a proxy adding its own) no key header at all.
	if _, err := anthropic.New(anthropic.Options{BaseURL: s.URL}).Chat(context.Background(), chatRequest()); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Last(t).Header["X-Api-Key"]; ok {
		t.Errorf("x-api-key %q sent without a key", v)
	}
}

func TestRequestInvalid(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	c := client(s)
	bad := func(mut func(*frugal.Request)) frugal.Request { r := chatRequest(); mut(&r); return r }
	for name, req := range map[string]frugal.Request{
		"no model":      bad(func(r *frugal.Request) { r.Model = "" }),
		"no max output": bad(func(r *frugal.Request) { r.MaxOutput = -1 }),
		"bad TTL":       bad(func(r *frugal.Request) { r.CacheTTL = 10 * time.Minute }),
		"bad role":      bad(func(r *frugal.Request) { r.Messages[0].Role = "system" }),
		"empty user":    bad(func(r *frugal.Request) { r.Messages[0].Content = "" }),
		"bad schema":    bad(func(r *frugal.Request) { r.Schema = json.RawMessage(`[`) }),
		"array arguments": bad(func(r *frugal.Request) {
			r.Messages = append(r.Messages, frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "x", Name: "f", Arguments: json.RawMessage(`[1]`)}}})
		}),
	} {
		if _, err := c.Chat(context.Background(), req); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d invalid requests reached the server", n)
	}
}

func TestTemperatureLeftOutWhereRejected(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	for _, tc := range []struct {
		model, version string
		sent           bool
	}{
		{"claude-sonnet-4-5", "", true},
		{"claude-3-5-haiku-20241022", "", true},
		{"claude-opus-4-7", "", false},
		{"claude-opus-4-8-20261001", "", false},
		{"claude-sonnet-5-5", "", false},
		{"claude-haiku-5-5", "", false},
		{"claude-sonnet-4-5", "2026-10-21", false},
	} {
		r := chatRequest()
		r.Model, r.Temperature = tc.model, ptr(0.5)
		if _, err := client(s, func(o *anthropic.Options) { o.Version = tc.version }).Chat(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		got := s.Last(t)
		if sent := strings.Contains(string(got.Body), `"temperature":0.5`); sent != tc.sent {
			t.Errorf("%s %s: temperature sent = %v", tc.model, tc.version, sent)
		}
		if want := tc.version; want != "" && got.Header.Get("anthropic-version") != want {
			t.Errorf("anthropic-version = %q", got.Header.Get("anthropic-version"))
		}
	}
}
