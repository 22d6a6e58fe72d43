package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// anthropicWire is POST /v1/messages: the Anthropic Messages API.
type anthropicWire struct{}

func (anthropicWire) idPrefixes() (string, string) { return "msg_sim", "toolu_sim" }

func (anthropicWire) name() string { return endpointAnthropic }

type anRequest struct {
	Model         string          `json:"model"`
	MaxTokens     *int64          `json:"max_tokens"`
	System        json.RawMessage `json:"system"`
	Messages      []anMessage     `json:"messages"`
	Tools         []anTool        `json:"tools"`
	ToolChoice    *anToolChoice   `json:"tool_choice"`
	Stream        bool            `json:"stream"`
	StopSequences []string        `json:"stop_sequences"`
	OutputConfig  *struct {
		Format *anFormat `json:"format"`
	} `json:"output_config"`
	OutputFormat *anFormat       `json:"output_format"`
	CacheControl *anCacheControl `json:"cache_control"`
}

var anKnownFields = []string{
	"model", "messages", "max_tokens", "system", "tools", "tool_choice", "stream", "temperature", "top_p",
	"top_k", "stop_sequences", "metadata", "thinking", "service_tier", "output_config", "output_format",
	"cache_control", "container", "context_management", "mcp_servers", "inference_geo", "speed", "diagnostics",
}

type anMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type anBlock struct {
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Input        json.RawMessage `json:"input"`
	ToolUseID    string          `json:"tool_use_id"`
	Content      json.RawMessage `json:"content"`
	IsError      bool            `json:"is_error"`
	Thinking     string          `json:"thinking"`
	CacheControl *anCacheControl `json:"cache_control"`
}

type anTool struct {
	Type         string          `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl *anCacheControl `json:"cache_control"`
}

type anToolChoice struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type anFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

type anCacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl"`
}

// maxBreakpoints is the most cache_control blocks one request may carry.
const maxBreakpoints = 4

func anInvalid(format string, args ...any) *apiError {
	return &apiError{status: 400, typ: "invalid_request_error", msg: fmt.Sprintf(format, args...)}
}

func (anthropicWire) parse(body []byte, hdr http.Header) (*conv, *apiError) {
	if hdr.Get("anthropic-version") == "" {
		return nil, anInvalid("anthropic-version: header is required")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, anInvalid("There was an issue with your request body: not valid JSON")
	}
	for k := range fields {
		if !slices.Contains(anKnownFields, k) {
			return nil, anInvalid("%s: Extra inputs are not permitted", k)
		}
	}
	var req anRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, anInvalid("There was an issue with your request body: %s", jsonErr(err))
	}
	switch {
	case req.Model == "":
		return nil, anInvalid("model: Field required")
	case req.MaxTokens == nil:
		return nil, anInvalid("max_tokens: Field required")
	case *req.MaxTokens < 1:
		return nil, anInvalid("max_tokens: Input should be greater than or equal to 1")
	case req.Messages == nil:
		return nil, anInvalid("messages: Field required")
	case len(req.Messages) == 0:
		return nil, anInvalid("messages: at least one message is required")
	}
	c := &conv{endpoint: endpointAnthropic, model: req.Model, maxOutput: *req.MaxTokens, stream: req.Stream, stop: req.StopSequences, countSchema: true}
	for i, t := range req.Tools {
		cc, e := anCache(t.CacheControl, fmt.Sprintf("tools.%d.cache_control", i))
		if e != nil {
			return nil, e
		}
		if !toolNameRE.MatchString(t.Name) {
			return nil, anInvalid("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", i)
		}
		if (t.Type == "" || t.Type == "custom") && len(t.InputSchema) == 0 {
			return nil, anInvalid("tools.%d.custom.input_schema: Field required", i)
		}
		c.tools = append(c.tools, toolDef{name: t.Name, description: t.Description, params: t.InputSchema, cache: cc})
	}
	if tc := req.ToolChoice; tc != nil {
		switch tc.Type {
		case "auto", "none":
			c.toolChoice = tc.Type
		case "any":
			c.toolChoice = "required"
		case "tool":
			if !c.hasTool(tc.Name) {
				return nil, anInvalid("tool_choice.name: tool %q is not among the tools", tc.Name)
			}
			c.toolChoice = "tool:" + tc.Name
		default:
			return nil, anInvalid("tool_choice: Input tag '%s' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'", tc.Type)
		}
	}
	for _, f := range []*anFormat{req.OutputFormat, outputConfigFormat(req)} {
		if f == nil {
			continue
		}
		if f.Type != "json_schema" || len(f.Schema) == 0 {
			return nil, anInvalid("output_config.format: want {type: json_schema, schema: {...}}")
		}
		c.schema = f.Schema
	}
	system, e := anSystem(req.System)
	if e != nil {
		return nil, e
	}
	c.system = system
	if e := anMessages(c, req.Messages); e != nil {
		return nil, e
	}
	if req.CacheControl != nil {
		cc, e := anCache(req.CacheControl, "cache_control")
		if e != nil {
			return nil, e
		}
		// Top-level cache_control marks the last cacheable block.
		last := &c.messages[len(c.messages)-1]
		if n := len(last.blocks); n > 0 && last.blocks[n-1].cache == nil {
			last.blocks[n-1].cache = cc
		}
	}
	if e := checkBreakpoints(c); e != nil {
		return nil, e
	}
	return c, nil
}

