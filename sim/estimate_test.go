package sim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

// The estimator feeds spend-cap reservations: for every wire format, what
// the sim bills must never exceed tokenizer.EstimateRequest.
func TestEstimateBoundsSimCounts(t *testing.T) {
	code := "package parse\n\nimport \"strconv\"\n\n// Parse reads an int.\nfunc Parse(s string) (int, error) {\n\treturn strconv.Atoi(s)\n}\n"
	reqs := map[string]frugal.Request{
		"plain": {Model: "m", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "hi"}}},
		"system and code": {Model: "m", System: "You are a Go engineer. " + strings.Repeat("Be exact. ", 40),
			Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "Fix this:\n" + code}}},
		"tool loop": {Model: "m", System: "Use tools.", Tools: []frugal.Tool{readFileTool, {Name: "run", Description: "Run a command.",
			Parameters: json.RawMessage("{\n  \"type\": \"object\",\n  \"properties\": {\"cmd\": {\"type\": \"string\"}}\n}")}},
			Messages: []frugal.Message{
				{Role: frugal.RoleUser, Content: "Make the tests pass."},
				{Role: frugal.RoleAssistant, Content: "Reading.", ToolCalls: []frugal.ToolCall{
					{ID: "a", Name: "read_file", Arguments: json.RawMessage(`{"path": "parse.go"}`)},
					{ID: "b", Name: "run", Arguments: json.RawMessage(`{"cmd":"go test ./..."}`)}}},
				{Role: frugal.RoleTool, ToolCallID: "a", Content: code},
				{Role: frugal.RoleTool, ToolCallID: "b", Content: "--- FAIL: TestParse\nFAIL", IsError: true},
				{Role: frugal.RoleAssistant, Content: "Found it."},
				{Role: frugal.RoleUser, Content: "Go on."},
			}},
		"schema": {Model: "m", Schema: json.RawMessage(verdictSchema), SchemaName: "verdict",
			Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "judge " + longText(300)}}},
		"unicode": {Model: "m", Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "日本語のテキストと émojis 🎉 " + strings.Repeat("ß", 50)}}},
	}
	srv := start(t, sim.Options{})
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			raw := tokenizer.CountRequest(req)
			for _, tc := range []struct {
				provider string
				send     func() int64
			}{
				{"openai", func() int64 {
					req := req
					req.Model = "gpt-4o"
					return chatOpenAI(t, srv, toOpenAI(req)).Usage.PromptTokens
				}},
				{"deepseek", func() int64 {
					req := req
					req.Model = "deepseek-chat"
					return chatOpenAI(t, srv, toOpenAI(req)).Usage.PromptTokens
				}},
				{"anthropic", func() int64 {
					req := req
					req.Model = "claude-sonnet-4-5"
					u := chatAnthropic(t, srv, toAnthropic(req)).Usage
					return u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens
				}},
				{"ollama", func() int64 {
					req := req
					req.Model = "qwen2.5-coder:7b"
					_, _, body := post(t, srv, "/api/chat", nil, toOllama(req))
					return decode[olResp](t, body).PromptEvalCount
				}},
			} {
				billed := tc.send()
				est := tokenizer.EstimateRequest(req, tc.provider)
				if billed > est {
					t.Errorf("%s billed %d input tokens, above the estimate %d", tc.provider, billed, est)
				}
				if billed > raw {
					t.Errorf("%s billed %d, above the raw count %d", tc.provider, billed, raw)
				}
				if (tc.provider == "openai" || tc.provider == "deepseek") && !hasToolError(req) && billed != raw {
					t.Errorf("%s billed %d, want exactly CountRequest %d", tc.provider, billed, raw)
				}
			}
		})
	}
}

func hasToolError(req frugal.Request) bool {
	for _, m := range req.Messages {
		if m.IsError {
			return true
		}
	}
	return false
}
