package ollama

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// lineLite is the part of a stream line the adapter reads; decoding into
// it avoids the pass-through work of ChatResponse on every line.
type lineLite struct {
	Model   string `json:"model"`
	Message *struct {
		Content   string     `json:"content"`
		ToolCalls []ToolCall `json:"tool_calls"`
	} `json:"message"`
	Done            bool   `json:"done"`
	DoneReason      string `json:"done_reason"`
	PromptEvalCount *int64 `json:"prompt_eval_count"`
	EvalCount       *int64 `json:"eval_count"`
	Error           string `json:"error"`
}

// readStream reads an /api/chat NDJSON stream: one JSON object a line, the
// last with done true and the counts. turn seeds the tool-call IDs (see
// ParseResponse). Errors are *frugal.ProviderError (without Provider),
// fn's error wrapped by httpx.Emit, or r's read error.
func readStream(r io.Reader, turn int, fn func(frugal.Delta) error) (frugal.Response, error) {
	out := frugal.Response{Message: frugal.Message{Role: frugal.RoleAssistant}}
	var text strings.Builder
	err := func() error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4<<10), httpx.MaxLineBytes)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var l lineLite
			if err := json.Unmarshal(line, &l); err != nil {
				if !json.Valid(line) {
					// A half-written last line is a cut stream; any other
					// line that is not JSON is a broken one.
					if !sc.Scan() && sc.Err() == nil {
						return httpx.ErrTruncated
					}
				}
				return httpx.ProtocolError("malformed stream line: " + err.Error())
			}
			if l.Error != "" {
				return lineError(l.Error)
			}
			if l.Model != "" {
				out.Model = l.Model
			}
			if l.Message != nil {
				if l.Message.Content != "" {
					text.WriteString(l.Message.Content)
					if err := httpx.Emit(fn, frugal.Delta{Text: l.Message.Content}); err != nil {
						return err
					}
				}
				for _, tc := range l.Message.ToolCalls {
					c := toolCall(tc, turn, len(out.Message.ToolCalls))
					out.Message.ToolCalls = append(out.Message.ToolCalls, c)
					if err := httpx.Emit(fn, frugal.Delta{ToolCall: &c}); err != nil {
						return err
					}
				}
			}
			if l.Done {
				out.StopReason = stopReason(l.DoneReason, len(out.Message.ToolCalls) > 0)
				// Counts that do not add up are not trusted (see ParseResponse).
				if u, err := usage(&ChatResponse{PromptEvalCount: l.PromptEvalCount, EvalCount: l.EvalCount}); err == nil {
					out.Usage, out.UsageKnown = u, true
				}
				return nil // nothing counts after done
			}
		}
		if err := sc.Err(); err != nil {
			return err
		}
		return httpx.ErrTruncated
	}()
	out.Message.Content = text.String()
	if err == httpx.ErrTruncated {
		err = httpx.Truncated("done")
	}
	return out, err
}
