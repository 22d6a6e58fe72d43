package ollama_test

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
	"github.com/frugal-dev/frugal/ollama"
)

var weatherTool = frugal.Tool{
	Name:        "get_weather",
	Description: "Current weather of a city.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

func chatRequest() frugal.Request {
	return frugal.Request{
		Model:     "llama3.2",
		System:    "You are terse.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "Say hello."}},
		MaxOutput: 256,
	}
}

func toolsRequest() frugal.Request {
	r := chatRequest()
	r.Messages = []frugal.Message{
		{Role: frugal.RoleUser, Content: "Weather in Paris and the files here?"},
		{Role: frugal.RoleAssistant, Content: "Checking.", ToolCalls: []frugal.ToolCall{
			{ID: "call_1", Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)},
			{ID: "call_2", Name: "list_files"},
		}},
		{Role: frugal.RoleTool, ToolCallID: "call_1", Content: `{"temp_c":21}`},
		{Role: frugal.RoleTool, ToolCallID: "call_2", Content: "permission denied", IsError: true},
	}
	r.Tools = []frugal.Tool{weatherTool, {Name: "list_files", Description: "List the workspace."}}
	r.Temperature = ptr(0.2)
	return r
}

func TestRequestGolden(t *testing.T) {
	schema := chatRequest()
	schema.Schema = json.RawMessage(`{"type":"object","properties":{"age":{"type":"integer"},"available":{"type":"boolean"}},"required":["age","available"]}`)
	for _, tc := range []struct {
		name   string
		req    frugal.Request
		opts   func(*ollama.Options)
		stream bool
	}{
		{"request_chat.json", chatRequest(), nil, false},
		{"request_tools_stream.json", toolsRequest(), func(o *ollama.Options) { o.KeepAlive = 30 * time.Minute; o.NumCtx = 16384 }, true},
		{"request_schema.json", schema, func(o *ollama.Options) { o.KeepAlive = -1 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, ctype := "response_chat.json", "application/json"
			if tc.stream {
				file, ctype = "stream_text.ndjson", "application/x-ndjson"
			}
			s := wiretest.NewServer(t, wiretest.ServeFile(t, file, ctype))
			var mut []func(*ollama.Options)
			if tc.opts != nil {
				mut = append(mut, tc.opts)
			}
			c := client(s, mut...)
			if _, err := wiretest.Call(c, tc.req, tc.stream); err != nil {
				t.Fatal(err)
			}
			got := s.Last(t)
			if got.Path != "/api/chat" {
				t.Errorf("path = %q", got.Path)
			}
			if _, ok := got.Header["Authorization"]; ok {
				t.Error("Authorization sent without a key")
			}
			wiretest.Golden(t, tc.name, got.Body)
		})
	}
}

func TestAPIKeyIsBearer(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	if _, err := client(s, func(o *ollama.Options) { o.APIKey = frugal.NewSecret(testKey) }).Chat(context.Background(), chatRequest()); err != nil {
		t.Fatal(err)
	}
	if got := s.Last(t).Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
}

