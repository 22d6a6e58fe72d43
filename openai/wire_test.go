package openai_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

// A client request full of members frugal does not model survives
// unmarshal → marshal, so that the gateway can forward it.
func TestRequestUnknownFieldsPassThrough(t *testing.T) {
	in := []byte(`{
	  "model": "gpt-4o",
	  "seed": 42,
	  "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
	  "parallel_tool_calls": false,
	  "metadata": {"agent": "a"},
	  "logit_bias": {"50256": -100},
	  "messages": [
	    {"role": "developer", "content": [{"type": "text", "text": "Be brief."}], "name": "ops"},
	    {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}}]},
	    {"role": "assistant", "content": null, "refusal": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}", "x_future": 1}}]},
	    {"role": "tool", "tool_call_id": "c1", "content": "sunny"}
	  ],
	  "tools": [
	    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}, "strict": true, "x_hint": "v"}},
	    {"type": "custom", "custom": {"name": "grammar", "format": {"type": "text"}}}
	  ],
	  "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"}, "strict": false, "x_extra": [1, 2]}},
	  "stream": false,
	  "stream_options": {"include_usage": true, "include_obfuscation": false},
	  "max_completion_tokens": 100,
	  "reasoning_effort": "low",
	  "weird\"key": "escaped"
	}`)
	var req openai.ChatRequest
	if err := json.Unmarshal(in, &req); err != nil {
		t.Fatal(err)
	}
	if req.Model != "gpt-4o" || len(req.Messages) != 4 || *req.MaxCompletionTokens != 100 || *req.Stream ||
		req.Messages[2].ToolCalls[0].Function.Arguments != "{}" || string(req.Extra["seed"]) != "42" {
		t.Errorf("decoded = %+v", req)
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !wiretest.SameJSON(t, in, out) {
		t.Errorf("round trip lost something:\n in: %s\nout: %s", in, out)
	}
}

func TestResponseUnknownFieldsPassThrough(t *testing.T) {
	for _, f := range []string{"response_chat.json", "response_tools.json", "response_deepseek.json", "response_openrouter.json"} {
		in := wiretest.ReadFile(t, f)
		if out := wiretest.Reencode[openai.ChatResponse](t, in); !wiretest.SameJSON(t, in, out) {
			t.Errorf("%s: round trip lost something:\n in: %s\nout: %s", f, in, out)
		}
	}
	for _, f := range []string{"stream_text.sse", "stream_tools.sse", "stream_openrouter.sse"} {
		for _, line := range strings.Split(string(wiretest.ReadFile(t, f)), "\n") {
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok || data == "[DONE]" {
				continue
			}
			if out := wiretest.Reencode[openai.ChatChunk](t, []byte(data)); !wiretest.SameJSON(t, []byte(data), out) {
				t.Errorf("%s: chunk round trip lost something:\n in: %s\nout: %s", f, data, out)
			}
		}
	}
}

func TestExtraCannotShadowModelledFields(t *testing.T) {
	req := openai.ChatRequest{Model: "m", Messages: []openai.Message{}, Extra: map[string]json.RawMessage{"model": json.RawMessage(`"evil"`), "seed": json.RawMessage(`1`)}}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"model":"m","messages":[],"seed":1}` {
		t.Errorf("out = %s", out)
	}
	req.Extra = map[string]json.RawMessage{"bad": json.RawMessage(`{`)}
	if _, err := json.Marshal(req); err == nil {
		t.Error("invalid extra JSON marshalled")
	}
}
