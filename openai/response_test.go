package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

func TestChatParsesResponses(t *testing.T) {
	for _, tc := range []struct {
		file  string
		want  frugal.Response
		quirk openai.Quirks
	}{
		{"response_chat.json", frugal.Response{
			Message:    frugal.Message{Role: frugal.RoleAssistant, Content: "Hello! How can I assist you today?"},
			Usage:      frugal.Usage{Input: 127, CacheRead: 1792, Output: 10},
			UsageKnown: true, StopReason: frugal.StopEnd, Model: "gpt-4.1-2025-04-14",
		}, openai.Quirks{}},
		{"response_tools.json", frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{
				{ID: "call_abc123", Name: "get_current_weather", Arguments: json.RawMessage("{\n\"location\": \"Boston, MA\"\n}")},
				{ID: "call_abc124", Name: "get_time", Arguments: json.RawMessage("{}")},
			}},
			Usage:      frugal.Usage{Input: 82, Output: 17},
			UsageKnown: true, StopReason: frugal.StopToolUse, Model: "gpt-4o-mini",
		}, openai.Quirks{}},
		{"response_deepseek.json", frugal.Response{
			Message:    frugal.Message{Role: frugal.RoleAssistant, Content: `{"answer": 42}`},
			Usage:      frugal.Usage{Input: 128, CacheRead: 1920, Output: 310, Reasoning: 300},
			UsageKnown: true, StopReason: frugal.StopEnd, Model: "deepseek-reasoner",
		}, openai.Quirks{SchemaMode: openai.SchemaJSONObject}},
		{"response_openrouter.json", frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, Content: "The answer is"},
			// 2194 prompt tokens = 1000 read + 1100 written + 94 uncached.
			Usage:      frugal.Usage{Input: 94, CacheRead: 1000, CacheWrite5m: 1100, Output: 2},
			UsageKnown: true, StopReason: frugal.StopMaxTokens, Model: "anthropic/claude-sonnet-4.5",
			ProviderCost: 32, // $0.0000315 rounded up to whole micro-dollars
		}, openai.Quirks{UsageInclude: true}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := wiretest.NewServer(t, wiretest.ServeFile(t, tc.file, "application/json"))
			got, err := client(s, tc.quirk).Chat(context.Background(), chatRequest())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// collect streams req from a server answering with file and returns the
// deltas seen, the response and the error.
func collect(t *testing.T, h http.HandlerFunc, q openai.Quirks) ([]frugal.Delta, frugal.Response, error) {
	t.Helper()
	s := wiretest.NewServer(t, h)
	deltas, resp, err := wiretest.Collect(client(s, q), chatRequest())
	if h := s.Last(t).Header.Get("Accept"); h != "text/event-stream" {
		t.Errorf("Accept = %q", h)
	}
	return deltas, resp, err
}

func TestStreamText(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_text.sse", "text/event-stream"), openai.Quirks{})
	if err != nil {
		t.Fatal(err)
	}
	want := []frugal.Delta{{Text: "Hello"}, {Text: " there"}}
	if !reflect.DeepEqual(deltas, want) {
		t.Errorf("deltas = %+v", deltas)
	}
	wantResp := frugal.Response{
		Message: frugal.Message{Role: frugal.RoleAssistant, Content: "Hello there"},
		Usage:   frugal.Usage{Input: 176, CacheRead: 1024, Output: 2}, UsageKnown: true,
		StopReason: frugal.StopEnd, Model: "gpt-4o-mini",
	}
	if !reflect.DeepEqual(resp, wantResp) {
		t.Errorf("got  %+v\nwant %+v", resp, wantResp)
	}
}

func TestStreamToolCalls(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_tools.sse", "text/event-stream"), openai.Quirks{})
	if err != nil {
		t.Fatal(err)
	}
	calls := []frugal.ToolCall{
		{ID: "call_DdmO9pD3xa9XTPNJ32zg2hcA", Name: "get_weather", Arguments: json.RawMessage(`{"location":"Paris"}`)},
		{ID: "call_second", Name: "get_time", Arguments: json.RawMessage(`{}`)},
	}
	if len(deltas) != 2 || deltas[0].ToolCall == nil || deltas[1].ToolCall == nil ||
		!reflect.DeepEqual(*deltas[0].ToolCall, calls[0]) || !reflect.DeepEqual(*deltas[1].ToolCall, calls[1]) {
		t.Errorf("deltas = %+v", deltas)
	}
	if !reflect.DeepEqual(resp.Message.ToolCalls, calls) || resp.StopReason != frugal.StopToolUse ||
		resp.Usage != (frugal.Usage{Input: 60, Output: 25}) {
		t.Errorf("resp = %+v", resp)
	}
}

func TestStreamOpenRouterCommentsAndCost(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_openrouter.sse", "text/event-stream"), openai.Quirks{UsageInclude: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(deltas) != 1 || deltas[0].Text != "4" {
		t.Errorf("deltas = %+v", deltas)
	}
	if resp.ProviderCost != 12 || resp.Usage != (frugal.Usage{Input: 14, Output: 1}) || !resp.UsageKnown || resp.StopReason != frugal.StopEnd {
		t.Errorf("resp = %+v", resp)
	}
}

// Some servers repeat the running usage on every chunk: the last wins.
func TestStreamUsageOnEveryChunkIsNotSummed(t *testing.T) {
	body := ""
	for i := 1; i <= 3; i++ {
		body += fmt.Sprintf(`data: {"model":"grok","choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":40,"completion_tokens":%d,"total_tokens":%d}}`+"\n\n", i, 40+i)
	}
	body += `data: {"model":"grok","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":3,"total_tokens":43}}` + "\n\ndata: [DONE]\n\n"
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }, openai.Quirks{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Usage != (frugal.Usage{Input: 40, Output: 3}) || resp.Message.Content != "xxx" {
		t.Errorf("resp = %+v", resp)
	}
}