func TestRequestInvalid(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	bad := func(mut func(*frugal.Request)) frugal.Request { r := chatRequest(); mut(&r); return r }
	for name, req := range map[string]frugal.Request{
		"no model":      bad(func(r *frugal.Request) { r.Model = "" }),
		"no max output": bad(func(r *frugal.Request) { r.MaxOutput = 0 }),
		"bad role":      bad(func(r *frugal.Request) { r.Messages[0].Role = "system" }),
		"bad schema":    bad(func(r *frugal.Request) { r.Schema = json.RawMessage(`{"a"`) }),
		"string arguments": bad(func(r *frugal.Request) {
			r.Messages = append(r.Messages, frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "x", Name: "f", Arguments: json.RawMessage(`"x"`)}}})
		}),
	} {
		if _, err := client(s).Chat(context.Background(), req); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

func TestChatParsesResponses(t *testing.T) {
	tools := toolsRequest()
	for _, tc := range []struct {
		file string
		req  frugal.Request
		want frugal.Response
	}{
		{"response_chat.json", chatRequest(), frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, Content: "Hello! How are you today?"},
			Usage:   frugal.Usage{Input: 26, Output: 298}, UsageKnown: true, StopReason: frugal.StopEnd, Model: "llama3.2",
		}},
		{"response_schema.json", chatRequest(), frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, Content: `{"age": 22, "available": false}`},
			Usage:   frugal.Usage{Input: 34, Output: 12}, UsageKnown: true, StopReason: frugal.StopMaxTokens, Model: "llama3.1",
		}},
		{"response_tools.json", tools, frugal.Response{
			Message: frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{
				{Name: "get_current_weather", Arguments: json.RawMessage(`{
            "format": "celsius",
            "location": "Paris, FR"
          }`)},
				{Name: "get_time", Arguments: json.RawMessage(`{}`)},
			}},
			Usage: frugal.Usage{Input: 122, Output: 33}, UsageKnown: true, StopReason: frugal.StopToolUse, Model: "llama3.2",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := wiretest.NewServer(t, wiretest.ServeFile(t, tc.file, "application/json"))
			got, err := client(s).Chat(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got.Message.ToolCalls {
				if !strings.HasPrefix(got.Message.ToolCalls[i].ID, "call_") {
					t.Errorf("tool call %d has no synthesised ID: %q", i, got.Message.ToolCalls[i].ID)
				}
				got.Message.ToolCalls[i].ID = "" // compared apart below
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Synthesised tool-call IDs are stable for one answer, distinct within it
// and across turns.
func TestToolCallIDs(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_tools.json", "application/json"))
	ids := func(req frugal.Request) []string {
		resp, err := client(s).Chat(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tc := range resp.Message.ToolCalls {
			out = append(out, tc.ID)
		}
		return out
	}
	a, b := ids(toolsRequest()), ids(toolsRequest())
	if len(a) != 2 || !reflect.DeepEqual(a, b) || a[0] == a[1] {
		t.Errorf("ids %v then %v", a, b)
	}
	later := toolsRequest()
	later.Messages = append(later.Messages, frugal.Message{Role: frugal.RoleUser, Content: "again"})
	if c := ids(later); c[0] == a[0] {
		t.Errorf("same ID %s in two turns", c[0])
	}
}

func collect(t *testing.T, h http.HandlerFunc) ([]frugal.Delta, frugal.Response, error) {
	t.Helper()
	return wiretest.Collect(client(wiretest.NewServer(t, h)), toolsRequest())
}

func TestStreamText(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_text.ndjson", "application/x-ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deltas, []frugal.Delta{{Text: "The"}, {Text: " sky"}, {Text: " is blue."}}) {
		t.Errorf("deltas = %+v", deltas)
	}
	want := frugal.Response{Message: frugal.Message{Role: frugal.RoleAssistant, Content: "The sky is blue."},
		Usage: frugal.Usage{Input: 26, Output: 282}, UsageKnown: true, StopReason: frugal.StopEnd, Model: "llama3.2"}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("got  %+v\nwant %+v", resp, want)
	}
}

func TestStreamToolCallsMatchNonStreamingIDs(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_tools.ndjson", "application/x-ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if len(deltas) != 2 || deltas[1].ToolCall == nil || deltas[1].ToolCall.Name != "get_current_weather" ||
		string(deltas[1].ToolCall.Arguments) != `{"format":"celsius","location":"Toronto"}` {
		t.Fatalf("deltas = %+v", deltas)
	}
	if resp.StopReason != frugal.StopToolUse || resp.Usage != (frugal.Usage{Input: 212, Output: 40}) || len(resp.Message.ToolCalls) != 1 {
		t.Errorf("resp = %+v", resp)
	}
	// The same call answered without streaming gets the same ID.
	whole := `{"model":"qwen3","message":{"role":"assistant","content":"Let me check.","tool_calls":[{"function":{"name":"get_current_weather","arguments":{"format": "celsius", "location": "Toronto"}}}]},"done":true,"done_reason":"stop"}`
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, whole) })
	got, err := client(s).Chat(context.Background(), toolsRequest())
	if err != nil {
		t.Fatal(err)
	}
	if got.Message.ToolCalls[0].ID != deltas[1].ToolCall.ID {
		t.Errorf("IDs differ: %s streamed, %s whole", deltas[1].ToolCall.ID, got.Message.ToolCalls[0].ID)
	}
}

func TestStreamErrorLine(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_error.ndjson", "application/x-ndjson"))
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Billed || !pe.Retryable || !strings.Contains(pe.Message, "unexpected EOF") || pe.Provider != "test" {
		t.Fatalf("err = %#v", err)
	}
	if len(deltas) != 1 || resp.Message.Content != "The" || resp.UsageKnown {
		t.Errorf("partial = %+v", resp)
	}
}

func TestStreamTruncated(t *testing.T) {
	deltas, resp, err := collect(t, wiretest.ServeFile(t, "stream_truncated.ndjson", "application/x-ndjson"))
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Billed || !pe.Retryable || !strings.Contains(pe.Message, "truncated") {
		t.Fatalf("err = %#v", err)
	}
	if len(deltas) != 2 || resp.Message.Content != "The sky" || resp.UsageKnown {
		t.Errorf("partial = %+v", resp)
	}
	// Cut at a line boundary.
	lines := strings.SplitAfter(string(wiretest.ReadFile(t, "stream_text.ndjson")), "\n")
	_, resp, err = collect(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, strings.Join(lines[:3], "")) })
	if !errors.As(err, &pe) || !strings.Contains(pe.Message, "truncated") || resp.Message.Content != "The sky is blue." {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestStreamCallbackErrorStops(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "stream_text.ndjson", "application/x-ndjson"))
	stop := errors.New("enough")
	n := 0
	resp, err := client(s).Stream(context.Background(), chatRequest(), func(frugal.Delta) error { n++; return stop })
	if err != stop || n != 1 || resp.Message.Content != "The" {
		t.Errorf("n %d resp %+v err %v", n, resp, err)
	}
}

