package sim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

type anUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	CacheCreation            struct {
		Ephemeral5m int64 `json:"ephemeral_5m_input_tokens"`
		Ephemeral1h int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
	OutputTokens int64 `json:"output_tokens"`
}

type anResp struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Role    string `json:"role"`
	Content []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	StopReason   string  `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
	Usage        anUsage `json:"usage"`
}

type anErr struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

func chatAnthropic(t *testing.T, srv *sim.Server, body any) anResp {
	t.Helper()
	st, _, raw := post(t, srv, "/v1/messages", anthropicHeaders, body)
	if st != 200 {
		t.Fatalf("status %d: %s", st, raw)
	}
	return decode[anResp](t, raw)
}

func TestAnthropicPlainChat(t *testing.T) {
	srv := start(t, sim.Options{})
	req := frugal.Request{Model: "claude-sonnet-4-5", System: "Be brief.", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Hello there"}}, MaxOutput: 200}
	r := chatAnthropic(t, srv, toAnthropic(req))
	if want := tokenizer.CountRequest(req); r.Usage.InputTokens != want {
		t.Errorf("input_tokens = %d, want %d", r.Usage.InputTokens, want)
	}
	if r.Type != "message" || r.Role != "assistant" || r.StopReason != "end_turn" || len(r.Content) != 1 || r.Content[0].Type != "text" {
		t.Fatalf("response = %+v", r)
	}
	if got := int64(tokenizer.Count(r.Content[0].Text)); r.Usage.OutputTokens != got {
		t.Errorf("output_tokens = %d, want %d", r.Usage.OutputTokens, got)
	}
	if r.Usage.CacheCreationInputTokens != 0 || r.Usage.CacheReadInputTokens != 0 {
		t.Errorf("cache used without breakpoints: %+v", r.Usage)
	}
	// System as blocks counts the same as the string.
	body := toAnthropic(req)
	body["system"] = []any{map[string]any{"type": "text", "text": "Be brief."}}
	if r2 := chatAnthropic(t, srv, body); r2.Usage.InputTokens != r.Usage.InputTokens {
		t.Errorf("system blocks: %d tokens, string: %d", r2.Usage.InputTokens, r.Usage.InputTokens)
	}
}

func TestAnthropicBadRequests(t *testing.T) {
	srv := start(t, sim.Options{})
	user := []any{map[string]any{"role": "user", "content": "hi"}}
	long := longText(1200)
	cc := map[string]any{"type": "ephemeral"}
	block := func(text string, c any) map[string]any {
		b := map[string]any{"type": "text", "text": text}
		if c != nil {
			b["cache_control"] = c
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		body    any
		want    string
	}{
		{"no version header", map[string]string{}, map[string]any{"model": "m", "max_tokens": 5, "messages": user}, "anthropic-version: header is required"},
		{"no max_tokens", nil, map[string]any{"model": "m", "messages": user}, "max_tokens: Field required"},
		{"zero max_tokens", nil, map[string]any{"model": "m", "max_tokens": 0, "messages": user}, "greater than or equal to 1"},
		{"no model", nil, map[string]any{"max_tokens": 5, "messages": user}, "model: Field required"},
		{"extra field", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": user, "maxtokens": 5}, "maxtokens: Extra inputs are not permitted"},
		{"empty content", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": []any{map[string]any{"role": "user", "content": ""}}}, "must have non-empty content"},
		{"bad role", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": []any{map[string]any{"role": "system", "content": "x"}}}, "Input should be 'user' or 'assistant'"},
		{"five breakpoints", nil, map[string]any{"model": "m", "max_tokens": 5, "system": []any{block("a", cc), block("b", cc), block("c", cc)},
			"messages": []any{map[string]any{"role": "user", "content": []any{block("d", cc), block("e", cc)}}}}, "A maximum of 4 blocks with cache_control may be provided. Found 5."},
		{"1h after 5m", nil, map[string]any{"model": "m", "max_tokens": 5, "system": []any{block(long, cc)},
			"messages": []any{map[string]any{"role": "user", "content": []any{block("q", map[string]any{"type": "ephemeral", "ttl": "1h"})}}}}, "must not come after a ttl='5m'"},
		{"bad ttl", nil, map[string]any{"model": "m", "max_tokens": 5, "system": []any{block("s", map[string]any{"type": "ephemeral", "ttl": "2h"})}, "messages": user}, "Input should be '5m' or '1h'"},
		{"cache on empty text", nil, map[string]any{"model": "m", "max_tokens": 5, "system": []any{block("", cc)}, "messages": user}, "cannot be set for empty text blocks"},
		{"tool_use without result", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": []any{
			map[string]any{"role": "user", "content": "go"},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "tool_use", "id": "toolu_1", "name": "f", "input": map[string]any{}}}},
			map[string]any{"role": "user", "content": "and?"}}}, "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"},
		{"stray tool_result", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": []any{
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"}}}}}, "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"},
		{"tool without schema", nil, map[string]any{"model": "m", "max_tokens": 5, "messages": user, "tools": []any{map[string]any{"name": "f"}}}, "input_schema: Field required"},
		{"not json", nil, "{", "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.headers
			if hdr == nil {
				hdr = anthropicHeaders
			}
			st, _, raw := post(t, srv, "/v1/messages", hdr, tc.body)
			e := decode[anErr](t, raw)
			if st != 400 || e.Type != "error" || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, tc.want) {
				t.Fatalf("status %d body %s; want 400 invalid_request_error containing %q", st, raw, tc.want)
			}
		})
	}
}

func TestAnthropicToolRoundTripAndSchema(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	req := frugal.Request{Model: "claude-sonnet-4-5", Tools: []frugal.Tool{readFileTool}, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Which package?"}}}
	r := chatAnthropic(t, srv, toAnthropic(req))
	if r.StopReason != "tool_use" || len(r.Content) != 2 || r.Content[1].Type != "tool_use" || r.Content[1].Name != "read_file" ||
		string(r.Content[1].Input) != `{"path":"main.go"}` || !strings.HasPrefix(r.Content[1].ID, "toolu_") {
		t.Fatalf("tool answer = %+v", r)
	}
	req.Messages = append(req.Messages,
		frugal.Message{Role: frugal.RoleAssistant, Content: r.Content[0].Text, ToolCalls: []frugal.ToolCall{{ID: r.Content[1].ID, Name: "read_file", Arguments: r.Content[1].Input}}},
		frugal.Message{Role: frugal.RoleTool, ToolCallID: r.Content[1].ID, Content: "package main"})
	r = chatAnthropic(t, srv, toAnthropic(req))
	if r.StopReason != "end_turn" || r.Content[0].Text != "main.go declares package main." {
		t.Fatalf("after the tool result: %+v", r)
	}
	if r.Usage.InputTokens > tokenizer.CountRequest(req) {
		t.Errorf("input_tokens %d above CountRequest %d", r.Usage.InputTokens, tokenizer.CountRequest(req))
	}

	// Structured output through output_config.format.
	plain := start(t, sim.Options{})
	sreq := frugal.Request{Model: "claude-haiku-4-5", Schema: json.RawMessage(verdictSchema), Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Judge."}}}
	r = chatAnthropic(t, plain, toAnthropic(sreq))
	validate(t, verdictSchema, r.Content[0].Text)
}

// anStream reads an Anthropic SSE body into its events, checking that
// each event's name matches its payload type.
func anStream(t *testing.T, raw []byte) ([]string, []map[string]any) {
	t.Helper()
	var names []string
	var payloads []map[string]any
	for _, ev := range parseSSE(t, raw) {
		var p map[string]any
		if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
			t.Fatalf("event %s: %v", ev.name, err)
		}
		if p["type"] != ev.name {
			t.Fatalf("event %q carries type %v", ev.name, p["type"])
		}
		names = append(names, ev.name)
		payloads = append(payloads, p)
	}
	return names, payloads
}

func TestAnthropicStreamEvents(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	body := toAnthropic(frugal.Request{Model: "claude-sonnet-4-5", Tools: []frugal.Tool{readFileTool}, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Which package?"}}})
	body["stream"] = true
	st, _, raw := post(t, srv, "/v1/messages", anthropicHeaders, body)
	if st != 200 {
		t.Fatalf("status %d: %s", st, raw)
	}
	names, payloads := anStream(t, raw)
	// "Let me look." fits one text chunk; the arguments stream in 16-byte pieces.
	want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop", "content_block_start"}
	for range (len(`{"path":"main.go"}`) + 15) / 16 {
		want = append(want, "content_block_delta")
	}
	want = append(want, "content_block_stop", "message_delta", "message_stop")
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("events\n got %v\nwant %v", names, want)
	}
	start := payloads[0]["message"].(map[string]any)["usage"].(map[string]any)
	var partial string
	for _, p := range payloads {
		if d, ok := p["delta"].(map[string]any); ok && d["type"] == "input_json_delta" {
			partial += d["partial_json"].(string)
		}
	}
	if partial != `{"path":"main.go"}` {
		t.Fatalf("partial_json assembles to %q", partial)
	}
	md := payloads[len(payloads)-2]
	if md["delta"].(map[string]any)["stop_reason"] != "tool_use" {
		t.Fatalf("message_delta = %v", md)
	}
	usage := md["usage"].(map[string]any)
	if usage["input_tokens"] != start["input_tokens"] || usage["output_tokens"].(float64) <= start["output_tokens"].(float64) {
		t.Fatalf("message_start usage %v, message_delta usage %v", start, usage)
	}
}

func TestAnthropicLongStreamRepeatsCumulativeUsage(t *testing.T) {
	long := longText(200)
	cas, err := sim.ParseCassette("long.yaml", []byte(fmt.Sprintf("rules: [{reply: {text: %q}}]", long)))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	st, _, raw := post(t, srv, "/v1/messages", anthropicHeaders, map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 1000, "stream": true,
		"messages": []any{map[string]any{"role": "user", "content": "talk"}}})
	if st != 200 {
		t.Fatal(st)
	}
	names, payloads := anStream(t, raw)
	var outs []float64
	var text string
	for i, n := range names {
		switch n {
		case "message_delta":
			outs = append(outs, payloads[i]["usage"].(map[string]any)["output_tokens"].(float64))
		case "content_block_delta":
			text += payloads[i]["delta"].(map[string]any)["text"].(string)
		}
	}
	want := float64(tokenizer.Count(long))
	if len(outs) < 2 || outs[len(outs)-1] != want {
		t.Fatalf("message_delta output_tokens %v; want at least two, the last %v", outs, want)
	}
	// Keeping the last is right; summing them overcounts, which is the point.
	if sum := outs[0] + outs[1]; sum == want {
		t.Fatal("summing message_delta usage would not be caught")
	}
	if text != long {
		t.Fatal("streamed text differs from the answer")
	}
}

// cachedSystem is a request whose system prompt (about 1500 tokens) carries
// a breakpoint with ttl ("" for the default).
func cachedSystem(model, ttl, question string, system string) map[string]any {
	cc := map[string]any{"type": "ephemeral"}
	if ttl != "" {
		cc["ttl"] = ttl
	}
	return map[string]any{"model": model, "max_tokens": 50,
		"system":   []any{map[string]any{"type": "text", "text": system, "cache_control": cc}},
		"messages": []any{map[string]any{"role": "user", "content": question}}}
}

func TestAnthropicCacheWriteReadExpire(t *testing.T) {
	clk := newClock()
	srv := start(t, sim.Options{Now: clk.Now})
	system := longText(1500)
	prefix := int64(tokenizer.MessageFraming + tokenizer.Count(system))
	r := chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "", "q1", system))
	u := r.Usage
	if u.CacheCreationInputTokens != prefix || u.CacheCreation.Ephemeral5m != prefix || u.CacheCreation.Ephemeral1h != 0 || u.CacheReadInputTokens != 0 {
		t.Fatalf("first call: %+v, want a %d-token 5m write", u, prefix)
	}
	total := u.InputTokens + u.CacheCreationInputTokens
	if srv.Cache().Len() != 1 {
		t.Fatalf("cache holds %d entries, want 1", srv.Cache().Len())
	}
	// Within the TTL: a read, which refreshes the entry.
	clk.Advance(4 * time.Minute)
	u = chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "", "q1", system)).Usage
	if u.CacheReadInputTokens != prefix || u.CacheCreationInputTokens != 0 || u.InputTokens+u.CacheReadInputTokens != total {
		t.Fatalf("read within TTL: %+v", u)
	}
	clk.Advance(4 * time.Minute) // 8 minutes after the write, 4 after the read
	u = chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "", "another question", system)).Usage
	if u.CacheReadInputTokens != prefix {
		t.Fatalf("the read did not refresh the TTL: %+v", u)
	}
	// Idle longer than the TTL: a miss and a new write.
	clk.Advance(5*time.Minute + time.Second)
	if n := srv.Cache().Len(); n != 0 {
		t.Fatalf("%d entries alive after the TTL", n)
	}
	u = chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "", "q1", system)).Usage
	if u.CacheReadInputTokens != 0 || u.CacheCreation.Ephemeral5m != prefix {
		t.Fatalf("after the TTL: %+v", u)
	}
	// Another model has its own cache.
	u = chatAnthropic(t, srv, cachedSystem("claude-opus-4-1", "", "q1", system)).Usage
	if u.CacheReadInputTokens != 0 {
		t.Fatalf("cache shared across models: %+v", u)
	}
}

func TestAnthropicCacheOneHour(t *testing.T) {
	clk := newClock()
	srv := start(t, sim.Options{Now: clk.Now})
	system := longText(1500)
	u := chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "1h", "q", system)).Usage
	if u.CacheCreation.Ephemeral1h == 0 || u.CacheCreation.Ephemeral5m != 0 {
		t.Fatalf("1h write: %+v", u)
	}
	clk.Advance(50 * time.Minute)
	if u = chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "1h", "q", system)).Usage; u.CacheReadInputTokens == 0 {
		t.Fatalf("1h entry missed after 50 minutes: %+v", u)
	}
	clk.Advance(61 * time.Minute)
	if u = chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "1h", "q", system)).Usage; u.CacheReadInputTokens != 0 {
		t.Fatalf("1h entry alive after 61 idle minutes: %+v", u)
	}
}

func TestAnthropicMixedTTLSplit(t *testing.T) {
	srv := start(t, sim.Options{Now: newClock().Now})
	tools := []any{map[string]any{"name": "read_file", "description": longText(1100), "input_schema": readFileTool.Parameters,
		"cache_control": map[string]any{"type": "ephemeral", "ttl": "1h"}}}
	system := longText(400)
	body := map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 20, "tools": tools,
		"system":   []any{map[string]any{"type": "text", "text": system, "cache_control": map[string]any{"type": "ephemeral"}}},
		"messages": []any{map[string]any{"role": "user", "content": "go"}}}
	u := chatAnthropic(t, srv, body).Usage
	toolTokens := int64(tokenizer.ToolsFraming + tokenizer.ToolFraming + tokenizer.Count("read_file") + tokenizer.Count(longText(1100)) + tokenizer.CountJSON(readFileTool.Parameters))
	sysTokens := int64(tokenizer.MessageFraming + tokenizer.Count(system))
	if u.CacheCreation.Ephemeral1h != toolTokens || u.CacheCreation.Ephemeral5m != sysTokens || u.CacheCreationInputTokens != toolTokens+sysTokens {
		t.Fatalf("split %+v, want 1h %d and 5m %d", u, toolTokens, sysTokens)
	}
}

func TestAnthropicMinimumCacheable(t *testing.T) {
	srv := start(t, sim.Options{Now: newClock().Now, MinCacheable: map[string]int64{"claude-tiny": 5}})
	short := longText(500)
	if u := chatAnthropic(t, srv, cachedSystem("claude-sonnet-4-5", "", "q", short)).Usage; u.CacheCreationInputTokens != 0 {
		t.Fatalf("a 500-token prefix was cached on Sonnet: %+v", u)
	}
	mid := longText(1500)
	if u := chatAnthropic(t, srv, cachedSystem("claude-haiku-4-5", "", "q", mid)).Usage; u.CacheCreationInputTokens != 0 {
		t.Fatalf("a 1500-token prefix was cached on Haiku (minimum 2048): %+v", u)
	}
	if u := chatAnthropic(t, srv, cachedSystem("claude-tiny", "", "q", "short but cacheable here")).Usage; u.CacheCreationInputTokens == 0 {
		t.Fatalf("Options.MinCacheable ignored: %+v", u)
	}
	if srv.Cache().Len() != 1 {
		t.Fatalf("cache holds %d entries, want 1", srv.Cache().Len())
	}
}

func TestAnthropicConversationCacheLookback(t *testing.T) {
	srv := start(t, sim.Options{Now: newClock().Now})
	system := longText(1200)
	cc := map[string]any{"type": "ephemeral"}
	msg := func(role, text string, mark bool) map[string]any {
		b := map[string]any{"type": "text", "text": text}
		if mark {
			b["cache_control"] = cc
		}
		return map[string]any{"role": role, "content": []any{b}}
	}
	turn1 := map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 20, "system": system,
		"messages": []any{msg("user", "first question", true)}}
	u1 := chatAnthropic(t, srv, turn1).Usage
	if u1.CacheCreationInputTokens == 0 {
		t.Fatalf("turn 1 wrote nothing: %+v", u1)
	}
	// Turn 2 moves the breakpoint to its last message; the turn-1 prefix is
	// found by looking back and read, only the new part is written.
	turn2 := map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 20, "system": system,
		"messages": []any{msg("user", "first question", false), msg("assistant", "first answer", false), msg("user", "second question", true)}}
	u2 := chatAnthropic(t, srv, turn2).Usage
	if u2.CacheReadInputTokens != u1.CacheCreationInputTokens {
		t.Fatalf("turn 2 read %d, want the %d tokens written by turn 1", u2.CacheReadInputTokens, u1.CacheCreationInputTokens)
	}
	wantWrite := int64(2*tokenizer.MessageFraming + tokenizer.Count("first answer") + tokenizer.Count("second question"))
	if u2.CacheCreationInputTokens != wantWrite || u2.InputTokens != tokenizer.ReplyPriming {
		t.Fatalf("turn 2: %+v, want a %d-token write and only the reply priming uncached", u2, wantWrite)
	}
}

func TestAnthropicStopSequenceAndMaxTokens(t *testing.T) {
	cas, err := sim.ParseCassette("s.yaml", []byte(`rules: [{reply: {text: "alpha beta gamma STOP delta"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas})
	r := chatAnthropic(t, srv, map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 100, "stop_sequences": []string{" STOP"},
		"messages": []any{map[string]any{"role": "user", "content": "go"}}})
	if r.StopReason != "stop_sequence" || r.StopSequence == nil || *r.StopSequence != " STOP" || r.Content[0].Text != "alpha beta gamma" {
		t.Fatalf("stop sequence: %+v", r)
	}
	r = chatAnthropic(t, srv, map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 2,
		"messages": []any{map[string]any{"role": "user", "content": "go"}}})
	if r.StopReason != "max_tokens" || r.Usage.OutputTokens != 2 || r.Content[0].Text != "alpha beta" {
		t.Fatalf("max_tokens: %+v", r)
	}
}