func outputConfigFormat(req anRequest) *anFormat {
	if req.OutputConfig == nil {
		return nil
	}
	return req.OutputConfig.Format
}

func anCache(cc *anCacheControl, field string) (*cacheMark, *apiError) {
	if cc == nil {
		return nil, nil
	}
	if cc.Type != "ephemeral" {
		return nil, anInvalid("%s.type: Input should be 'ephemeral'", field)
	}
	switch cc.TTL {
	case "", "5m":
		return &cacheMark{ttl: 5 * time.Minute}, nil
	case "1h":
		return &cacheMark{ttl: time.Hour}, nil
	}
	return nil, anInvalid("%s.ttl: Input should be '5m' or '1h'", field)
}

func anSystem(raw json.RawMessage) ([]block, *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, anInvalid("system: %s", jsonErr(err))
		}
		if s == "" {
			return nil, nil
		}
		return []block{{kind: "text", text: s}}, nil
	}
	var blocks []anBlock
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, anInvalid("system: Input should be a valid string or a list of text blocks")
	}
	var out []block
	for i, b := range blocks {
		if b.Type != "text" {
			return nil, anInvalid("system.%d.type: Input should be 'text'", i)
		}
		cc, e := anCache(b.CacheControl, fmt.Sprintf("system.%d.cache_control", i))
		if e != nil {
			return nil, e
		}
		if b.Text == "" {
			if cc != nil {
				return nil, anInvalid("system.%d.cache_control: cache_control cannot be set for empty text blocks", i)
			}
			return nil, anInvalid("system: text content blocks must be non-empty")
		}
		out = append(out, block{kind: "text", text: b.Text, cache: cc})
	}
	return out, nil
}

