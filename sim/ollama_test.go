package sim_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

type olResp struct {
	Model     string `json:"model"`
	CreatedAt string `json:"created_at"`
	Message   struct {
		Role      string `json:"role"`
		Content   string `json:"content"`
		ToolCalls []struct {
			Function struct {
				Name      string          `json:"name"`
				Arguments json.RawMessage `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"message"`
	Done            bool   `json:"done"`
	DoneReason      string `json:"done_reason"`
	PromptEvalCount int64  `json:"prompt_eval_count"`
	EvalCount       int64  `json:"eval_count"`
	TotalDuration   int64  `json:"total_duration"`
}

func ndjson(t *testing.T, raw []byte) []olResp {
	t.Helper()
	var out []olResp
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		out = append(out, decode[olResp](t, sc.Bytes()))
	}
	return out
}

func TestOllamaStreamsByDefault(t *testing.T) {
	srv := start(t, sim.Options{})
	req := frugal.Request{Model: "qwen2.5-coder:7b", System: "You write Go.", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Write hello world."}}}
	body := toOllama(req)
	delete(body, "stream") // Ollama streams unless told not to
	body["keep_alive"] = "10m"
	st, hdr, raw := post(t, srv, "/api/chat", nil, body)
	if st != 200 || hdr.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d, content type %q", st, hdr.Get("Content-Type"))
	}
	lines := ndjson(t, raw)
	if len(lines) < 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var text string
	for _, l := range lines[:len(lines)-1] {
		if l.Done || l.PromptEvalCount != 0 {
			t.Fatalf("intermediate line %+v", l)
		}
		text += l.Message.Content
	}
	final := lines[len(lines)-1]
	if !final.Done || final.DoneReason != "stop" || final.TotalDuration <= 0 {
		t.Fatalf("final line %+v", final)
	}
	if want := tokenizer.CountRequest(req); final.PromptEvalCount != want {
		t.Errorf("prompt_eval_count = %d, want %d", final.PromptEvalCount, want)
	}
	if got := int64(tokenizer.Count(text)); final.EvalCount != got || !strings.Contains(text, "qwen2.5-coder:7b") {
		t.Errorf("eval_count = %d for %q (%d tokens)", final.EvalCount, text, got)
	}
	// No cache is reported, even for a repeated long prompt.
	long := toOllama(frugal.Request{Model: "qwen2.5-coder:7b", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: longText(1500)}}})
	_, _, a := post(t, srv, "/api/chat", nil, long)
	_, _, b := post(t, srv, "/api/chat", nil, long)
	if decode[olResp](t, a).PromptEvalCount != decode[olResp](t, b).PromptEvalCount || srv.Cache().Len() != 0 {
		t.Fatal("Ollama prompt counts changed or the cache was used")
	}
}

func TestOllamaToolsSchemaAndLimits(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	req := frugal.Request{Model: "qwen2.5-coder:7b", Tools: []frugal.Tool{readFileTool}, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Which package?"}}}
	_, _, raw := post(t, srv, "/api/chat", nil, toOllama(req))
	r := decode[olResp](t, raw)
	if len(r.Message.ToolCalls) != 1 || r.Message.ToolCalls[0].Function.Name != "read_file" || string(r.Message.ToolCalls[0].Function.Arguments) != `{"path":"main.go"}` {
		t.Fatalf("tool call answer %s", raw)
	}
	req.Messages = append(req.Messages,
		frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{Name: "read_file", Arguments: r.Message.ToolCalls[0].Function.Arguments}}},
		frugal.Message{Role: frugal.RoleTool, Content: "package main"})
	_, _, raw = post(t, srv, "/api/chat", nil, toOllama(req))
	if r = decode[olResp](t, raw); r.Message.Content != "main.go declares package main." {
		t.Fatalf("after the tool result: %s", raw)
	}

	plain := start(t, sim.Options{})
	_, _, raw = post(t, plain, "/api/chat", nil, toOllama(frugal.Request{Model: "llama3.2:3b", Schema: json.RawMessage(verdictSchema),
		Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "judge"}}}))
	validate(t, verdictSchema, decode[olResp](t, raw).Message.Content)

	_, _, raw = post(t, plain, "/api/chat", nil, map[string]any{"model": "llama3.2:3b", "stream": false, "options": map[string]any{"num_predict": 3},
		"messages": []any{map[string]any{"role": "user", "content": "talk"}}})
	if r = decode[olResp](t, raw); r.DoneReason != "length" || r.EvalCount != 3 {
		t.Fatalf("num_predict 3: %s", raw)
	}
	_, _, raw = post(t, plain, "/api/chat", nil, map[string]any{"model": "llama3.2:3b", "stream": false, "format": "json",
		"messages": []any{map[string]any{"role": "user", "content": "json"}}})
	if !json.Valid([]byte(decode[olResp](t, raw).Message.Content)) {
		t.Fatalf("format json: %s", raw)
	}
	// An empty chat only loads the model.
	_, _, raw = post(t, plain, "/api/chat", nil, map[string]any{"model": "llama3.2:3b", "messages": []any{}})
	if r = decode[olResp](t, raw); r.DoneReason != "load" || !r.Done {
		t.Fatalf("empty chat: %s", raw)
	}
}

func TestOllamaBadRequests(t *testing.T) {
	srv := start(t, sim.Options{})
	for _, tc := range []struct {
		body any
		want string
	}{
		{"{", "unexpected end of JSON input"},
		{map[string]any{"messages": []any{}}, "model is required"},
		{map[string]any{"model": "m", "format": "xml", "messages": []any{}}, "invalid format"},
		{map[string]any{"model": "m", "keep_alive": "soon", "messages": []any{}}, "keep_alive"},
		{map[string]any{"model": "m", "messages": []any{map[string]any{"role": "assistant", "tool_calls": []any{map[string]any{"function": map[string]any{"name": "f", "arguments": `{"a":1}`}}}}}}, "want a JSON object"},
	} {
		st, _, raw := post(t, srv, "/api/chat", nil, tc.body)
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(raw, &e); err != nil || st != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("body %v: status %d %s; want 400 {\"error\": ...%q...}", tc.body, st, raw, tc.want)
		}
	}
}

func TestModelLists(t *testing.T) {
	srv := start(t, sim.Options{})
	get := func(path string, hdr map[string]string) map[string]any {
		req, _ := newRequest("GET", srv.URL+path, hdr)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return v
	}
	if v := get("/v1/models", nil); v["object"] != "list" || len(v["data"].([]any)) == 0 {
		t.Fatalf("OpenAI list %v", v)
	}
	if v := get("/v1/models", anthropicHeaders); v["has_more"] != false || v["data"].([]any)[0].(map[string]any)["type"] != "model" {
		t.Fatalf("Anthropic list %v", v)
	}
	if v := get("/api/tags", nil); len(v["models"].([]any)) == 0 {
		t.Fatalf("Ollama tags %v", v)
	}
	if s := srv.Requests(); s.ByEndpoint["models"] != 3 || s.Requests != 3 {
		t.Fatalf("stats %+v", s)
	}
}
