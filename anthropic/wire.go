package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The wire types of Anthropic's Messages API, as far as frugal reads or
// writes them. Each keeps the members it does not model in Extra (see
// wire_json.go); "null" and an absent member are treated alike. Optional
// counts are pointers because the API's streams rely on their presence.

// MessagesRequest is the body of POST {BaseURL}/v1/messages.
type MessagesRequest struct {
	Model        string        `json:"model"`
	MaxTokens    int64         `json:"max_tokens"` // tokens
	System       *Content      `json:"system,omitempty"`
	Messages     []Message     `json:"messages"`
	Tools        []Tool        `json:"tools,omitempty"`
	Temperature  *float64      `json:"temperature,omitempty"`
	Stream       *bool         `json:"stream,omitempty"`
	OutputConfig *OutputConfig `json:"output_config,omitempty"` // structured outputs

	Extra map[string]json.RawMessage `json:"-"`
}

// Message is one turn: role "user" or "assistant".
type Message struct {
	Role    string  `json:"role"`
	Content Content `json:"content"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Content is a message's or the system prompt's content: a plain string
// (Blocks nil) or a list of content blocks.
type Content struct {
	Text   string
	Blocks []ContentBlock
}

// MarshalJSON writes the string form when Blocks is nil.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Blocks != nil {
		return json.Marshal(c.Blocks)
	}
	return json.Marshal(c.Text)
}

// UnmarshalJSON reads either form.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*c = Content{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case b[0] == '[':
		c.Blocks = []ContentBlock{}
		return json.Unmarshal(b, &c.Blocks)
	}
	return errors.New("content is neither a string nor an array")
}

// ContentBlock is one block of content. Which members are set depends on
// Type: "text" (Text), "tool_use" (ID, Name, Input), "tool_result"
// (ToolUseID, Content, IsError); the others ("image", "thinking", …) live
// in Extra.
type ContentBlock struct {
	Type         string          `json:"type"`
	Text         *string         `json:"text,omitempty"`
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name,omitempty"`
	Input        json.RawMessage `json:"input,omitempty"`       // a JSON object
	ToolUseID    string          `json:"tool_use_id,omitempty"` // the tool_use answered
	Content      json.RawMessage `json:"content,omitempty"`     // a string or blocks
	IsError      *bool           `json:"is_error,omitempty"`
	CacheControl *CacheControl   `json:"cache_control,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// CacheControl marks the end of a cached prefix.
type CacheControl struct {
	Type string `json:"type"`          // "ephemeral"
	TTL  string `json:"ttl,omitempty"` // "5m" (the API's default) or "1h"

	Extra map[string]json.RawMessage `json:"-"`
}

// Tool declares a client tool.
type Tool struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema,omitempty"`
	Type         string          `json:"type,omitempty"` // server tools only, e.g. "web_search_20250305"
	CacheControl *CacheControl   `json:"cache_control,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// OutputConfig holds the output format of structured outputs.
type OutputConfig struct {
	Format *OutputFormat `json:"format,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// OutputFormat is {"type": "json_schema", "schema": …}.
type OutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// MessagesResponse is a complete answer, and the message of a stream's
// message_start event.
type MessagesResponse struct {
	ID           string         `json:"id,omitempty"`
	Type         string         `json:"type,omitempty"` // "message"
	Role         string         `json:"role,omitempty"`
	Content      []ContentBlock `json:"content"`
	Model        string         `json:"model,omitempty"`
	StopReason   string         `json:"stop_reason,omitempty"` // end_turn, tool_use, max_tokens, stop_sequence, …
	StopSequence *string        `json:"stop_sequence,omitempty"`
	Usage        *Usage         `json:"usage,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Usage counts tokens. input_tokens, cache_read_input_tokens and
// cache_creation_input_tokens are disjoint; cache_creation splits the
// writes by TTL. In a message_delta event every count present is the
// running total for the whole message.
type Usage struct {
	InputTokens              *int64               `json:"input_tokens,omitempty"`
	OutputTokens             int64                `json:"output_tokens"`
	CacheCreationInputTokens *int64               `json:"cache_creation_input_tokens,omitempty"`
	CacheReadInputTokens     *int64               `json:"cache_read_input_tokens,omitempty"`
	CacheCreation            *CacheCreation       `json:"cache_creation,omitempty"`
	OutputTokensDetails      *OutputTokensDetails `json:"output_tokens_details,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// CacheCreation splits cache writes by TTL.
type CacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`

	Extra map[string]json.RawMessage `json:"-"`
}

// OutputTokensDetails splits output_tokens.
type OutputTokensDetails struct {
	ThinkingTokens int64 `json:"thinking_tokens"` // part of output_tokens spent reasoning

	Extra map[string]json.RawMessage `json:"-"`
}

// StreamEvent is the data of one server-sent event. Which members are set
// depends on Type: message_start (Message), content_block_start (Index,
// ContentBlock), content_block_delta (Index, Delta), content_block_stop
// (Index), message_delta (Delta, Usage), message_stop, ping, error (Error).
type StreamEvent struct {
	Type         string            `json:"type"`
	Message      *MessagesResponse `json:"message,omitempty"`
	Index        *int              `json:"index,omitempty"`
	ContentBlock *ContentBlock     `json:"content_block,omitempty"`
	Delta        *EventDelta       `json:"delta,omitempty"`
	Usage        *Usage            `json:"usage,omitempty"`
	Error        *ErrorDetail      `json:"error,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// EventDelta is the delta of content_block_delta (text_delta,
// input_json_delta, …) and of message_delta (stop reason).
type EventDelta struct {
	Type         string  `json:"type,omitempty"`
	Text         *string `json:"text,omitempty"`
	PartialJSON  *string `json:"partial_json,omitempty"`
	StopReason   string  `json:"stop_reason,omitempty"`
	StopSequence *string `json:"stop_sequence,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// ErrorDetail is the error of an error body or an error event.
type ErrorDetail struct {
	Type    string `json:"type"` // invalid_request_error, rate_limit_error, overloaded_error, …
	Message string `json:"message"`

	Extra map[string]json.RawMessage `json:"-"`
}
