package anthropic

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
	"github.com/frugal-dev/frugal/internal/wire"
)

// eventLite is the part of a StreamEvent the adapter reads; decoding into
// it avoids the pass-through work of StreamEvent on every event.
type eventLite struct {
	Type    string `json:"type"`
	Message *struct {
		Model string `json:"model"`
		Usage *Usage `json:"usage"`
	} `json:"message"`
	Index        int `json:"index"`
	ContentBlock *struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
		Text  string          `json:"text"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *Usage       `json:"usage"`
	Error *ErrorDetail `json:"error"`
}

// block is a content block being streamed.
type block struct {
	kind     string
	id, name string
	input    json.RawMessage // from content_block_start
	partial  strings.Builder // input_json_delta pieces
	done     bool
}

type streamState struct {
	out        frugal.Response
	text       strings.Builder
	blocks     map[int]*block
	calls      []frugal.ToolCall
	usage      Usage // running usage: message_start, then each message_delta
	started    bool
	stopped    bool // message_stop arrived
	deltaUsage bool // a message_delta usage arrived
	finalUsage bool // the message_delta with the stop reason carried usage
	fn         func(frugal.Delta) error
}

// readStream reads a Messages SSE stream. The answer is complete at
// message_stop; anything shorter is a truncated stream, whose Usage holds
// the running counts seen and is UsageKnown only if the final message_delta
// (the one with the stop reason) had arrived. Errors are
// *frugal.ProviderError (without Provider), fn's error wrapped by
// httpx.Emit, or r's read error.
func readStream(r io.Reader, fn func(frugal.Delta) error) (frugal.Response, error) {
	s := &streamState{fn: fn, out: frugal.Response{Message: frugal.Message{Role: frugal.RoleAssistant}}}
	err := httpx.ReadSSE(r, s.event)
	if err == nil && !s.stopped {
		err = httpx.ErrTruncated
	}
	if err == httpx.ErrTruncated {
		err = httpx.Truncated("message_stop")
	}
	s.out.Message.Content = s.text.String()
	s.out.Message.ToolCalls = s.calls
	if s.started {
		u, uerr := normaliseUsage(&s.usage)
		if uerr == nil {
			// Counts are running totals: they are the call's usage once
			// the final message_delta came, a lower bound before.
			s.out.Usage = u
			s.out.UsageKnown = s.finalUsage || (s.stopped && s.deltaUsage)
		}
		// Usage that does not add up is not trusted (see ParseResponse).
	}
	return s.out, err
}

func (s *streamState) event(data []byte, last bool) error {
	if s.stopped {
		return nil // nothing counts after message_stop
	}
	if last && !json.Valid(data) {
		return httpx.ErrTruncated
	}
	var ev eventLite
	if err := json.Unmarshal(data, &ev); err != nil {
		return httpx.ProtocolError("malformed stream event: " + err.Error())
	}
	switch ev.Type {
	case "message_start":
		if ev.Message != nil {
			s.started = true
			s.out.Model = ev.Message.Model
			if ev.Message.Usage != nil {
				s.usage = *ev.Message.Usage
			}
		}
	case "content_block_start":
		if ev.ContentBlock == nil {
			return nil
		}
		if s.blocks == nil {
			s.blocks = make(map[int]*block)
		}
		cb := ev.ContentBlock
		s.blocks[ev.Index] = &block{kind: cb.Type, id: cb.ID, name: cb.Name, input: cb.Input}
		if cb.Type == "text" && cb.Text != "" {
			return s.addText(cb.Text)
		}
	case "content_block_delta":
		b := s.blocks[ev.Index]
		if ev.Delta == nil || b == nil {
			return nil
		}
		switch ev.Delta.Type {
		case "text_delta":
			return s.addText(ev.Delta.Text)
		case "input_json_delta":
			b.partial.WriteString(ev.Delta.PartialJSON)
		}
	case "content_block_stop":
		b := s.blocks[ev.Index]
		if b == nil || b.done || b.kind != "tool_use" {
			return nil
		}
		b.done = true
		return s.addCall(b)
	case "message_delta":
		if ev.Delta != nil && ev.Delta.StopReason != "" {
			s.out.StopReason = stopReason(ev.Delta.StopReason)
		}
		if ev.Usage != nil {
			mergeUsage(&s.usage, ev.Usage)
			s.deltaUsage = true
			if ev.Delta != nil && ev.Delta.StopReason != "" {
				s.finalUsage = true
			}
		}
	case "message_stop":
		s.stopped = true
	case "error":
		if ev.Error != nil {
			return eventError(ev.Error)
		}
		return httpx.ProtocolError("error event in stream")
	}
	return nil // ping and events added later are ignored
}

// mergeUsage applies a message_delta usage: its counts are running totals
// for the whole message, so each present count replaces the previous one;
// nothing is ever added up.
func mergeUsage(u, d *Usage) {
	u.OutputTokens = d.OutputTokens
	if d.InputTokens != nil {
		u.InputTokens = d.InputTokens
	}
	if d.CacheCreationInputTokens != nil {
		u.CacheCreationInputTokens = d.CacheCreationInputTokens
		if d.CacheCreation == nil && u.CacheCreation != nil &&
			u.CacheCreation.Ephemeral5mInputTokens+u.CacheCreation.Ephemeral1hInputTokens != *d.CacheCreationInputTokens {
			u.CacheCreation = nil // a stale split would not add up
		}
	}
	if d.CacheReadInputTokens != nil {
		u.CacheReadInputTokens = d.CacheReadInputTokens
	}
	if d.CacheCreation != nil {
		u.CacheCreation = d.CacheCreation
	}
	if d.OutputTokensDetails != nil {
		u.OutputTokensDetails = d.OutputTokensDetails
	}
}

func (s *streamState) addText(t string) error {
	if t == "" {
		return nil
	}
	s.text.WriteString(t)
	return httpx.Emit(s.fn, frugal.Delta{Text: t})
}

// addCall completes a tool_use block: its input is the joined partial JSON,
// or the input of its start when no delta came. Input that is not JSON is
// kept as a JSON string, so that the tool layer rejects it against the
// tool's schema instead of the whole (billed) call failing.
func (s *streamState) addCall(b *block) error {
	args := json.RawMessage(b.partial.String())
	if len(bytes.TrimSpace(args)) == 0 {
		args = toolInput(b.input)
	} else if !json.Valid(args) {
		args = wire.String(string(args))
	}
	tc := frugal.ToolCall{ID: b.id, Name: b.name, Arguments: args}
	s.calls = append(s.calls, tc)
	return httpx.Emit(s.fn, frugal.Delta{ToolCall: &tc})
}
