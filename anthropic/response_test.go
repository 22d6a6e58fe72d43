package anthropic_test

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
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func TestChatParsesResponses(t *testing.T) {
	for _, tc := range []struct {
		file string
		want frugal.Response
	}{
		{"response_chat.json", frugal.Response{
			Message:    frugal.Message{Role: frugal.RoleAssistant, Content: "Hi! My name is Claude."},
			Usage:      frugal.Usage{Input: 21, CacheRead: 1800, CacheWrite5m: 51, CacheWrite1h: 2000, Output: 393},
			UsageKnown: true, StopReason: frugal.StopEnd, Model: "claude-sonnet-4-5-20250929",
		}},
		{"response_tools.json", frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, Content: "I'll check the current weather in San Francisco for you.",
				ToolCalls: []frugal.ToolCall{{ID: "toolu_01A09q90qw90lq917835lq9", Name: "get_weather", Arguments: json.RawMessage(`{"location": "San Francisco, CA", "unit": "celsius"}`)}}},
			Usage:      frugal.Usage{Input: 472, Output: 89, Reasoning: 31},
			UsageKnown: true, StopReason: frugal.StopToolUse, Model: "claude-opus-4-6",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := wiretest.NewServer(t, wiretest.ServeFile(t, tc.file, "application/json"))
			got, err := client(s).Chat(context.Background(), chatRequest())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func collect(t *testing.T, h http.HandlerFunc) ([]frugal.Delta, frugal.Response, error) {
	t.Helper()
	return wiretest.Collect(client(wiretest.NewServer(t, h)), chatRequest())
}

// The text stream has a ping and two message_delta events whose usage is
// cumulative: the last (15 output tokens) wins, nothing is summed.
func TestStreamTextCumulativeUsage(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_text.sse", "text/event-stream"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deltas, []frugal.Delta{{Text: "Hello"}, {Text: "!"}}) {
		t.Errorf("deltas = %+v", deltas)
	}
	want := frugal.Response{
		Message: frugal.Message{Role: frugal.RoleAssistant, Content: "Hello!"},
		Usage:   frugal.Usage{Input: 25, CacheRead: 3000, CacheWrite5m: 1100, Output: 15}, UsageKnown: true,
		StopReason: frugal.StopEnd, Model: "claude-sonnet-4-5-20250929",
	}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("got  %+v\nwant %+v", resp, want)
	}
}

func TestStreamToolUse(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_tools.sse", "text/event-stream"))
	if err != nil {
		t.Fatal(err)
	}
	calls := []frugal.ToolCall{
		{ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Name: "get_weather", Arguments: json.RawMessage(`{"location": "San Francisco, CA", "unit": "fahrenheit"}`)},
		{ID: "toolu_02", Name: "get_time", Arguments: json.RawMessage(`{}`)},
	}
	if len(deltas) != 4 || deltas[2].ToolCall == nil || deltas[3].ToolCall == nil ||
		!reflect.DeepEqual(*deltas[2].ToolCall, calls[0]) || !reflect.DeepEqual(*deltas[3].ToolCall, calls[1]) {
		t.Errorf("deltas = %+v", deltas)
	}
	if !reflect.DeepEqual(resp.Message.ToolCalls, calls) || resp.Message.Content != "Okay, let's check the weather." ||
		resp.StopReason != frugal.StopToolUse || resp.Usage != (frugal.Usage{Input: 472, Output: 89}) || !resp.UsageKnown {
		t.Errorf("resp = %+v", resp)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_error.sse", "text/event-stream"))
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Status != 529 || pe.Type != "overloaded_error" || !pe.Retryable || !pe.Billed || pe.Provider != "test" {
		t.Fatalf("err = %#v", err)
	}
	if len(deltas) != 1 || resp.Message.Content != "Par" || resp.UsageKnown || resp.Usage.Input != 12 {
		t.Errorf("partial = %+v deltas %+v", resp, deltas)
	}
}

func TestStreamTruncated(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_truncated.sse", "text/event-stream"))
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !pe.Billed || !strings.Contains(pe.Message, "truncated") {
		t.Fatalf("err = %#v", err)
	}
	// Only an intermediate message_delta (10 tokens) came: a lower bound,
	// not the call's usage.
	if len(deltas) != 2 || resp.Message.Content != "Hello!" || resp.UsageKnown || resp.Usage.Output != 10 || resp.Usage.Input != 25 {
		t.Errorf("partial = %+v", resp)
	}

	// The final message_delta came, only message_stop is missing: the
	// usage is final although the stream is cut.
	full := string(wiretest.ReadFile(t, "stream_text.sse"))
	cut := full[:strings.Index(full, "event: message_stop")]
	_, resp, err = collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, cut) })
	if !errors.As(err, &pe) || !resp.UsageKnown || resp.Usage.Output != 15 {
		t.Errorf("cut before message_stop: resp %+v err %v", resp, err)
	}
}

func TestStreamIgnoresUnknownEvents(t *testing.T) {
	full := string(wiretest.ReadFile(t, "stream_text.sse"))
	extra := "event: future_event\ndata: {\"type\": \"future_event\", \"payload\": [1,2]}\n\n: a comment\n\n"
	body := strings.Replace(full, "event: ping", extra+"event: ping", 1)
	_, resp, err := collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	if err != nil || resp.Message.Content != "Hello!" {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestStreamCallbackErrorStops(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "stream_tools.sse", "text/event-stream"))
	stop := errors.New("enough")
	var got []frugal.Delta
	resp, err := client(s).Stream(context.Background(), chatRequest(), func(d frugal.Delta) error {
		got = append(got, d)
		if d.ToolCall != nil {
			return stop
		}
		return nil
	})
	if err != stop || len(got) != 3 || len(resp.Message.ToolCalls) != 1 {
		t.Errorf("deltas %+v resp %+v err %v", got, resp, err)
	}
}

func TestStreamCancelMidStream(t *testing.T) {
	s := wiretest.NewHangingServer(t, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"+
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"first\"}}\n\n")
	resp, err := wiretest.CancelAtFirstDelta(t, func(ctx context.Context, fn func(frugal.Delta) error) (frugal.Response, error) {
		return client(s).Stream(ctx, chatRequest(), fn)
	})
	if !errors.Is(err, context.Canceled) || resp.Message.Content != "first" || resp.UsageKnown {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestTimeout(t *testing.T) {
	s := wiretest.NewHangingServer(t, "")
	_, err := client(s, func(o *anthropic.Options) { o.Timeout = 20 * time.Millisecond }).Chat(context.Background(), chatRequest())
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !strings.Contains(pe.Message, "timed out") {
		t.Errorf("err = %#v", err)
	}
}

func TestMalformedResponse(t *testing.T) {
	for name, body := range map[string]string{
		"not json":  `{"content": [`,
		"bad usage": `{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":-3,"output_tokens":1}}`,
		"bad split": `{"type":"message","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":3,"output_tokens":1,"cache_creation_input_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":2}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
			resp, err := client(s).Chat(context.Background(), chatRequest())
			if name != "not json" {
				// The answer stands; its usage is not trusted, so the caller
				// charges the call its hold.
				if err != nil || resp.Message.Content != "hi" || resp.UsageKnown {
					t.Errorf("resp %+v, err %v", resp, err)
				}
				return
			}
			var pe *frugal.ProviderError
			if !errors.As(err, &pe) || !pe.Billed || pe.Retryable || pe.Provider != "test" {
				t.Fatalf("err = %#v", err)
			}
		})
	}
}