func TestStreamCancelMidStream(t *testing.T) {
	s := wiretest.NewHangingServer(t, `{"model":"m","message":{"role":"assistant","content":"first"},"done":false}`+"\n")
	resp, err := wiretest.CancelAtFirstDelta(t, func(ctx context.Context, fn func(frugal.Delta) error) (frugal.Response, error) {
		return client(s).Stream(ctx, chatRequest(), fn)
	})
	if !errors.Is(err, context.Canceled) || resp.Message.Content != "first" {
		t.Errorf("resp %+v err %v", resp, err)
	}
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		status    int
		body      string
		msg       string
		retryable bool
	}{
		{404, `{"error":"model \"llama9\" not found, try pulling it first"}`, `model "llama9" not found, try pulling it first`, false},
		{400, `{"error":"invalid format: expected \"json\" or a JSON schema"}`, `invalid format: expected "json" or a JSON schema`, false},
		{500, `{"error":"llama runner process has terminated: signal: killed"}`, "llama runner process has terminated: signal: killed", true},
		{503, `{"error":{"message":"server busy"}}`, "server busy", true},
		{502, `upstream down`, "upstream down", true},
	} {
		s := wiretest.NewServer(t, wiretest.Reply(tc.status, map[string]string{"Retry-After": "3"}, tc.body))
		_, err := client(s).Chat(context.Background(), chatRequest())
		var pe *frugal.ProviderError
		if !errors.As(err, &pe) {
			t.Fatalf("%d: err = %v", tc.status, err)
		}
		want := frugal.ProviderError{Provider: "test", Status: tc.status, Message: tc.msg, Retryable: tc.retryable, RetryAfter: 3 * time.Second}
		if *pe != want {
			t.Errorf("got %#v\nwant %#v", *pe, want)
		}
	}
}

func TestTimeout(t *testing.T) {
	s := wiretest.NewHangingServer(t, "")
	_, err := client(s, func(o *ollama.Options) { o.Timeout = 20 * time.Millisecond }).Chat(context.Background(), chatRequest())
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !strings.Contains(pe.Message, "timed out") {
		t.Errorf("err = %#v", err)
	}
}

func TestMalformedResponse(t *testing.T) {
	for name, body := range map[string]string{
		"not json": `{"model": "x", "message": {`,
		"not done": `{"model":"x","message":{"role":"assistant","content":"hi"},"done":false}`,
		"negative": `{"model":"x","message":{"role":"assistant","content":"hi"},"done":true,"prompt_eval_count":-4}`,
	} {
		s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
		resp, err := client(s).Chat(context.Background(), chatRequest())
		if name == "negative" {
			// The answer stands; its counts are not trusted, so the caller
			// charges the call its hold.
			if err != nil || resp.Message.Content != "hi" || resp.UsageKnown {
				t.Errorf("%s: resp %+v, err %v", name, resp, err)
			}
			continue
		}
		var pe *frugal.ProviderError
		if !errors.As(err, &pe) || !pe.Billed || pe.Retryable {
			t.Errorf("%s: err = %#v", name, err)
		}
		if name != "not json" && (resp.Message.Content != "hi" || resp.UsageKnown) {
			t.Errorf("%s: partial = %+v", name, resp)
		}
	}
}

func TestUnknownFieldsPassThrough(t *testing.T) {
	in := []byte(`{"model":"llama3.2","messages":[{"role":"user","content":"hi","images":["AAAA"]},{"role":"assistant","content":"","thinking":"hmm","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},{"role":"tool","content":"ok","tool_name":"f"}],
	  "think":true,"format":"json","options":{"num_predict":10,"seed":42,"top_k":20,"temperature":0},"stream":false,"keep_alive":300,
	  "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"},"x":1}}]}`)
	var req ollama.ChatRequest
	if err := json.Unmarshal(in, &req); err != nil {
		t.Fatal(err)
	}
	if *req.Options.NumPredict != 10 || *req.Options.Temperature != 0 || string(req.KeepAlive) != "300" || *req.Stream {
		t.Errorf("decoded %+v", req)
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !wiretest.SameJSON(t, in, out) {
		t.Errorf("round trip lost something:\n in: %s\nout: %s", in, out)
	}
	var docs []string
	for _, f := range []string{"response_chat.json", "response_tools.json", "response_schema.json"} {
		docs = append(docs, string(wiretest.ReadFile(t, f)))
	}
	for _, f := range []string{"stream_text.ndjson", "stream_tools.ndjson", "stream_error.ndjson"} {
		docs = append(docs, strings.Split(strings.TrimSpace(string(wiretest.ReadFile(t, f))), "\n")...)
	}
	for _, doc := range docs {
		if out := wiretest.Reencode[ollama.ChatResponse](t, []byte(doc)); !wiretest.SameJSON(t, []byte(doc), out) {
			t.Errorf("round trip lost something:\n in: %s\nout: %s", doc, out)
		}
	}
}
