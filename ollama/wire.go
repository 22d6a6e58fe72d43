package ollama

import "encoding/json"

// The wire types of Ollama's native /api/chat, as far as frugal reads or
// writes them. Each keeps the members it does not model in Extra (see
// wire_json.go); "null" and an absent member are treated alike.

// ChatRequest is the body of POST {BaseURL}/api/chat.
type ChatRequest struct {
	Model     string          `json:"model"`
	Messages  []Message       `json:"messages"`
	Tools     []Tool          `json:"tools,omitempty"`
	Format    json.RawMessage `json:"format,omitempty"` // "json" or a JSON Schema
	Options   *ModelOptions   `json:"options,omitempty"`
	Stream    *bool           `json:"stream,omitempty"`     // the server defaults to true
	KeepAlive json.RawMessage `json:"keep_alive,omitempty"` // "5m", "-1s", or seconds as a number

	Extra map[string]json.RawMessage `json:"-"`
}

// Message is one chat message; role system, user, assistant or tool.
type Message struct {
	Role      string     `json:"role"`
	Content   string     `json:"content"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	ToolName  string     `json:"tool_name,omitempty"` // tool messages: the function answered

	Extra map[string]json.RawMessage `json:"-"`
}

// ToolCall is the model asking for a function. Ollama gives no call IDs
// (newer servers may; ID keeps one when present).
type ToolCall struct {
	ID       string           `json:"id,omitempty"`
	Function ToolCallFunction `json:"function"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ToolCallFunction carries the arguments as a JSON object, not as text.
type ToolCallFunction struct {
	Index     *int            `json:"index,omitempty"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Tool declares a function tool.
type Tool struct {
	Type     string       `json:"type"` // "function"
	Function ToolFunction `json:"function"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ToolFunction is the function of a Tool.
type ToolFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"` // JSON Schema of the arguments

	Extra map[string]json.RawMessage `json:"-"`
}

// ModelOptions are the model parameters frugal sets; the others (seed,
// top_k, …) pass through in Extra.
type ModelOptions struct {
	NumPredict  *int64   `json:"num_predict,omitempty"` // max output tokens
	NumCtx      *int64   `json:"num_ctx,omitempty"`     // context window tokens
	Temperature *float64 `json:"temperature,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ChatResponse is a whole answer (stream false) or one line of a stream;
// the last line has Done set and the counts.
type ChatResponse struct {
	Model              string   `json:"model,omitempty"`
	CreatedAt          string   `json:"created_at,omitempty"`
	Message            *Message `json:"message,omitempty"`
	Done               *bool    `json:"done,omitempty"`           // see IsDone
	DoneReason         string   `json:"done_reason,omitempty"`    // stop, length, load, unload
	TotalDuration      int64    `json:"total_duration,omitempty"` // nanoseconds
	LoadDuration       int64    `json:"load_duration,omitempty"`
	PromptEvalCount    *int64   `json:"prompt_eval_count,omitempty"` // input tokens evaluated
	PromptEvalDuration int64    `json:"prompt_eval_duration,omitempty"`
	EvalCount          *int64   `json:"eval_count,omitempty"` // output tokens
	EvalDuration       int64    `json:"eval_duration,omitempty"`
	Error              string   `json:"error,omitempty"` // an error line of a stream

	Extra map[string]json.RawMessage `json:"-"`
}

// IsDone reports whether this is the final answer (done: true).
func (r *ChatResponse) IsDone() bool { return r.Done != nil && *r.Done }
