package sim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
)

func TestLoadCassetteExample(t *testing.T) {
	c, err := sim.LoadCassette("testdata/fix-the-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "fix-the-test.yaml" || len(c.Rules) != 6 {
		t.Fatalf("cassette %s with %d rules", c.Name, len(c.Rules))
	}
	wrong := c.Rules[1]
	if wrong.Times != 1 || wrong.When.ToolResultContains != "func TestParse" || wrong.Line != 15 {
		t.Fatalf("rule 1 = %+v", wrong)
	}
	var args struct{ Path, Content string }
	if err := json.Unmarshal(wrong.Reply.ToolCalls[0].Arguments, &args); err != nil || args.Path != "parse.go" || !strings.HasPrefix(args.Content, "package parse\n\nfunc Parse") {
		t.Fatalf("arguments %s: %v", wrong.Reply.ToolCalls[0].Arguments, err)
	}
	if got := string(c.Rules[3].Reply.JSON); got != `{"verdict":"pass","score":9,"reasons":[{"text":"tests pass"}],"note":null}` {
		t.Fatalf("json reply keeps order and types: %s", got)
	}
	s := c.Rules[4].Seeded
	if s == nil || len(s.PSuccess) != 2 || s.PSuccess[0] != (sim.ModelP{Model: "qwen2.5-coder:*", P: 0.6}) || s.Fail.ReasoningTokens != 40 {
		t.Fatalf("seeded rule = %+v", s)
	}
	e := c.Rules[5].Reply
	if e.Error == nil || *e.Error != (sim.ReplyError{Status: 429, Message: "slow down", RetryAfter: 3 * time.Second}) || e.Delay != 10*time.Millisecond {
		t.Fatalf("error rule = %+v", e)
	}
}

func TestCassetteErrorsNameFileLineField(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want string
	}{
		{"rules:\n  - reply: {text: hi}\n    times: 0\n", "c.yaml:3: rules[0].times: must be at least 1"},
		{"rules:\n  - when: {modle: gpt}\n    reply: {text: hi}\n", "c.yaml:2: rules[0].when.modle: unknown condition"},
		{"rules:\n  - when: {turn: two}\n    reply: {text: hi}\n", `c.yaml:2: rules[0].when.turn: want an integer, got "two"`},
		{"rules:\n  - when: {model: x}\n", "c.yaml:2: rules[0]: needs reply or seeded"},
		{"rules:\n  - reply:\n      error: {status: 200}\n", "c.yaml:3: rules[0].reply.error.status: want an HTTP error status"},
		{"rules:\n  - reply:\n      tool_calls:\n        - arguments: {a: 1}\n", "c.yaml:4: rules[0].reply.tool_calls[0].name: required"},
		{"rules:\n  - reply:\n      tool_calls: [{name: f, arguments: [1, 2]}]\n", "c.yaml:3: rules[0].reply.tool_calls[0].arguments: want a mapping"},
		{"rules:\n  - seeded:\n      p_success: {\"q*\": 1.5}\n      ok: {text: a}\n      fail: {text: b}\n", `c.yaml:3: rules[0].seeded.p_success.q*: probability must be between 0 and 1`},
		{"rules:\n  - reply: {text: a, delay: soon}\n", `c.yaml:2: rules[0].reply.delay: want a duration`},
		{"rules:\n  - reply: {text: a}\n    seeded: {ok: {text: a}, fail: {text: b}}\n", "rules[0]: reply and seeded are exclusive"},
		{"rules:\n  - when: {endpoint: gemini}\n    reply: {text: a}\n", `c.yaml:2: rules[0].when.endpoint: unknown endpoint "gemini"`},
		{"rulez: []\n", "c.yaml:1: rulez: unknown field"},
		{"rules: []\n", "c.yaml:1: rules: no rules"},
		{"rules:\n  - reply: {text: [unclosed\n", "c.yaml:"},
		{"", "c.yaml: empty cassette"},
		{"rules:\n  - reply: {text: a}\n  - reply: {text: b}\nrules: []\n", `c.yaml:4: mapping key "rules" already defined`},
	} {
		_, err := sim.ParseCassette("c.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCassette(%q) error %v, want it to contain %q", tc.yaml, err, tc.want)
			continue
		}
		if frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("error code %s, want invalid", frugal.ErrorCode(err))
		}
	}
	if _, err := sim.LoadCassette("testdata/missing.yaml"); err == nil || frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("missing file: %v", err)
	}
}

