package anthropic

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/frugal-dev/frugal"
)

// ParseResponse translates a Messages answer. Text blocks are joined;
// tool_use blocks become tool calls; thinking and other blocks are left
// out. Usage that does not add up gives the rest of the answer and a
// *frugal.ProviderError (Provider left empty).
func ParseResponse(mr *MessagesResponse) (frugal.Response, error) {
	out := frugal.Response{Model: mr.Model, Message: frugal.Message{Role: frugal.RoleAssistant}}
	var text strings.Builder
	for _, b := range mr.Content {
		switch b.Type {
		case "text":
			if b.Text != nil {
				text.WriteString(*b.Text)
			}
		case "tool_use":
			out.Message.ToolCalls = append(out.Message.ToolCalls, frugal.ToolCall{ID: b.ID, Name: b.Name, Arguments: toolInput(b.Input)})
		}
	}
	out.Message.Content = text.String()
	out.StopReason = stopReason(mr.StopReason)
	if mr.Usage == nil {
		return out, nil
	}
	// Usage that does not add up is not trusted: the answer stands, and
	// with UsageKnown false the caller charges the call its hold.
	if u, err := normaliseUsage(mr.Usage); err == nil {
		out.Usage, out.UsageKnown = u, true
	}
	return out, nil
}

// toolInput returns a tool_use input as JSON; an absent input is {}.
func toolInput(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}")
	}
	return append(json.RawMessage(nil), raw...)
}

// stopReason normalises stop_reason; stop_sequence is a normal end.
func stopReason(r string) string {
	switch r {
	case "end_turn", "stop_sequence":
		return frugal.StopEnd
	case "tool_use":
		return frugal.StopToolUse
	case "max_tokens":
		return frugal.StopMaxTokens
	}
	return r // pause_turn, refusal, model_context_window_exceeded, …
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// normaliseUsage converts usage, with the 5-minute/1-hour write split and
// the thinking tokens, to frugal's counts.
func normaliseUsage(u *Usage) (frugal.Usage, error) {
	var w5, w1 int64
	if u.CacheCreation != nil {
		w5, w1 = u.CacheCreation.Ephemeral5mInputTokens, u.CacheCreation.Ephemeral1hInputTokens
	}
	out, err := frugal.UsageFromAnthropic(val(u.InputTokens), val(u.CacheReadInputTokens), val(u.CacheCreationInputTokens), w5, w1, u.OutputTokens)
	if err != nil {
		return frugal.Usage{}, err
	}
	if u.OutputTokensDetails != nil {
		out.Reasoning = u.OutputTokensDetails.ThinkingTokens
		if err := out.Validate(); err != nil {
			return frugal.Usage{}, err
		}
	}
	return out, nil
}
