package sim_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

type oaResp struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Role      string  `json:"role"`
			Content   *string `json:"content"`
			ToolCalls []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens        int64 `json:"prompt_tokens"`
		CompletionTokens    int64 `json:"completion_tokens"`
		TotalTokens         int64 `json:"total_tokens"`
		PromptTokensDetails struct {
			CachedTokens int64 `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
		CompletionTokensDetails struct {
			ReasoningTokens int64 `json:"reasoning_tokens"`
		} `json:"completion_tokens_details"`
		PromptCacheHitTokens  *int64 `json:"prompt_cache_hit_tokens"`
		PromptCacheMissTokens *int64 `json:"prompt_cache_miss_tokens"`
	} `json:"usage"`
}

type oaErr struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func chatOpenAI(t *testing.T, srv *sim.Server, body any) oaResp {
	t.Helper()
	st, _, raw := post(t, srv, "/v1/chat/completions", nil, body)
	if st != 200 {
		t.Fatalf("status %d: %s", st, raw)
	}
	return decode[oaResp](t, raw)
}

func TestOpenAIPlainChat(t *testing.T) {
	srv := start(t, sim.Options{})
	req := frugal.Request{Model: "gpt-4o-mini", System: "You are terse.", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Say hello to the ledger."}}, MaxOutput: 100}
	r := chatOpenAI(t, srv, toOpenAI(req))
	want := tokenizer.CountRequest(req)
	if r.Usage.PromptTokens != want {
		t.Errorf("prompt_tokens = %d, want CountRequest %d", r.Usage.PromptTokens, want)
	}
	text := *r.Choices[0].Message.Content
	if wantText := fmt.Sprintf("sim reply from gpt-4o-mini: read %d input tokens.", want); text != wantText {
		t.Errorf("content = %q, want %q", text, wantText)
	}
	if got := int64(tokenizer.Count(text)); r.Usage.CompletionTokens != got {
		t.Errorf("completion_tokens = %d, want %d (the answer's tokens)", r.Usage.CompletionTokens, got)
	}
	if r.Usage.TotalTokens != r.Usage.PromptTokens+r.Usage.CompletionTokens || r.Choices[0].FinishReason != "stop" || r.Object != "chat.completion" {
		t.Errorf("response = %+v", r)
	}
	if r.Usage.PromptCacheHitTokens != nil {
		t.Error("an OpenAI model reported DeepSeek's cache fields")
	}
}

const toolCassette = `
name: tool-loop
rules:
  - when: {has_tool: read_file, turn: 0}
    reply:
      text: "Let me look."
      tool_calls:
        - name: read_file
          arguments: {path: main.go}
  - when: {tool_result_contains: "package main"}
    reply: {text: "main.go declares package main."}
`

var readFileTool = frugal.Tool{Name: "read_file", Description: "Read a workspace file.",
	Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}

func TestOpenAIToolRoundTrip(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	req := frugal.Request{Model: "gpt-4.1", Tools: []frugal.Tool{readFileTool},
		Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "What package is main.go?"}}}
	r := chatOpenAI(t, srv, toOpenAI(req))
	msg := r.Choices[0].Message
	if r.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != 1 || *msg.Content != "Let me look." {
		t.Fatalf("first answer = %+v", r.Choices[0])
	}
	call := msg.ToolCalls[0]
	if call.Type != "function" || call.Function.Name != "read_file" || call.Function.Arguments != `{"path":"main.go"}` || !strings.HasPrefix(call.ID, "call_") {
		t.Fatalf("tool call = %+v", call)
	}
	wantOut := int64(tokenizer.Count("Let me look.") + tokenizer.ToolCallFraming + tokenizer.Count("read_file") + tokenizer.Count(`{"path":"main.go"}`))
	if r.Usage.CompletionTokens != wantOut {
		t.Errorf("completion_tokens = %d, want %d", r.Usage.CompletionTokens, wantOut)
	}

	// The answer without the tool result is refused, as OpenAI refuses it.
	req.Messages = append(req.Messages, frugal.Message{Role: frugal.RoleAssistant, Content: "Let me look.",
		ToolCalls: []frugal.ToolCall{{ID: call.ID, Name: "read_file", Arguments: json.RawMessage(call.Function.Arguments)}}})
	st, _, raw := post(t, srv, "/v1/chat/completions", nil, toOpenAI(req))
	e := decode[oaErr](t, raw)
	if st != 400 || !strings.Contains(e.Error.Message, "did not have response messages: "+call.ID) {
		t.Fatalf("missing tool result: %d %s", st, raw)
	}

	req.Messages = append(req.Messages, frugal.Message{Role: frugal.RoleTool, ToolCallID: call.ID, Content: "package main\n\nfunc main() {}\n"})
	r = chatOpenAI(t, srv, toOpenAI(req))
	if got := *r.Choices[0].Message.Content; got != "main.go declares package main." || r.Choices[0].FinishReason != "stop" {
		t.Fatalf("second answer = %q (%s)", got, r.Choices[0].FinishReason)
	}
	if r.Usage.PromptTokens != tokenizer.CountRequest(req) {
		t.Errorf("prompt_tokens = %d, want %d", r.Usage.PromptTokens, tokenizer.CountRequest(req))
	}
}

const verdictSchema = `{
  "type": "object",
  "properties": {
    "verdict": {"type": "string", "enum": ["pass", "fail"]},
    "score": {"type": "integer", "minimum": 1},
    "reasons": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/reason"}},
    "note": {"type": ["string", "null"]}
  },
  "required": ["verdict", "score", "reasons", "note"],
  "additionalProperties": false,
  "$defs": {"reason": {"type": "object", "properties": {"text": {"type": "string", "minLength": 2}}, "required": ["text"]}}
}`

func validate(t *testing.T, schema, doc string) {
	t.Helper()
	s, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", s); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("answer %q is not JSON: %v", doc, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("answer %s does not satisfy the schema: %v", doc, err)
	}
}

func TestOpenAIJSONSchema(t *testing.T) {
	srv := start(t, sim.Options{})
	req := frugal.Request{Model: "gpt-4o", Schema: json.RawMessage(verdictSchema), SchemaName: "verdict",
		Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Judge it."}}}
	r := chatOpenAI(t, srv, toOpenAI(req))
	validate(t, verdictSchema, *r.Choices[0].Message.Content)
	if r.Usage.PromptTokens != tokenizer.CountRequest(req) {
		t.Errorf("prompt_tokens = %d, want %d (schema counted)", r.Usage.PromptTokens, tokenizer.CountRequest(req))
	}
	// json_object mode answers an object too.
	r = chatOpenAI(t, srv, map[string]any{"model": "gpt-4o", "response_format": map[string]any{"type": "json_object"},
		"messages": []any{map[string]any{"role": "user", "content": "json please"}}})
	var obj map[string]any
	if err := json.Unmarshal([]byte(*r.Choices[0].Message.Content), &obj); err != nil || obj["model"] != "gpt-4o" {
		t.Fatalf("json_object answer %q: %v", *r.Choices[0].Message.Content, err)
	}
}

func TestOpenAIForcedToolChoice(t *testing.T) {
	srv := start(t, sim.Options{})
	body := toOpenAI(frugal.Request{Model: "gpt-4o", Tools: []frugal.Tool{readFileTool}, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "read"}}})
	body["tool_choice"] = map[string]any{"type": "function", "function": map[string]any{"name": "read_file"}}
	r := chatOpenAI(t, srv, body)
	if len(r.Choices[0].Message.ToolCalls) != 1 || r.Choices[0].Message.ToolCalls[0].Function.Arguments != `{"path":""}` {
		t.Fatalf("forced tool call = %+v", r.Choices[0].Message)
	}
}

func TestOpenAIMaxTokensAndStop(t *testing.T) {
	cas, err := sim.ParseCassette("long.yaml", []byte(`rules: [{reply: {text: "one two three four five six seven eight nine ten. END here", reasoning_tokens: 5}}]`))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	msgs := []any{map[string]any{"role": "user", "content": "count"}}
	r := chatOpenAI(t, srv, map[string]any{"model": "o4-mini", "max_completion_tokens": 8, "messages": msgs})
	if r.Choices[0].FinishReason != "length" || r.Usage.CompletionTokens != 8 || r.Usage.CompletionTokensDetails.ReasoningTokens != 5 {
		t.Fatalf("truncated answer: finish %s usage %+v", r.Choices[0].FinishReason, r.Usage)
	}
	if got := *r.Choices[0].Message.Content; got != "one two three" {
		t.Errorf("truncated content = %q", got)
	}
	r = chatOpenAI(t, srv, map[string]any{"model": "o4-mini", "stop": []string{". END"}, "messages": msgs})
	if got := *r.Choices[0].Message.Content; got != "one two three four five six seven eight nine ten" || r.Choices[0].FinishReason != "stop" {
		t.Fatalf("stop sequence: %q %s", got, r.Choices[0].FinishReason)
	}
}

func TestOpenAIStreamWithUsage(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	body := toOpenAI(frugal.Request{Model: "gpt-4.1", Tools: []frugal.Tool{readFileTool}, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "main.go?"}}})
	body["stream"] = true
	body["stream_options"] = map[string]any{"include_usage": true}
	st, hdr, raw := post(t, srv, "/v1/chat/completions", nil, body)
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", st, hdr.Get("Content-Type"))
	}
	events := parseSSE(t, raw)
	if events[len(events)-1].data != "[DONE]" {
		t.Fatalf("last event %q, want [DONE]", events[len(events)-1].data)
	}
	var content, args, name, finish string
	var usage map[string]any
	for i, ev := range events[:len(events)-1] {
		var ch map[string]any
		if err := json.Unmarshal([]byte(ev.data), &ch); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if ch["object"] != "chat.completion.chunk" {
			t.Fatalf("event %d object %v", i, ch["object"])
		}
		u, present := ch["usage"]
		if !present {
			t.Fatalf("event %d lacks usage (want null before the last chunk)", i)
		}
		choices := ch["choices"].([]any)
		if i == len(events)-2 {
			if len(choices) != 0 || u == nil {
				t.Fatalf("usage chunk = %s", ev.data)
			}
			usage = u.(map[string]any)
			continue
		}
		if u != nil || len(choices) != 1 {
			t.Fatalf("chunk %d = %s", i, ev.data)
		}
		c := choices[0].(map[string]any)
		d := c["delta"].(map[string]any)
		if s, ok := d["content"].(string); ok {
			content += s
		}
		if calls, ok := d["tool_calls"].([]any); ok {
			f := calls[0].(map[string]any)["function"].(map[string]any)
			if n, ok := f["name"].(string); ok {
				name = n
			}
			args += f["arguments"].(string)
		}
		if fr, ok := c["finish_reason"].(string); ok {
			finish = fr
		}
	}
	if content != "Let me look." || name != "read_file" || args != `{"path":"main.go"}` || finish != "tool_calls" {
		t.Fatalf("assembled content %q name %q args %q finish %q", content, name, args, finish)
	}
	if usage["prompt_tokens"].(float64) <= 0 || usage["completion_tokens"].(float64) <= 0 {
		t.Fatalf("usage = %v", usage)
	}

	// Without include_usage there is no usage chunk at all.
	delete(body, "stream_options")
	_, _, raw = post(t, srv, "/v1/chat/completions", nil, body)
	for _, ev := range parseSSE(t, raw) {
		if strings.Contains(ev.data, `"usage"`) {
			t.Fatalf("usage sent without include_usage: %s", ev.data)
		}
	}
}

func TestOpenAIAutomaticCache(t *testing.T) {
	clk := newClock()
	srv := start(t, sim.Options{Now: clk.Now})
	long := longText(1500)
	ask := func(user, key string) oaResp {
		body := map[string]any{"model": "gpt-4o", "messages": []any{
			map[string]any{"role": "system", "content": long},
			map[string]any{"role": "user", "content": user}}}
		if key != "" {
			body["prompt_cache_key"] = key
		}
		return chatOpenAI(t, srv, body)
	}
	r1 := ask("first question", "")
	if r1.Usage.PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("cold call read %d cached tokens", r1.Usage.PromptTokensDetails.CachedTokens)
	}
	p := r1.Usage.PromptTokens
	r2 := ask("first question", "")
	if want := 1024 + (p-1024)/128*128; r2.Usage.PromptTokensDetails.CachedTokens != want {
		t.Fatalf("identical prompt of %d tokens: cached %d, want %d", p, r2.Usage.PromptTokensDetails.CachedTokens, want)
	}
	// A different last message still reuses the shared prefix, in 128-token steps.
	r3 := ask("a different and somewhat longer second question", "")
	prefix := p - int64(tokenizer.Count("first question")) - tokenizer.ReplyPriming // all but the last text and the reply priming
	got := r3.Usage.PromptTokensDetails.CachedTokens
	if got%128 != 0 || got > prefix || got < prefix-128-3 {
		t.Fatalf("shared prefix of about %d tokens: cached %d", prefix, got)
	}
	// Another prompt_cache_key routes elsewhere: a miss.
	if r := ask("first question", "tenant-b"); r.Usage.PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("other cache key read %d cached tokens", r.Usage.PromptTokensDetails.CachedTokens)
	}
	// After the TTL without use, the entry is gone.
	clk.Advance(5*time.Minute + time.Second)
	if r := ask("first question", ""); r.Usage.PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("after 5 minutes idle: cached %d, want 0", r.Usage.PromptTokensDetails.CachedTokens)
	}
	// A short prompt is never cached.
	short := map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": "hi"}}}
	chatOpenAI(t, srv, short)
	if r := chatOpenAI(t, srv, short); r.Usage.PromptTokensDetails.CachedTokens != 0 {
		t.Fatal("a prompt under 1024 tokens was cached")
	}
}

func TestOpenAICacheTTLJitterIsSeeded(t *testing.T) {
	ttls := func(seed uint64) []time.Duration {
		clk := newClock()
		srv := start(t, sim.Options{Now: clk.Now, Seed: seed, AutoCache: map[string]sim.AutoCache{
			"*": {MinTokens: 1024, Increment: 128, TTL: 5 * time.Minute, TTLMax: 10 * time.Minute}}})
		var out []time.Duration
		for i := range 3 {
			chatOpenAI(t, srv, map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": fmt.Sprint(i) + longText(1100)}}})
		}
		for _, e := range srv.Cache().Entries() {
			if e.TTL < 5*time.Minute || e.TTL > 10*time.Minute {
				t.Fatalf("TTL %v outside 5–10 minutes", e.TTL)
			}
			out = append(out, e.TTL)
		}
		slices.Sort(out)
		return out
	}
	a, b := ttls(7), ttls(7)
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
		t.Fatalf("same seed, different lifetimes: %v vs %v", a, b)
	}
}

func TestDeepSeekUsage(t *testing.T) {
	srv := start(t, sim.Options{})
	body := map[string]any{"model": "deepseek-chat", "messages": []any{map[string]any{"role": "user", "content": longText(300)}}}
	r1 := chatOpenAI(t, srv, body)
	if r1.Usage.PromptCacheHitTokens == nil || *r1.Usage.PromptCacheHitTokens != 0 || *r1.Usage.PromptCacheMissTokens != r1.Usage.PromptTokens {
		t.Fatalf("cold DeepSeek usage = %+v", r1.Usage)
	}
	r2 := chatOpenAI(t, srv, body)
	hit, miss := *r2.Usage.PromptCacheHitTokens, *r2.Usage.PromptCacheMissTokens
	if hit == 0 || hit%64 != 0 || hit+miss != r2.Usage.PromptTokens || miss >= 64 {
		t.Fatalf("warm DeepSeek usage: hit %d miss %d prompt %d", hit, miss, r2.Usage.PromptTokens)
	}
	if r2.Usage.PromptTokensDetails.CachedTokens != hit {
		t.Errorf("cached_tokens %d != hit %d", r2.Usage.PromptTokensDetails.CachedTokens, hit)
	}
}

func TestOpenAIBadRequests(t *testing.T) {
	srv := start(t, sim.Options{})
	user := []any{map[string]any{"role": "user", "content": "hi"}}
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"not json", `{"model":`, "could not parse the JSON body"},
		{"unknown field", map[string]any{"model": "m", "messages": user, "max_token": 5}, "Unrecognized request argument supplied: max_token"},
		{"no model", map[string]any{"messages": user}, "you must provide a model parameter"},
		{"no messages", map[string]any{"model": "m", "messages": []any{}}, "empty array"},
		{"stream_options alone", map[string]any{"model": "m", "messages": user, "stream_options": map[string]any{"include_usage": true}}, "only allowed when 'stream' is enabled"},
		{"bad role", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "robot", "content": "x"}}}, "Invalid value: 'robot'"},
		{"orphan tool result", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "tool", "tool_call_id": "x", "content": "r"}}}, "must be a response to a preceeding message with 'tool_calls'"},
		{"zero max tokens", map[string]any{"model": "m", "messages": user, "max_tokens": 0}, "Expected a value >= 1"},
		{"bad tool name", map[string]any{"model": "m", "messages": user, "tools": []any{map[string]any{"type": "function", "function": map[string]any{"name": "read file"}}}}, "does not match pattern"},
		{"tool_choice without tools", map[string]any{"model": "m", "messages": user, "tool_choice": "required"}, "only allowed when 'tools' are specified"},
		{"schema without name", map[string]any{"model": "m", "messages": user, "response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"schema": map[string]any{}}}}, "json_schema.name"},
		{"content of wrong type", map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": 42}}}, "expected one of a string or array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, raw := post(t, srv, "/v1/chat/completions", nil, tc.body)
			e := decode[oaErr](t, raw)
			if st != 400 || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, tc.want) {
				t.Fatalf("status %d body %s; want 400 invalid_request_error containing %q", st, raw, tc.want)
			}
		})
	}
}

func TestUnknownModelWhenModelsListed(t *testing.T) {
	srv := start(t, sim.Options{Models: []string{"gpt-4o-mini", "claude-haiku-4-5", "qwen2.5-coder:7b"}})
	st, _, raw := post(t, srv, "/v1/chat/completions", nil, map[string]any{"model": "gpt-9", "messages": []any{map[string]any{"role": "user", "content": "x"}}})
	if e := decode[oaErr](t, raw); st != 404 || *e.Error.Code != "model_not_found" || !strings.Contains(e.Error.Message, "`gpt-9` does not exist") {
		t.Fatalf("openai unknown model: %d %s", st, raw)
	}
	st, _, raw = post(t, srv, "/v1/messages", anthropicHeaders, map[string]any{"model": "claude-9", "max_tokens": 5, "messages": []any{map[string]any{"role": "user", "content": "x"}}})
	if st != 404 || !strings.Contains(string(raw), `"not_found_error"`) {
		t.Fatalf("anthropic unknown model: %d %s", st, raw)
	}
	st, _, raw = post(t, srv, "/api/chat", nil, map[string]any{"model": "llama9", "messages": []any{map[string]any{"role": "user", "content": "x"}}})
	if st != 404 || !strings.Contains(string(raw), `not found, try pulling it first`) {
		t.Fatalf("ollama unknown model: %d %s", st, raw)
	}
}
