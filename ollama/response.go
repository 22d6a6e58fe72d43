package ollama

import (
	"bytes"
	"encoding/json"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// ParseResponse translates a whole /api/chat answer. turn is the number
// of messages the request carried; it seeds the IDs of tool calls, which
// Ollama does not give. An answer not marked done, or with counts that do
// not add up, gives what could be read and a *frugal.ProviderError
// (Provider left empty).
func ParseResponse(cr *ChatResponse, turn int) (frugal.Response, error) {
	out := frugal.Response{Model: cr.Model, Message: frugal.Message{Role: frugal.RoleAssistant}}
	if cr.Message != nil {
		out.Message.Content = cr.Message.Content
		for i, tc := range cr.Message.ToolCalls {
			out.Message.ToolCalls = append(out.Message.ToolCalls, toolCall(tc, turn, i))
		}
	}
	out.StopReason = stopReason(cr.DoneReason, len(out.Message.ToolCalls) > 0)
	if !cr.IsDone() {
		return out, httpx.ProtocolError("answer not marked done")
	}
	// Counts that do not add up are not trusted: the answer stands, and
	// with UsageKnown false the caller charges the call its hold.
	if u, err := usage(cr); err == nil {
		out.Usage, out.UsageKnown = u, true
	}
	return out, nil
}

func toolCall(tc ToolCall, turn, index int) frugal.ToolCall {
	args := bytes.TrimSpace(tc.Function.Arguments)
	switch {
	case len(args) == 0 || string(args) == "null":
		args = []byte("{}")
	case args[0] == '"':
		// Some models' templates give the arguments as JSON text.
		var s string
		if json.Unmarshal(args, &s) == nil && json.Valid([]byte(s)) {
			args = []byte(s)
		}
	}
	return frugal.ToolCall{ID: toolCallID(tc, turn, index), Name: tc.Function.Name, Arguments: append(json.RawMessage(nil), args...)}
}

// stopReason normalises done_reason; tool calls win over "stop".
func stopReason(r string, hasTools bool) string {
	switch r {
	case "stop", "":
		if hasTools {
			return frugal.StopToolUse
		}
		if r == "" {
			return ""
		}
		return frugal.StopEnd
	case "length":
		return frugal.StopMaxTokens
	}
	return r // load, unload
}

func usage(cr *ChatResponse) (frugal.Usage, error) {
	var in, out int64
	if cr.PromptEvalCount != nil {
		in = *cr.PromptEvalCount
	}
	if cr.EvalCount != nil {
		out = *cr.EvalCount
	}
	return frugal.UsageFromOllama(in, out)
}