func TestStreamGroqUsage(t *testing.T) {
	body := `data: {"model":"llama","choices":[{"index":0,"delta":{"content":"hi"}}]}` + "\n\n" +
		`data: {"model":"llama","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}}` + "\n\n" +
		"data: [DONE]\n\n"
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }, openai.Quirks{})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.UsageKnown || resp.Usage != (frugal.Usage{Input: 9, Output: 1}) {
		t.Errorf("resp = %+v", resp)
	}
}

func TestStreamTruncated(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_truncated.sse", "text/event-stream"), openai.Quirks{})
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Billed || !pe.Retryable || !strings.Contains(pe.Message, "truncated") || pe.Provider != "test" {
		t.Fatalf("err = %#v", err)
	}
	if len(deltas) != 2 || resp.Message.Content != "Hello there" || resp.UsageKnown {
		t.Errorf("partial response = %+v, deltas %+v", resp, deltas)
	}

	// Cut between two chunks, before any finish_reason.
	cut := strings.Join(strings.SplitAfter(string(wiretest.ReadFile(t, "stream_text.sse")), "\n\n")[:2], "")
	_, resp, err = collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, cut) }, openai.Quirks{})
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "truncated") || resp.Message.Content != "Hello" {
		t.Errorf("cut stream: resp %+v err %v", resp, err)
	}
}

func TestStreamWithoutDoneIsAcceptedOnceComplete(t *testing.T) {
	body := strings.TrimSuffix(string(wiretest.ReadFile(t, "stream_text.sse")), "data: [DONE]\n\n")
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }, openai.Quirks{})
	if err != nil || !resp.UsageKnown {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestStreamMidStreamError(t *testing.T) {
	body := `data: {"model":"m","choices":[{"index":0,"delta":{"content":"par"}}]}` + "\n\n" +
		`data: {"id":"gen-1","object":"chat.completion.chunk","error":{"code":502,"message":"Provider returned error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}` + "\n\n"
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }, openai.Quirks{})
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Status != 502 || !pe.Retryable || !pe.Billed || pe.Message != "Provider returned error" {
		t.Fatalf("err = %#v", err)
	}
	if resp.Message.Content != "par" {
		t.Errorf("partial = %+v", resp)
	}
}

func TestStreamMalformedChunk(t *testing.T) {
	body := "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json}\n\ndata: [DONE]\n\n"
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }, openai.Quirks{})
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Retryable || !pe.Billed || !strings.Contains(pe.Message, "malformed") || resp.Message.Content != "a" {
		t.Errorf("resp %+v err %#v", resp, err)
	}
}

func TestStreamCallbackErrorStops(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "stream_text.sse", "text/event-stream"))
	stop := errors.New("enough")
	n := 0
	resp, err := client(s, openai.Quirks{}).Stream(context.Background(), chatRequest(), func(d frugal.Delta) error {
		n++
		return stop
	})
	if err != stop || n != 1 || resp.Message.Content != "Hello" {
		t.Errorf("n %d resp %+v err %v", n, resp, err)
	}
}

// The server sends one chunk and then blocks; cancelling ctx must end the
// call at once with what arrived.
func TestStreamCancelMidStream(t *testing.T) {
	s := wiretest.NewHangingServer(t, `data: {"model":"m","choices":[{"index":0,"delta":{"content":"first"}}]}`+"\n\n")
	resp, err := wiretest.CancelAtFirstDelta(t, func(ctx context.Context, fn func(frugal.Delta) error) (frugal.Response, error) {
		return client(s, openai.Quirks{}).Stream(ctx, chatRequest(), fn)
	})
	if !errors.Is(err, context.Canceled) || resp.Message.Content != "first" {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestTimeout(t *testing.T) {
	s := wiretest.NewHangingServer(t, "")
	c := openai.New(openai.Options{BaseURL: s.URL, APIKey: frugal.NewSecret(testKey), Timeout: 20 * time.Millisecond})
	_, err := c.Chat(context.Background(), chatRequest())
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !pe.Billed || !strings.Contains(pe.Message, "timed out") {
		t.Errorf("err = %#v", err)
	}
}

func TestMalformedResponse(t *testing.T) {
	for name, body := range map[string]string{
		"not json":   `{"id": "x", "choices": [`,
		"no choices": `{"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}`,
		"bad usage":  `{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":9}}}`,
		"bad cost":   `{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"cost":-1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
			resp, err := client(s, openai.Quirks{}).Chat(context.Background(), chatRequest())
			if name == "bad usage" || name == "bad cost" {
				// The answer stands; its usage is not trusted, so the caller
				// charges the call its hold.
				if err != nil || resp.Message.Content != "hi" || resp.UsageKnown {
					t.Errorf("resp %+v, err %v", resp, err)
				}
				return
			}
			var pe *frugal.ProviderError
			if !errors.As(err, &pe) || !pe.Billed || pe.Retryable || pe.Status != 0 || pe.Provider != "test" {
				t.Fatalf("err = %#v", err)
			}
			switch name {
			case "no choices":
				if !resp.UsageKnown || resp.Usage.Input != 3 {
					t.Errorf("partial = %+v", resp)
				}
			case "bad usage", "bad cost":
				if resp.Message.Content != "hi" || resp.UsageKnown {
					t.Errorf("partial = %+v", resp)
				}
			}
		})
	}
}