func answer(t *testing.T, srv *sim.Server, req frugal.Request) (string, []frugal.ToolCall) {
	t.Helper()
	r := chatOpenAI(t, srv, toOpenAI(req))
	var calls []frugal.ToolCall
	for _, c := range r.Choices[0].Message.ToolCalls {
		calls = append(calls, frugal.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: json.RawMessage(c.Function.Arguments)})
	}
	text := ""
	if p := r.Choices[0].Message.Content; p != nil {
		text = *p
	}
	return text, calls
}

func TestCassetteTimesScriptsWrongFixFirst(t *testing.T) {
	c, err := sim.LoadCassette("testdata/fix-the-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: c})
	tools := []frugal.Tool{readFileTool, {Name: "write_file", Parameters: json.RawMessage(`{"type":"object"}`)}}
	req := frugal.Request{Model: "qwen2.5-coder:7b", Tools: tools, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Make the tests pass."}}}
	step := func(result string) frugal.ToolCall {
		t.Helper()
		text, calls := answer(t, srv, req)
		if len(calls) != 1 {
			t.Fatalf("turn %d: no tool call (text %q)", len(req.Messages), text)
		}
		req.Messages = append(req.Messages,
			frugal.Message{Role: frugal.RoleAssistant, Content: text, ToolCalls: calls},
			frugal.Message{Role: frugal.RoleTool, ToolCallID: calls[0].ID, Content: result})
		return calls[0]
	}
	if c := step("package parse\nfunc TestParse(t *testing.T) {}"); c.Name != "read_file" {
		t.Fatalf("turn 0 called %s", c.Name)
	}
	wrong := step("wrote parse.go")
	if !strings.Contains(string(wrong.Arguments), "return 0") {
		t.Fatalf("first fix %s, want the wrong one", wrong.Arguments)
	}
	// The gate fails; its feedback goes back in a user message. The wrong
	// fix's rule is used up even though its condition still holds.
	req.Messages = append(req.Messages, frugal.Message{Role: frugal.RoleUser, Content: "go test: FAIL TestParse"})
	right := step("wrote parse.go")
	if !strings.Contains(string(right.Arguments), "strconv.Atoi") {
		t.Fatalf("second fix %s, want the right one", right.Arguments)
	}
	calls := srv.Calls()
	if calls[0].Rule != 0 || calls[1].Rule != 1 || calls[2].Rule != 2 {
		t.Fatalf("rules used: %d %d %d", calls[0].Rule, calls[1].Rule, calls[2].Rule)
	}
}

func TestCassetteScriptedErrorAndSchema(t *testing.T) {
	c, err := sim.LoadCassette("testdata/fix-the-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: c})
	body := map[string]any{"model": "claude-haiku-4-5", "max_tokens": 100, "messages": []any{map[string]any{"role": "user", "content": "rate limit me"}}}
	for range 2 {
		st, hdr, raw := post(t, srv, "/v1/messages", anthropicHeaders, body)
		if e := decode[anErr](t, raw); st != 429 || e.Error.Type != "rate_limit_error" || e.Error.Message != "slow down" || hdr.Get("Retry-After") != "3" {
			t.Fatalf("scripted error: %d %v %s", st, hdr, raw)
		}
	}
	if st, _, raw := post(t, srv, "/v1/messages", anthropicHeaders, body); st != 200 {
		t.Fatalf("third call (rule used up): %d %s", st, raw)
	}
	r := chatAnthropic(t, srv, toAnthropic(frugal.Request{Model: "claude-sonnet-4-5", Schema: json.RawMessage(verdictSchema), Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "judge"}}}))
	validate(t, verdictSchema, r.Content[0].Text)
	if !strings.Contains(r.Content[0].Text, `"score":9`) {
		t.Fatalf("scripted JSON not used: %s", r.Content[0].Text)
	}
}

func seededRun(t *testing.T, seed uint64, model string, n int) string {
	t.Helper()
	c, err := sim.LoadCassette("testdata/fix-the-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: c, Seed: seed})
	var b strings.Builder
	for i := range n {
		text, _ := answer(t, srv, frugal.Request{Model: model, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: fmt.Sprintf("benchmark task %d", i%10)}}})
		if text == "DONE" {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

func TestSeededDeterminism(t *testing.T) {
	a := seededRun(t, 42, "qwen2.5-coder:7b", 200)
	if b := seededRun(t, 42, "qwen2.5-coder:7b", 200); a != b {
		t.Fatalf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if c := seededRun(t, 43, "qwen2.5-coder:7b", 200); a == c {
		t.Fatal("a different seed gave the same 200 outcomes")
	}
	ok := strings.Count(a, "1")
	if ok < 90 || ok > 150 { // p = 0.6
		t.Fatalf("%d of 200 succeeded with p_success 0.6", ok)
	}
	if ok := strings.Count(seededRun(t, 42, "qwen3:8b", 200), "1"); ok < 160 { // "*": 0.9
		t.Fatalf("%d of 200 succeeded with p_success 0.9", ok)
	}
}

func TestGlobMatching(t *testing.T) {
	for _, tc := range []struct {
		glob, model string
		want        bool
	}{
		{"claude-*", "claude-sonnet-4-5", true},
		{"claude-*", "anthropic/claude-sonnet", false},
		{"*claude*", "anthropic/claude-sonnet", true},
		{"qwen?.5*", "qwen2.5-coder:7b", true},
		{"gpt-4o", "gpt-4o-mini", false},
		{"*", "", true},
	} {
		c, err := sim.ParseCassette("g.yaml", []byte(fmt.Sprintf("rules: [{when: {model: %q}, reply: {text: hit}}]", tc.glob)))
		if err != nil {
			t.Fatal(err)
		}
		srv := start(t, sim.Options{Cassette: c})
		model := tc.model
		if model == "" {
			continue // a request needs a model
		}
		text, _ := answer(t, srv, frugal.Request{Model: model, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "x"}}})
		if (text == "hit") != tc.want {
			t.Errorf("glob %q on %q: %q", tc.glob, model, text)
		}
	}
}

func FuzzParseCassette(f *testing.F) {
	for _, s := range []string{toolCassette, "rules: []", "rules:\n  - reply: {text: a}\n", "rules: [{when: {turn: 1}, reply: {json: [1, {a: b}]}}]", "&a [*a]", "rules: !!binary x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := sim.ParseCassette("fuzz.yaml", data)
		if err != nil {
			var fe *frugal.Error
			if !errors.As(err, &fe) || fe.Code != frugal.EINVALID || !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %v is not an EINVALID naming the file", err)
			}
			return
		}
		if len(c.Rules) == 0 {
			t.Fatal("a cassette without rules parsed")
		}
		for _, r := range c.Rules {
			for _, tc := range r.Reply.ToolCalls {
				if !json.Valid(tc.Arguments) {
					t.Fatalf("invalid arguments JSON %s", tc.Arguments)
				}
			}
			if len(r.Reply.JSON) > 0 && !json.Valid(r.Reply.JSON) {
				t.Fatalf("invalid reply JSON %s", r.Reply.JSON)
			}
		}
	})
}
