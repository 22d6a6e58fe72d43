package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

var weatherTool = frugal.Tool{
	Name:        "get_weather",
	Description: "Current weather of a city.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

func chatRequest() frugal.Request {
	return frugal.Request{
		Model:     "gpt-4.1",
		System:    "You are terse.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "Say hello."}},
		MaxOutput: 256,
	}
}

func toolsRequest() frugal.Request {
	temp := 0.2
	return frugal.Request{
		Model:  "gpt-4.1",
		System: "You check the weather.",
		Messages: []frugal.Message{
			{Role: frugal.RoleUser, Content: "Weather in Paris and the files here?"},
			{Role: frugal.RoleAssistant, Content: "Checking.", ToolCalls: []frugal.ToolCall{
				{ID: "call_1", Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)},
				{ID: "call_2", Name: "list_files"},
			}},
			{Role: frugal.RoleTool, ToolCallID: "call_1", Content: `{"temp_c":21}`},
			{Role: frugal.RoleTool, ToolCallID: "call_2", Content: "permission denied", IsError: true},
			{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "call_3", Name: "get_weather", Arguments: json.RawMessage(`{"city":"Lyon"}`)}}},
			{Role: frugal.RoleTool, ToolCallID: "call_3", Content: `{"temp_c":19}`},
		},
		Tools:       []frugal.Tool{weatherTool, {Name: "list_files", Description: "List the workspace."}},
		MaxOutput:   1000,
		Temperature: &temp,
		CacheKey:    "agent-7/worker",
	}
}

var answerSchema = json.RawMessage(`{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"],"additionalProperties":false}`)

func schemaRequest() frugal.Request {
	r := chatRequest()
	r.Messages[0].Content = "6 times 7?"
	r.Schema = answerSchema
	r.SchemaName = "the answer"
	return r
}

// TestRequestGolden pins the exact bodies sent for each kind of request,
// through a real HTTP round trip.
func TestRequestGolden(t *testing.T) {
	openaiQ, _ := openai.PresetByName("openai")
	deepseekQ, _ := openai.PresetByName("deepseek")
	openrouterQ, _ := openai.PresetByName("openrouter")
	reasoning := chatRequest()
	reasoning.Model = "o3-mini"
	reasoning.Temperature = ptr(0.7)
	openrouterReq := chatRequest()
	openrouterReq.Model = "openai/gpt-5-mini"
	for _, tc := range []struct {
		name   string
		q      openai.Quirks
		req    frugal.Request
		stream bool
	}{
		{"request_chat.json", openaiQ.Quirks, chatRequest(), false},
		{"request_tools.json", openaiQ.Quirks, toolsRequest(), false},
		{"request_schema.json", openaiQ.Quirks, schemaRequest(), false},
		{"request_deepseek_schema.json", deepseekQ.Quirks, schemaRequest(), false},
		{"request_reasoning_auto.json", openai.Quirks{}, reasoning, false},
		{"request_plain_auto.json", openai.Quirks{}, func() frugal.Request { r := chatRequest(); r.Temperature = ptr(0.7); return r }(), false},
		{"request_openrouter_stream.json", openrouterQ.Quirks, openrouterReq, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, ctype := "response_chat.json", "application/json"
			if tc.stream {
				file, ctype = "stream_text.sse", "text/event-stream"
			}
			s := wiretest.NewServer(t, wiretest.ServeFile(t, file, ctype))
			c := client(s, tc.q)
			if _, err := wiretest.Call(c, tc.req, tc.stream); err != nil {
				t.Fatal(err)
			}
			got := s.Last(t)
			if got.Path != "/v1/chat/completions" {
				t.Errorf("path = %q", got.Path)
			}
			wiretest.Golden(t, tc.name, got.Body)
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	c := openai.New(openai.Options{BaseURL: s.URL + "/v1/", APIKey: frugal.NewSecret(testKey),
		Headers: map[string]string{"HTTP-Referer": "https://frugal.dev", "X-Title": "frugal"}})
	if _, err := c.Chat(context.Background(), chatRequest()); err != nil {
		t.Fatal(err)
	}
	h := s.Last(t).Header
	for k, want := range map[string]string{
		"Authorization": "Bearer " + testKey, "Content-Type": "application/json",
		"Accept": "application/json", "Http-Referer": "https://frugal.dev", "X-Title": "frugal",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	// A local server without a key: no Authorization header at all.
	p, _ := openai.PresetByName("ollama-openai")
	opts := p.Options(frugal.Secret{})
	opts.BaseURL = s.URL + "/v1"
	if _, err := openai.New(opts).Chat(context.Background(), chatRequest()); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Last(t).Header["Authorization"]; ok {
		t.Errorf("local server got Authorization %q", v)
	}
}

func TestRequestInvalid(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_chat.json", "application/json"))
	c := client(s, openai.Quirks{})
	bad := func(mut func(*frugal.Request)) frugal.Request { r := chatRequest(); mut(&r); return r }
	for name, req := range map[string]frugal.Request{
		"no model":      bad(func(r *frugal.Request) { r.Model = "" }),
		"no max output": bad(func(r *frugal.Request) { r.MaxOutput = 0 }),
		"bad role":      bad(func(r *frugal.Request) { r.Messages[0].Role = "system" }),
		"bad schema":    bad(func(r *frugal.Request) { r.Schema = json.RawMessage(`{`) }),
		"bad arguments": bad(func(r *frugal.Request) {
			r.Messages = append(r.Messages, frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "x", Name: "f", Arguments: json.RawMessage(`{oops`)}}})
		}),
	} {
		_, err := c.Chat(context.Background(), req)
		if frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d invalid requests reached the server", n)
	}
}

func TestPresets(t *testing.T) {
	want := []string{"openai", "deepseek", "openrouter", "groq", "together", "vllm", "llamacpp", "lmstudio", "ollama-openai"}
	ps := openai.Presets()
	if len(ps) != len(want) {
		t.Fatalf("%d presets, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		if p.Name != want[i] || !strings.HasPrefix(p.BaseURL, "http") {
			t.Errorf("preset %d = %+v", i, p)
		}
		if (p.KeyEnv == "") && !p.Quirks.KeyOptional {
			t.Errorf("%s: no key variable and the key is not optional", p.Name)
		}
	}
	p, ok := openai.PresetByName("ollama-openai")
	if !ok || p.BaseURL != "http://localhost:11434/v1" || p.KeyEnv != "" {
		t.Errorf("ollama-openai = %+v", p)
	}
	if _, ok := openai.PresetByName("nope"); ok {
		t.Error("unknown preset found")
	}
}
