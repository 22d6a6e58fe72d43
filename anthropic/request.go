package anthropic

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wire"
)

// maxBreakpoints is the API's limit of cache_control marks per request.
const maxBreakpoints = 4

// schemaInstruction prefixes the schema placed in the system prompt when
// Options.SchemaInPrompt is set.
const schemaInstruction = "Answer with a single JSON object, and nothing else, valid against this JSON Schema:\n"

// DefaultMinCacheableTokens is the shortest prefix each Claude model
// caches, from Anthropic's prompt-caching documentation: 4096 tokens for
// Opus 4.5/4.6 and Haiku 4.5, 2048 for Sonnet 4.6 and the Haiku 3 family,
// 1024 for the others.
func DefaultMinCacheableTokens(model string) int64 {
	m := strings.ToLower(model)
	switch {
	case strings.Contains(m, "opus-4-5"), strings.Contains(m, "opus-4-6"), strings.Contains(m, "haiku-4-5"):
		return 4096
	case strings.Contains(m, "sonnet-4-6"), strings.Contains(m, "3-5-haiku"), strings.Contains(m, "3-haiku"):
		return 2048
	}
	return 1024
}

// temperatureAccepted reports whether a request may carry temperature.
// API version 2026-10-21 rejects it on every model, and Opus 4.7/4.8 and
// the Claude 5 generation reject it under any version ("temperature is
// deprecated for this model"); it is left out there rather than failing
// the call.
func temperatureAccepted(model, version string) bool {
	if version >= "2026-10-21" {
		return false
	}
	m := strings.ToLower(model)
	if strings.Contains(m, "opus-4-7") || strings.Contains(m, "opus-4-8") {
		return false
	}
	for _, family := range []string{"opus-", "sonnet-", "haiku-"} {
		i := strings.Index(m, family)
		if i < 0 {
			continue
		}
		rest := m[i+len(family):]
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		// "haiku-20240307" is a date, not a generation.
		if major, err := strconv.Atoi(rest[:n]); err == nil && n <= 2 && major >= 5 {
			return false
		}
	}
	return true
}

// estimateTokens is the default token counter: about four bytes a token,
// which overestimates no English or code text by much, so that a prefix
// estimated long enough to cache usually is.
func estimateTokens(s string) int { return len(s) / 4 }

