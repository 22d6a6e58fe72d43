package openai

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wire"
)

// schemaInstruction prefixes the schema placed in the system prompt in
// SchemaJSONObject mode; DeepSeek's JSON mode needs the word "json" there.
const schemaInstruction = "Answer with a single json object, and nothing else, valid against this JSON Schema:\n"

// BuildRequest translates a provider-neutral request into a Chat
// Completions body under the given quirks, without streaming members.
// CacheTTL and CacheBreakpoints are ignored: these servers cache prefixes
// on their own.
// It returns an EINVALID error for a request that cannot be sent (no
// model, MaxOutput ≤ 0, a tool call whose arguments are not JSON).
func BuildRequest(req frugal.Request, q Quirks) (*ChatRequest, error) {
	if err := wire.CheckRequest(req); err != nil {
		return nil, err
	}
	reasoning := isReasoningModel(req.Model)
	out := &ChatRequest{Model: req.Model, Messages: make([]Message, 0, len(req.Messages)+1)}

	system := req.System
	if len(req.Schema) > 0 && q.SchemaMode == SchemaJSONObject {
		if system != "" {
			system += "\n\n"
		}
		system += schemaInstruction + string(req.Schema)
	}
	if system != "" {
		out.Messages = append(out.Messages, Message{Role: "system", Content: wire.String(system)})
	}
	for i, m := range req.Messages {
		wm, err := buildMessage(m)
		if err != nil {
			return nil, frugal.Errorf(frugal.EINVALID, "request: message %d: %w", i, err)
		}
		out.Messages = append(out.Messages, wm)
	}
	if len(req.Tools) > 0 {
		out.Tools = make([]Tool, len(req.Tools))
		for i, t := range req.Tools {
			params, err := wire.ToolParameters(t)
			if err != nil {
				return nil, err
			}
			out.Tools[i] = Tool{Type: "function", Function: &FunctionDef{Name: t.Name, Description: t.Description, Parameters: params}}
		}
	}

	maxOut := req.MaxOutput
	switch {
	case q.MaxTokensField == MaxCompletionTokens, q.MaxTokensField == MaxTokensAuto && reasoning:
		out.MaxCompletionTokens = &maxOut
	default:
		out.MaxTokens = &maxOut
	}
	// Reasoning models accept only their default temperature.
	if req.Temperature != nil && !reasoning {
		t := *req.Temperature
		out.Temperature = &t
	}
	if len(req.Schema) > 0 {
		if err := wire.CheckSchema(req.Schema); err != nil {
			return nil, err
		}
		if q.SchemaMode == SchemaJSONObject {
			out.ResponseFormat = &ResponseFormat{Type: "json_object"}
		} else {
			js := &JSONSchema{Name: schemaName(req.SchemaName), Schema: req.Schema}
			// Strict mode rejects schemas that allow extra members; ask for
			// it only when the schema already forbids them.
			if closedSchema(req.Schema) {
				t := true
				js.Strict = &t
			}
			out.ResponseFormat = &ResponseFormat{Type: "json_schema", JSONSchema: js}
		}
	}
	if q.PromptCacheKey && req.CacheKey != "" {
		out.PromptCacheKey = req.CacheKey
	}
	if q.UsageInclude {
		out.Usage = &UsageOptions{Include: true}
	}
	return out, nil
}

func buildMessage(m frugal.Message) (Message, error) {
	switch m.Role {
	case frugal.RoleUser:
		return Message{Role: "user", Content: wire.String(m.Content)}, nil
	case frugal.RoleAssistant:
		wm := Message{Role: "assistant"}
		if m.Content != "" || len(m.ToolCalls) == 0 {
			wm.Content = wire.String(m.Content)
		}
		for _, tc := range m.ToolCalls {
			args := string(tc.Arguments)
			if len(bytes.TrimSpace(tc.Arguments)) == 0 {
				args = "{}"
			} else if !json.Valid(tc.Arguments) {
				return Message{}, frugal.Errorf(frugal.EINVALID, "tool call %q: arguments are not valid JSON", tc.ID)
			}
			wm.ToolCalls = append(wm.ToolCalls, ToolCall{ID: tc.ID, Type: "function", Function: FunctionCall{Name: tc.Name, Arguments: args}})
		}
		return wm, nil
	case frugal.RoleTool:
		// Chat Completions has no is_error flag.
		return Message{Role: "tool", ToolCallID: m.ToolCallID, Content: wire.String(wire.ToolResultText(m))}, nil
	}
	return Message{}, frugal.Errorf(frugal.EINVALID, "unknown role %q", m.Role)
}

// schemaName makes name fit OpenAI's ^[a-zA-Z0-9_-]{1,64}$.
func schemaName(name string) string {
	if name == "" {
		return "answer"
	}
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

// closedSchema reports whether the top level of schema sets
// "additionalProperties": false.
func closedSchema(schema json.RawMessage) bool {
	var s struct {
		AdditionalProperties json.RawMessage `json:"additionalProperties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return false
	}
	return strings.TrimSpace(string(s.AdditionalProperties)) == "false"
}
