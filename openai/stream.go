package openai

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/frugal-dev/frugal"
)

// maxLineBytes bounds one SSE line; a chunk larger than this is an error
// rather than unbounded memory.
const maxLineBytes = 4 << 20

// callbackError carries the error returned by the caller's fn, which ends
// the stream and is returned as is.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// readSSE calls each with the data of every server-sent event of r, in
// order: data lines joined with "\n", comments (": …", OpenRouter's
// keep-alives) and the other fields ignored. An event cut off by the end
// of r is still delivered, with last set, so that a missing final blank
// line is no error while a half-sent event can be told apart.
func readSSE(r io.Reader, each func(data []byte, last bool) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4<<10), maxLineBytes)
	var data []byte
	has := false
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if has {
				if err := each(data, false); err != nil {
					return err
				}
				data, has = data[:0], false
			}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte{':'})
		if string(field) != "data" {
			continue // event, id, retry: not needed
		}
		value = bytes.TrimPrefix(value, []byte{' '})
		if has {
			data = append(data, '\n')
		}
		data = append(data, value...)
		has = true
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if has {
		return each(data, true)
	}
	return nil
}

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
// *frugal.ProviderError (without Provider), *callbackError, or r's read
// error.
func readStream(r io.Reader, wantUsage bool, fn func(frugal.Delta) error) (frugal.Response, error) {
	s := &streamState{fn: fn, out: frugal.Response{Message: frugal.Message{Role: frugal.RoleAssistant}}}
	err := readSSE(r, s.event)
	s.out.Message.Content = s.text.String()
	if err == nil && !s.done && !(s.finished && (s.out.UsageKnown || !wantUsage)) {
		err = errTruncated
	}
	if err == errTruncated {
		// A cut connection, most likely: another attempt may succeed.
		err = &frugal.ProviderError{Message: "stream truncated before its end", Retryable: true, Billed: true}
	}
	if err == nil && !s.emitted {
		err = s.emitCalls()
	}
	s.out.Message.ToolCalls = s.toolCalls()
	s.out.StopReason = stopReason(s.finish, len(s.calls) > 0)
	return s.out, err
}

var (
	doneMarker   = []byte("[DONE]")
	errTruncated = errors.New("truncated")
)

func (s *streamState) event(data []byte, last bool) error {
	if s.done {
		return nil // nothing counts after [DONE]
	}
	if bytes.Equal(bytes.TrimSpace(data), doneMarker) {
		s.done = true
		return nil
	}
	if last && !json.Valid(data) {
		return errTruncated
	}
	var ch chunkLite
	if err := json.Unmarshal(data, &ch); err != nil {
		return &frugal.ProviderError{Message: "malformed stream chunk: " + err.Error(), Billed: true}
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
		u, cost, err := normaliseUsage(usage)
		if err != nil {
			return &frugal.ProviderError{Message: err.Error(), Billed: true}
		}
		s.out.Usage, s.out.UsageKnown, s.out.ProviderCost = u, true, cost
	}
	for i := range ch.Choices {
		c := &ch.Choices[i]
		if c.Index != 0 {
			continue // frugal asks for one choice
		}
		if c.Delta.Content != "" {
			s.text.WriteString(c.Delta.Content)
			if err := s.call(frugal.Delta{Text: c.Delta.Content}); err != nil {
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

func (s *streamState) call(d frugal.Delta) error {
	if s.fn == nil {
		return nil
	}
	if err := s.fn(d); err != nil {
		return &callbackError{err}
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
		if err := s.call(frugal.Delta{ToolCall: &tc}); err != nil {
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
