package openai

import "encoding/json"

// The wire types of OpenAI's Chat Completions API, as far as frugal reads
// or writes them. Each keeps the members it does not model in Extra (see
// wire_json.go); "null" and an absent member are treated alike.

// ChatRequest is the body of POST {BaseURL}/chat/completions.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	Tools               []Tool          `json:"tools,omitempty"`
	MaxTokens           *int64          `json:"max_tokens,omitempty"`            // tokens; older name, most servers
	MaxCompletionTokens *int64          `json:"max_completion_tokens,omitempty"` // tokens; OpenAI (required by reasoning models)
	Temperature         *float64        `json:"temperature,omitempty"`
	ResponseFormat      *ResponseFormat `json:"response_format,omitempty"`
	Stream              *bool           `json:"stream,omitempty"`
	StreamOptions       *StreamOptions  `json:"stream_options,omitempty"`
	PromptCacheKey      string          `json:"prompt_cache_key,omitempty"` // OpenAI: routes requests sharing a prefix to one cache
	Usage               *UsageOptions   `json:"usage,omitempty"`            // OpenRouter: {"include": true}

	Extra map[string]json.RawMessage `json:"-"` // members not modelled above
}

// Message is one chat message. Content is kept raw because it is a string,
// an array of content parts, or null.
type Message struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content,omitempty"`
	Name       string          `json:"name,omitempty"`
	ToolCalls  []ToolCall      `json:"tool_calls,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ToolCall is an assistant's request for one function call.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"` // "function"
	Function FunctionCall `json:"function"`

	Extra map[string]json.RawMessage `json:"-"`
}

// FunctionCall names the function and carries its arguments as JSON text.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // a JSON object, as a string

	Extra map[string]json.RawMessage `json:"-"`
}

// Tool is a tool the model may call; frugal sends only function tools.
type Tool struct {
	Type     string       `json:"type"` // "function"
	Function *FunctionDef `json:"function,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// FunctionDef declares a function tool.
type FunctionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"` // JSON Schema of the arguments object
	Strict      *bool           `json:"strict,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ResponseFormat asks for JSON output: {"type":"json_schema",…} or
// {"type":"json_object"}.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// JSONSchema is the json_schema member of a ResponseFormat.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// StreamOptions is sent with stream=true; IncludeUsage asks for a final
// chunk carrying the usage of the whole call.
type StreamOptions struct {
	IncludeUsage *bool `json:"include_usage,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// UsageOptions is OpenRouter's request member usage.
type UsageOptions struct {
	Include bool `json:"include"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ChatResponse is the body of a non-streaming answer.
type ChatResponse struct {
	ID      string       `json:"id,omitempty"`
	Object  string       `json:"object,omitempty"`
	Created int64        `json:"created,omitempty"` // Unix seconds
	Model   string       `json:"model,omitempty"`
	Choices []Choice     `json:"choices"`
	Usage   *Usage       `json:"usage,omitempty"`
	Error   *ErrorDetail `json:"error,omitempty"` // some servers answer 200 with an error body

	Extra map[string]json.RawMessage `json:"-"`
}

// Choice is one alternative answer; frugal asks for one.
type Choice struct {
	Index        int     `json:"index"`
	Message      Message `json:"message"`
	FinishReason string  `json:"finish_reason,omitempty"` // stop, length, tool_calls, content_filter, …

	Extra map[string]json.RawMessage `json:"-"`
}

// Usage is the token usage of one call. prompt_tokens includes the cached
// tokens and completion_tokens the reasoning tokens.
type Usage struct {
	PromptTokens            int64                    `json:"prompt_tokens"`
	CompletionTokens        int64                    `json:"completion_tokens"`
	TotalTokens             int64                    `json:"total_tokens"`
	PromptTokensDetails     *PromptTokensDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *CompletionTokensDetails `json:"completion_tokens_details,omitempty"`
	// DeepSeek reports its disk cache as hit and miss counts (hit+miss =
	// prompt_tokens) instead of prompt_tokens_details.
	PromptCacheHitTokens  *int64 `json:"prompt_cache_hit_tokens,omitempty"`
	PromptCacheMissTokens *int64 `json:"prompt_cache_miss_tokens,omitempty"`
	// Cost is OpenRouter's charge for the call in credits (USD), kept as
	// decimal text so that it converts to Money exactly.
	Cost json.Number `json:"cost,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// PromptTokensDetails splits prompt_tokens.
type PromptTokensDetails struct {
	CachedTokens     int64  `json:"cached_tokens"`
	CacheWriteTokens *int64 `json:"cache_write_tokens,omitempty"` // OpenRouter: tokens written to the provider's cache

	Extra map[string]json.RawMessage `json:"-"`
}

// CompletionTokensDetails splits completion_tokens.
type CompletionTokensDetails struct {
	ReasoningTokens int64 `json:"reasoning_tokens"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ChatChunk is one server-sent event of a streamed answer.
type ChatChunk struct {
	ID      string        `json:"id,omitempty"`
	Object  string        `json:"object,omitempty"`
	Created int64         `json:"created,omitempty"`
	Model   string        `json:"model,omitempty"`
	Choices []ChunkChoice `json:"choices"`
	Usage   *Usage        `json:"usage,omitempty"`  // the last chunk, with include_usage
	Error   *ErrorDetail  `json:"error,omitempty"`  // a mid-stream error (OpenRouter, vLLM)
	XGroq   *XGroq        `json:"x_groq,omitempty"` // Groq's own usage member

	Extra map[string]json.RawMessage `json:"-"`
}

// ChunkChoice is the part of a chunk for one choice.
type ChunkChoice struct {
	Index        int        `json:"index"`
	Delta        ChunkDelta `json:"delta"`
	FinishReason string     `json:"finish_reason,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ChunkDelta is the new text and tool-call fragments of a chunk.
type ChunkDelta struct {
	Role      string          `json:"role,omitempty"`
	Content   *string         `json:"content,omitempty"`
	ToolCalls []ToolCallDelta `json:"tool_calls,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ToolCallDelta is a fragment of a tool call: the first carries ID and name,
// the next ones pieces of the arguments text, all under the same Index.
type ToolCallDelta struct {
	Index    int            `json:"index"`
	ID       string         `json:"id,omitempty"`
	Type     string         `json:"type,omitempty"`
	Function *FunctionDelta `json:"function,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// FunctionDelta is the function part of a ToolCallDelta.
type FunctionDelta struct {
	Name      string  `json:"name,omitempty"`
	Arguments *string `json:"arguments,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// XGroq is Groq's x_groq member, whose usage some Groq versions send on the
// last chunk instead of a top-level usage.
type XGroq struct {
	Usage *Usage `json:"usage,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ErrorDetail is the error object of an error body {"error": {…}}. Code is
// a string or a number depending on the server.
type ErrorDetail struct {
	Message string          `json:"message"`
	Type    string          `json:"type,omitempty"`
	Param   json.RawMessage `json:"param,omitempty"`
	Code    json.RawMessage `json:"code,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}
