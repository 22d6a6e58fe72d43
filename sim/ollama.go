package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ollamaWire is POST /api/chat: Ollama's native chat API. It streams by
// default, reports prompt_eval_count and eval_count, and no cache.
type ollamaWire struct{}

func (ollamaWire) idPrefixes() (string, string) { return "ollama-sim", "call_sim" }

func (ollamaWire) name() string { return endpointOllama }

type olRequest struct {
	Model     string          `json:"model"`
	Messages  []olMessage     `json:"messages"`
	Tools     []oaTool        `json:"tools"`
	Format    json.RawMessage `json:"format"`
	Options   *olOptions      `json:"options"`
	Stream    *bool           `json:"stream"`
	KeepAlive json.RawMessage `json:"keep_alive"`
}

type olOptions struct {
	NumPredict *int64   `json:"num_predict"`
	Stop       []string `json:"stop"`
}

type olMessage struct {
	Role       string       `json:"role"`
	Content    string       `json:"content"`
	Images     []string     `json:"images"`
	ToolCalls  []olToolCall `json:"tool_calls"`
	ToolName   string       `json:"tool_name"`
	ToolCallID string       `json:"tool_call_id"`
}

type olToolCall struct {
	ID       string `json:"id,omitempty"`
	Function struct {
		Index     int             `json:"index"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

func olError(status int, format string, args ...any) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func (ollamaWire) parse(body []byte, _ http.Header) (*conv, *apiError) {
	var req olRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, olError(400, "%s", jsonErr(err))
	}
	if req.Model == "" {
		return nil, olError(400, "model is required")
	}
	c := &conv{endpoint: endpointOllama, model: req.Model, stream: req.Stream == nil || *req.Stream}
	if o := req.Options; o != nil {
		if o.NumPredict != nil && *o.NumPredict > 0 {
			c.maxOutput = *o.NumPredict
		}
		c.stop = o.Stop
	}
	if err := checkKeepAlive(req.KeepAlive); err != nil {
		return nil, olError(400, "%v", err)
	}
	if f := bytes.TrimSpace(req.Format); len(f) > 0 && string(f) != "null" {
		var s string
		switch {
		case json.Unmarshal(f, &s) == nil && s == "json":
			c.jsonMode = true
		case json.Unmarshal(f, &s) == nil && s == "":
		case f[0] == '{':
			c.schema = f
		default:
			return nil, olError(400, "invalid format: %s; expected \"json\" or a valid JSON schema", f)
		}
	}
	for i, t := range req.Tools {
		if t.Function.Name == "" {
			return nil, olError(400, "tools[%d]: function name is required", i)
		}
		c.tools = append(c.tools, toolDef{name: t.Function.Name, description: t.Function.Description, params: t.Function.Parameters})
	}
	for i, m := range req.Messages {
		msg := message{role: m.Role}
		switch m.Role {
		case "system", "user", "assistant":
			if m.Content != "" || len(m.ToolCalls) == 0 {
				msg.blocks = []block{{kind: "text", text: m.Content}}
			}
			for range m.Images {
				msg.blocks = append(msg.blocks, block{kind: "image"})
			}
			for j, tc := range m.ToolCalls {
				args := bytes.TrimSpace(tc.Function.Arguments)
				if len(args) == 0 {
					args = []byte("{}")
				}
				if args[0] != '{' {
					return nil, olError(400, "messages[%d].tool_calls[%d].function.arguments: want a JSON object", i, j)
				}
				msg.blocks = append(msg.blocks, block{kind: "tool_use", id: tc.ID, name: tc.Function.Name, args: args})
			}
		case "tool":
			msg.blocks = []block{{kind: "tool_result", id: m.ToolCallID, name: m.ToolName, text: m.Content}}
		default:
			return nil, olError(400, "messages[%d]: invalid role %q", i, m.Role)
		}
		c.messages = append(c.messages, msg)
	}
	return c, nil
}

// checkKeepAlive accepts a duration string ("5m", "-1") or a number of
// seconds, as Ollama does.
func checkKeepAlive(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return nil
		}
		if _, err := time.ParseDuration(s); err != nil {
			return fmt.Errorf("keep_alive: %w", err)
		}
		return nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("keep_alive: want a duration or a number of seconds")
	}
	return nil
}

func (ollamaWire) writeError(w http.ResponseWriter, e *apiError) {
	msg := e.msg
	switch e.status {
	case 401:
		msg = cmpOr(msg, "unauthorized")
	case 404:
		if e.code == "model_not_found" {
			msg = fmt.Sprintf("model %q not found, try pulling it first", e.msg)
		}
	case 429:
		msg = cmpOr(msg, "too many requests")
	case 500:
		msg = cmpOr(msg, "internal server error")
	case 503:
		msg = cmpOr(msg, "server busy, please try again. maximum pending requests exceeded")
	case 529:
		msg = cmpOr(msg, "overloaded")
	}
	setRetryAfter(w, e.retryAfter)
	writeJSON(w, e.status, map[string]any{"error": cmpOr(msg, http.StatusText(e.status))})
}

type olOutMessage struct {
	Role      string       `json:"role"`
	Content   string       `json:"content"`
	ToolCalls []olToolCall `json:"tool_calls,omitempty"`
}

type olResponse struct {
	Model              string       `json:"model"`
	CreatedAt          string       `json:"created_at"`
	Message            olOutMessage `json:"message"`
	DoneReason         string       `json:"done_reason,omitempty"`
	Done               bool         `json:"done"`
	TotalDuration      int64        `json:"total_duration,omitempty"`
	LoadDuration       int64        `json:"load_duration,omitempty"`
	PromptEvalCount    int64        `json:"prompt_eval_count,omitempty"`
	PromptEvalDuration int64        `json:"prompt_eval_duration,omitempty"`
	EvalCount          int64        `json:"eval_count,omitempty"`
	EvalDuration       int64        `json:"eval_duration,omitempty"`
}

// Reported (not spent) durations: Ollama's counters, made deterministic.
const (
	olLoad          = time.Millisecond
	olPerPromptTok  = 50 * time.Microsecond
	olPerOutputTok  = 10 * time.Millisecond
	olCreatedLayout = "2006-01-02T15:04:05.999999999Z07:00"
)

func (x *exchange) ollamaFinal(msg olOutMessage) olResponse {
	reason := "stop"
	if x.a.stop == stopMax {
		reason = "length"
	}
	prompt, eval := time.Duration(x.u.prompt)*olPerPromptTok, time.Duration(x.a.output)*olPerOutputTok
	return olResponse{
		Model: x.c.model, CreatedAt: x.created.UTC().Format(olCreatedLayout), Message: msg,
		DoneReason: reason, Done: true,
		TotalDuration: int64(olLoad + prompt + eval), LoadDuration: int64(olLoad),
		PromptEvalCount: x.u.prompt, PromptEvalDuration: int64(prompt),
		EvalCount: x.a.output, EvalDuration: int64(eval),
	}
}

func (x *exchange) ollamaCalls() []olToolCall {
	var out []olToolCall
	for i, c := range x.a.calls {
		var tc olToolCall
		tc.ID = c.id
		tc.Function.Index, tc.Function.Name, tc.Function.Arguments = i, c.name, json.RawMessage(c.args)
		out = append(out, tc)
	}
	return out
}

func (ollamaWire) respond(x *exchange) {
	if len(x.c.messages) == 0 {
		// An empty chat only loads the model, as Ollama does.
		x.whole(olResponse{Model: x.c.model, CreatedAt: x.created.UTC().Format(olCreatedLayout),
			Message: olOutMessage{Role: "assistant"}, DoneReason: "load", Done: true})
		return
	}
	if !x.c.stream {
		x.whole(x.ollamaFinal(olOutMessage{Role: "assistant", Content: x.a.text, ToolCalls: x.ollamaCalls()}))
		return
	}
	var events []event
	created := x.created.UTC().Format(olCreatedLayout)
	for _, piece := range splitText(x.a.text) {
		events = append(events, event{data: mustJSON(olResponse{Model: x.c.model, CreatedAt: created,
			Message: olOutMessage{Role: "assistant", Content: piece}})})
	}
	if calls := x.ollamaCalls(); len(calls) > 0 {
		events = append(events, event{data: mustJSON(olResponse{Model: x.c.model, CreatedAt: created,
			Message: olOutMessage{Role: "assistant", ToolCalls: calls}})})
	}
	events = append(events, event{data: mustJSON(x.ollamaFinal(olOutMessage{Role: "assistant"}))})
	x.stream(events, false)
}
