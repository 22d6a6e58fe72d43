package frugal

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Role is who wrote a message.
type Role string

// Roles of a conversation. The system prompt is Request.System, not a message.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool" // a tool result answering ToolCallID
)

// Message is one turn of a conversation.
type Message struct {
	Role       Role       `json:"role"`
	Content    string     `json:"content,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`   // assistant turns asking for tools
	ToolCallID string     `json:"tool_call_id,omitempty"` // tool turns: the call answered
	IsError    bool       `json:"is_error,omitempty"`     // tool turns: the tool failed
}

// ToolCall is the model asking for one tool.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"` // a JSON object
}

// Tool is a function the model may call.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"` // JSON Schema of the arguments object
}

// Request is one model call, provider-neutral. The stable parts (System,
// Tools) come first so that prompt caches can reuse them.
type Request struct {
	Model       string    `json:"model"` // the provider's own name, without "provider/"
	System      string    `json:"system,omitempty"`
	Messages    []Message `json:"messages"`
	Tools       []Tool    `json:"tools,omitempty"`
	MaxOutput   int64     `json:"max_output"`            // tokens; must be > 0 when the request is sent
	Temperature *float64  `json:"temperature,omitempty"` // nil: the provider's default
	// Schema, when set, asks for a JSON answer valid against this JSON Schema.
	Schema     json.RawMessage `json:"schema,omitempty"`
	SchemaName string          `json:"schema_name,omitempty"`
	// CacheTTL asks for a prompt-cache write of the stable prefix with this
	// lifetime (5 minutes or 1 hour) where the provider takes explicit
	// breakpoints; 0 asks for none. Providers that cache automatically
	// ignore it.
	CacheTTL time.Duration `json:"cache_ttl,omitempty"`
	// CacheBreakpoints marks up to CacheBreakpoints leading messages as
	// part of the cached prefix as well (Anthropic); 0: system and tools only.
	CacheBreakpoints int `json:"cache_breakpoints,omitempty"`
	// CacheKey routes requests sharing a prefix to the same cache (OpenAI's
	// prompt_cache_key); "" for none.
	CacheKey string `json:"cache_key,omitempty"`
}

// Response is a finished model call.
type Response struct {
	Message    Message `json:"message"` // role assistant
	Usage      Usage   `json:"usage"`
	UsageKnown bool    `json:"usage_known"` // false: the provider reported no usage
	StopReason string  `json:"stop_reason"` // "end", "tool_use", "max_tokens" or the provider's own word
	Model      string  `json:"model"`       // as the provider reported it
	// ProviderCost is the cost the provider itself reported (OpenRouter's
	// usage.cost), kept for reconciliation; 0 when not reported.
	ProviderCost Money `json:"provider_cost_micro_usd,omitempty"`
}

// Stop reasons normalised across providers.
const (
	StopEnd       = "end"
	StopToolUse   = "tool_use"
	StopMaxTokens = "max_tokens"
)

// Delta is one piece of a streamed answer.
type Delta struct {
	Text     string    `json:"text,omitempty"`
	ToolCall *ToolCall `json:"tool_call,omitempty"` // a complete tool call, once its arguments are whole
}

// Brain is a provider adapter: one call, one attempt, no retries and no
// accounting (those wrap it). Errors that may succeed on retry are
// *ProviderError with Retryable set.
type Brain interface {
	Chat(ctx context.Context, req Request) (Response, error)
}

// Streamer is a Brain that can stream. fn is called for each delta in
// order; returning an error from fn, or cancelling ctx, stops the stream at
// once. The returned Response holds the whole answer and the final usage;
// when the stream breaks, Stream returns what arrived with a non-nil error.
type Streamer interface {
	Stream(ctx context.Context, req Request, fn func(Delta) error) (Response, error)
}

// ProviderError is an HTTP or protocol failure of one provider attempt.
type ProviderError struct {
	Provider   string
	Status     int           // HTTP status; 0 for connection and protocol errors
	Type       string        // the provider's error type, e.g. "rate_limit_error", "overloaded_error"
	Message    string        // the provider's message (never holds a key)
	Retryable  bool          // 429, 5xx, 529, connection reset, timeout
	RetryAfter time.Duration // from Retry-After; 0 when absent
	Billed     bool          // the provider may have billed (the response started)
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	if e.Status != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Type != "" {
		b.WriteString(" ")
		b.WriteString(e.Type)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// ModelRef is a "provider/model" reference such as
// "anthropic/claude-sonnet-4-5" or "ollama/qwen2.5-coder:7b".
type ModelRef string

// Split returns the provider and the provider's own model name. ok is
// false when ref has no provider part or an empty name.
func (ref ModelRef) Split() (provider, name string, ok bool) {
	provider, name, ok = strings.Cut(string(ref), "/")
	return provider, name, ok && provider != "" && name != ""
}