func anMessages(c *conv, msgs []anMessage) *apiError {
	var prevUses []string // tool_use ids of the previous assistant message
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return anInvalid("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		blocks, e := anContent(m.Content, i, i == len(msgs)-1 && m.Role == "assistant")
		if e != nil {
			return e
		}
		var uses, results []string
		for j, b := range blocks {
			switch b.kind {
			case "tool_use":
				if m.Role != "assistant" {
					return anInvalid("messages.%d.content.%d: tool_use blocks are only allowed in assistant messages", i, j)
				}
				uses = append(uses, b.id)
			case "tool_result":
				if m.Role != "user" {
					return anInvalid("messages.%d.content.%d: tool_result blocks are only allowed in user messages", i, j)
				}
				if !slices.Contains(prevUses, b.id) {
					return anInvalid("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, j, b.id)
				}
				results = append(results, b.id)
			}
		}
		if len(prevUses) > 0 {
			var missing []string
			for _, id := range prevUses {
				if !slices.Contains(results, id) {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				return anInvalid("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i-1, strings.Join(missing, ", "))
			}
		}
		prevUses = uses
		c.messages = append(c.messages, message{role: m.Role, blocks: blocks})
	}
	return nil
}

// anContent reads a message's content: a string or a list of blocks.
func anContent(raw json.RawMessage, i int, finalAssistant bool) ([]block, *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, anInvalid("messages.%d.content: %s", i, jsonErr(err))
		}
		if s == "" && !finalAssistant {
			return nil, anInvalid("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)
		}
		return []block{{kind: "text", text: s}}, nil
	}
	var raws []anBlock
	if err := json.Unmarshal(raw, &raws); err != nil {
		return nil, anInvalid("messages.%d.content: Input should be a valid string or a list of content blocks", i)
	}
	if len(raws) == 0 && !finalAssistant {
		return nil, anInvalid("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)
	}
	var out []block
	for j, b := range raws {
		field := fmt.Sprintf("messages.%d.content.%d", i, j)
		cc, e := anCache(b.CacheControl, field+".cache_control")
		if e != nil {
			return nil, e
		}
		bl := block{cache: cc}
		switch b.Type {
		case "text":
			if b.Text == "" {
				if cc != nil {
					return nil, anInvalid("%s.cache_control: cache_control cannot be set for empty text blocks", field)
				}
				return nil, anInvalid("messages: text content blocks must be non-empty")
			}
			bl.kind, bl.text = "text", b.Text
		case "tool_use":
			if b.ID == "" || b.Name == "" {
				return nil, anInvalid("%s.tool_use: id and name are required", field)
			}
			if in := bytes.TrimSpace(b.Input); len(in) == 0 || in[0] != '{' {
				return nil, anInvalid("%s.tool_use.input: Input should be a valid dictionary", field)
			}
			bl.kind, bl.id, bl.name, bl.args = "tool_use", b.ID, b.Name, b.Input
		case "tool_result":
			if b.ToolUseID == "" {
				return nil, anInvalid("%s.tool_result.tool_use_id: Field required", field)
			}
			text, e := anResultContent(b.Content, field)
			if e != nil {
				return nil, e
			}
			bl.kind, bl.id, bl.text, bl.isError = "tool_result", b.ToolUseID, text, b.IsError
		case "image", "document":
			bl.kind = "image"
		case "thinking", "redacted_thinking":
			bl.kind, bl.text = "thinking", b.Thinking
		default:
			return nil, anInvalid("%s: Input tag '%s' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'", field, b.Type)
		}
		out = append(out, bl)
	}
	return out, nil
}

// anResultContent reads a tool_result's content: absent, a string, or text
// (and image) blocks.
func anResultContent(raw json.RawMessage, field string) (string, *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", anInvalid("%s.tool_result.content: %s", field, jsonErr(err))
		}
		return s, nil
	}
	var parts []anBlock
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", anInvalid("%s.tool_result.content: Input should be a valid string or a list of blocks", field)
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), nil
}

// checkBreakpoints enforces the API's limits on cache_control: at most 4,
// and no 1-hour breakpoint after a 5-minute one (tools, system, messages
// order).
func checkBreakpoints(c *conv) *apiError {
	var marks []*cacheMark
	for _, t := range c.tools {
		marks = append(marks, t.cache)
	}
	for _, b := range c.system {
		marks = append(marks, b.cache)
	}
	for _, m := range c.messages {
		for _, b := range m.blocks {
			marks = append(marks, b.cache)
		}
	}
	n, seen5m := 0, false
	for _, m := range marks {
		if m == nil {
			continue
		}
		n++
		if m.ttl < time.Hour {
			seen5m = true
		} else if seen5m {
			return anInvalid("a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`.")
		}
	}
	if n > maxBreakpoints {
		return anInvalid("A maximum of %d blocks with cache_control may be provided. Found %d.", maxBreakpoints, n)
	}
	return nil
}

func (anthropicWire) writeError(w http.ResponseWriter, e *apiError) {
	typ, msg := e.typ, e.msg
	switch e.status {
	case 400, 405:
		typ = "invalid_request_error"
	case 401:
		typ, msg = "authentication_error", cmpOr(msg, "invalid x-api-key")
	case 403:
		typ = "permission_error"
	case 404:
		typ = "not_found_error"
		if e.code == "model_not_found" {
			msg = "model: " + e.msg
		}
	case 413:
		typ = "request_too_large"
	case 429:
		typ, msg = cmpOr(typ, "rate_limit_error"), cmpOr(msg, "Number of request tokens has exceeded your per-minute rate limit.")
	case 500, 503:
		typ, msg = cmpOr(typ, "api_error"), cmpOr(msg, "Internal server error")
	case 529:
		typ, msg = cmpOr(typ, "overloaded_error"), cmpOr(msg, "Overloaded")
	}
	typ = cmpOr(typ, "api_error")
	setRetryAfter(w, e.retryAfter)
	const reqID = "req_sim"
	w.Header().Set("request-id", reqID)
	type detail struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	writeJSON(w, e.status, struct {
		Type      string `json:"type"`
		Error     detail `json:"error"`
		RequestID string `json:"request_id"`
	}{"error", detail{typ, cmpOr(msg, http.StatusText(e.status))}, reqID})
}
