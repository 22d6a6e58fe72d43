package openai

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// chunkLite is the part of a ChatChunk the adapter reads. Streams are
// decoded into it rather than into ChatChunk, whose pass-through of
// unknown members costs allocations on every chunk and is not needed here.
type chunkLite struct {
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   string         `json:"content"`
			ToolCalls []toolCallLite `json:"tool_calls"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage       `json:"usage"`
	Error *ErrorDetail `json:"error"`
	XGroq *struct {
		Usage *Usage `json:"usage"`
	} `json:"x_groq"`
}

type toolCallLite struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// streamState assembles a streamed answer.
type streamState struct {
	out      frugal.Response
	text     strings.Builder
	calls    map[int]*partialCall
	finish   string
	finished bool // a finish_reason arrived
	done     bool // [DONE] arrived
	emitted  bool // the tool calls went to fn
	fn       func(frugal.Delta) error
}

type partialCall struct {
	id, name string
	args     strings.Builder
}

// readStream reads a Chat Completions SSE stream from r. The answer is
// complete at [DONE], or once a finish_reason and (when wantUsage) the
// usage have arrived; anything shorter is a truncated stream. Errors are
// *frugal.ProviderError (without Provider), fn's error wrapped by
// httpx.Emit, or r's read error.
func readStream(r io.Reader, wantUsage bool, fn func(frugal.Delta) error) (frugal.Response, error) {
	s := &streamState{fn: fn, out: frugal.Response{Message: frugal.Message{Role: frugal.RoleAssistant}}}
	err := httpx.ReadSSE(r, s.event)
	s.out.Message.Content = s.text.String()
	if err == nil && !s.done && !(s.finished && (s.out.UsageKnown || !wantUsage)) {
		err = httpx.ErrTruncated
	}
	if err == httpx.ErrTruncated {
		err = httpx.Truncated("its end")
	}
	if err == nil && !s.emitted {
		err = s.emitCalls()
	}
	s.out.Message.ToolCalls = s.toolCalls()
	s.out.StopReason = stopReason(s.finish, len(s.calls) > 0)
	return s.out, err
}

var doneMarker = []byte("[DONE]")

func (s *streamState) event(data []byte, last bool) error {
	if s.done {
		return nil // nothing counts after [DONE]
	}
	if bytes.Equal(bytes.TrimSpace(data), doneMarker) {
		s.done = true
		return nil
	}
	if last && !json.Valid(data) {
		return httpx.ErrTruncated
	}
	var ch chunkLite
	if err := json.Unmarshal(data, &ch); err != nil {
		return httpx.ProtocolError("malformed stream chunk: " + err.Error())
	}
	if ch.Model != "" {
		s.out.Model = ch.Model
	}
	if ch.Error != nil {
		return detailError(ch.Error)
	}
	usage := ch.Usage
	if usage == nil && ch.XGroq != nil {
		usage = ch.XGroq.Usage
	}
	// Some servers send usage on every chunk, each time the running total:
	// keep the last, never add.
	if usage != nil {
		// Usage that does not add up is not trusted (see ParseResponse).
		if u, cost, err := normaliseUsage(usage); err == nil {
			s.out.Usage, s.out.UsageKnown, s.out.ProviderCost = u, true, cost
		} else {
			s.out.Usage, s.out.UsageKnown, s.out.ProviderCost = frugal.Usage{}, false, 0
		}
	}
	for i := range ch.Choices {
		c := &ch.Choices[i]
		if c.Index != 0 {
			continue // frugal asks for one choice
		}
		if c.Delta.Content != "" {
			s.text.WriteString(c.Delta.Content)
			if err := httpx.Emit(s.fn, frugal.Delta{Text: c.Delta.Content}); err != nil {
				return err
			}
		}
		for _, tc := range c.Delta.ToolCalls {
			s.addCall(tc)
		}
		if c.FinishReason != "" {
			s.finish, s.finished = c.FinishReason, true
			if err := s.emitCalls(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *streamState) addCall(tc toolCallLite) {
	if s.calls == nil {
		s.calls = make(map[int]*partialCall)
	}
	p := s.calls[tc.Index]
	if p == nil {
		p = &partialCall{}
		s.calls[tc.Index] = p
	}
	if tc.ID != "" {
		p.id = tc.ID
	}
	if tc.Function.Name != "" {
		p.name = tc.Function.Name
	}
	p.args.WriteString(tc.Function.Arguments)
}

// emitCalls hands the whole tool calls to fn, once: their arguments are
// complete when the choice finishes.
func (s *streamState) emitCalls() error {
	if s.emitted {
		return nil
	}
	s.emitted = true
	for _, tc := range s.toolCalls() {
		tc := tc
		if err := httpx.Emit(s.fn, frugal.Delta{ToolCall: &tc}); err != nil {
			return err
		}
	}
	return nil
}

func (s *streamState) toolCalls() []frugal.ToolCall {
	if len(s.calls) == 0 {
		return nil
	}
	idx := make([]int, 0, len(s.calls))
	for i := range s.calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]frugal.ToolCall, 0, len(idx))
	for _, i := range idx {
		p := s.calls[i]
		out = append(out, frugal.ToolCall{ID: p.id, Name: p.name, Arguments: arguments(p.args.String())})
	}
	return out
}