// BuildRequest translates a provider-neutral request into a Messages body,
// without streaming members. Tool results become tool_result blocks of a
// user turn, and consecutive turns of one role are merged, as the API
// expects. It returns an EINVALID error for a request that cannot be sent.
func (c *Client) BuildRequest(req frugal.Request) (*MessagesRequest, error) {
	if err := wire.CheckRequest(req); err != nil {
		return nil, err
	}
	var ttl string
	switch req.CacheTTL {
	case 0:
	case 5 * time.Minute:
		ttl = "5m"
	case time.Hour:
		ttl = "1h"
	default:
		return nil, frugal.Errorf(frugal.EINVALID, "request: cache TTL must be 5m or 1h, got %s", req.CacheTTL)
	}
	if req.CacheBreakpoints < 0 {
		return nil, frugal.Errorf(frugal.EINVALID, "request: negative cache breakpoints")
	}
	out := &MessagesRequest{Model: req.Model, MaxTokens: req.MaxOutput}
	if req.Temperature != nil && temperatureAccepted(req.Model, c.opts.Version) {
		t := *req.Temperature
		out.Temperature = &t
	}

	system := req.System
	if len(req.Schema) > 0 {
		if err := wire.CheckSchema(req.Schema); err != nil {
			return nil, err
		}
		if c.opts.SchemaInPrompt {
			if system != "" {
				system += "\n\n"
			}
			system += schemaInstruction + string(req.Schema)
		} else {
			out.OutputConfig = &OutputConfig{Format: &OutputFormat{Type: "json_schema", Schema: req.Schema}}
		}
	}
	for _, t := range req.Tools {
		schema, err := wire.ToolParameters(t)
		if err != nil {
			return nil, err
		}
		out.Tools = append(out.Tools, Tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	var sysBlock *ContentBlock
	if system != "" {
		out.System = &Content{Blocks: []ContentBlock{{Type: "text", Text: &system}}}
		sysBlock = &out.System.Blocks[0]
	}
	// last[i] locates the last block that frugal message i produced.
	last := make([]blockRef, len(req.Messages))
	for i, m := range req.Messages {
		blocks, role, err := buildBlocks(m)
		if err != nil {
			return nil, frugal.Errorf(frugal.EINVALID, "request: message %d: %w", i, err)
		}
		if len(blocks) == 0 {
			last[i] = blockRef{msg: -1}
			if i > 0 {
				last[i] = last[i-1]
			}
			continue // an empty assistant turn: the API rejects empty content
		}
		if n := len(out.Messages); n > 0 && out.Messages[n-1].Role == role {
			out.Messages[n-1].Content.Blocks = append(out.Messages[n-1].Content.Blocks, blocks...)
		} else {
			out.Messages = append(out.Messages, Message{Role: role, Content: Content{Blocks: blocks}})
		}
		n := len(out.Messages) - 1
		last[i] = blockRef{msg: n, block: len(out.Messages[n].Content.Blocks) - 1}
	}
	if ttl != "" {
		c.markCache(out, req, sysBlock, last, ttl)
	}
	// Plain turns go as strings: shorter, and what clients usually send.
	for i := range out.Messages {
		b := out.Messages[i].Content.Blocks
		if len(b) == 1 && b[0].Type == "text" && b[0].CacheControl == nil && len(b[0].Extra) == 0 {
			out.Messages[i].Content = Content{Text: *b[0].Text}
		}
	}
	if out.System != nil && out.System.Blocks[0].CacheControl == nil {
		out.System = &Content{Text: system}
	}
	return out, nil
}

type blockRef struct{ msg, block int }

// markCache puts cache_control on the stable prefix: the last tool, the
// system prompt and the last block of the first req.CacheBreakpoints
// messages, in the API's prefix order (tools, system, messages). A mark is
// left out where the prefix up to it is estimated below the model's
// minimum cacheable length: the API would silently ignore it and the
// caller would expect a cache write that never happens.
func (c *Client) markCache(out *MessagesRequest, req frugal.Request, sysBlock *ContentBlock, last []blockRef, ttl string) {
	minTokens := c.minCacheable(req.Model)
	count := c.countTokens
	cc := func() *CacheControl { return &CacheControl{Type: "ephemeral", TTL: ttl} }
	marks, prefix := 0, int64(0)
	for _, t := range out.Tools {
		prefix += int64(count(t.Name) + count(t.Description) + count(string(t.InputSchema)))
	}
	if len(out.Tools) > 0 && prefix >= minTokens && marks < maxBreakpoints {
		out.Tools[len(out.Tools)-1].CacheControl = cc()
		marks++
	}
	if sysBlock != nil {
		prefix += int64(count(*sysBlock.Text))
		if prefix >= minTokens && marks < maxBreakpoints {
			sysBlock.CacheControl = cc()
			marks++
		}
	}
	n := min(req.CacheBreakpoints, len(req.Messages))
	if n == 0 {
		return
	}
	for _, m := range req.Messages[:n] {
		prefix += int64(count(m.Content))
		for _, tc := range m.ToolCalls {
			prefix += int64(count(tc.Name) + count(string(tc.Arguments)))
		}
	}
	ref := last[n-1]
	if ref.msg >= 0 && prefix >= minTokens && marks < maxBreakpoints {
		out.Messages[ref.msg].Content.Blocks[ref.block].CacheControl = cc()
	}
}

// buildBlocks translates one frugal message into blocks of a wire role.
func buildBlocks(m frugal.Message) ([]ContentBlock, string, error) {
	switch m.Role {
	case frugal.RoleUser:
		if m.Content == "" {
			return nil, "", frugal.Errorf(frugal.EINVALID, "empty user message")
		}
		return []ContentBlock{textBlock(m.Content)}, "user", nil
	case frugal.RoleAssistant:
		var blocks []ContentBlock
		if m.Content != "" {
			blocks = append(blocks, textBlock(m.Content))
		}
		for _, tc := range m.ToolCalls {
			input := tc.Arguments
			if len(bytes.TrimSpace(input)) == 0 {
				input = json.RawMessage("{}")
			} else if !json.Valid(input) || bytes.TrimSpace(input)[0] != '{' {
				return nil, "", frugal.Errorf(frugal.EINVALID, "tool call %q: arguments are not a JSON object", tc.ID)
			}
			blocks = append(blocks, ContentBlock{Type: "tool_use", ID: tc.ID, Name: tc.Name, Input: input})
		}
		return blocks, "assistant", nil
	case frugal.RoleTool:
		b := ContentBlock{Type: "tool_result", ToolUseID: m.ToolCallID, Content: wire.String(m.Content)}
		if m.IsError {
			t := true
			b.IsError = &t
		}
		return []ContentBlock{b}, "user", nil
	}
	return nil, "", frugal.Errorf(frugal.EINVALID, "unknown role %q", m.Role)
}

func textBlock(s string) ContentBlock { return ContentBlock{Type: "text", Text: &s} }
