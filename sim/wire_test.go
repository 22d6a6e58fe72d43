package sim_test

import (
	"encoding/json"

	"github.com/frugal-dev/frugal"
)

// Minimal adapters from frugal.Request to each wire format, the way the
// provider packages send it: one wire message per frugal.Message (Anthropic
// merges consecutive tool results into one user message).

func toOpenAI(req frugal.Request) map[string]any {
	var msgs []any
	if req.System != "" {
		msgs = append(msgs, map[string]any{"role": "system", "content": req.System})
	}
	for _, m := range req.Messages {
		wm := map[string]any{"role": string(m.Role), "content": m.Content}
		if m.Role == frugal.RoleAssistant && len(m.ToolCalls) > 0 {
			var calls []any
			for _, c := range m.ToolCalls {
				calls = append(calls, map[string]any{"id": c.ID, "type": "function",
					"function": map[string]any{"name": c.Name, "arguments": string(c.Arguments)}})
			}
			wm["tool_calls"] = calls
			if m.Content == "" {
				wm["content"] = nil
			}
		}
		if m.Role == frugal.RoleTool {
			wm["tool_call_id"] = m.ToolCallID
			if m.IsError {
				wm["content"] = "ERROR: " + m.Content // no is_error flag in this format
			}
		}
		msgs = append(msgs, wm)
	}
	body := map[string]any{"model": req.Model, "messages": msgs}
	if req.MaxOutput > 0 {
		body["max_completion_tokens"] = req.MaxOutput
	}
	if len(req.Tools) > 0 {
		var tools []any
		for _, t := range req.Tools {
			tools = append(tools, map[string]any{"type": "function", "function": map[string]any{
				"name": t.Name, "description": t.Description, "parameters": t.Parameters}})
		}
		body["tools"] = tools
	}
	if len(req.Schema) > 0 {
		body["response_format"] = map[string]any{"type": "json_schema", "json_schema": map[string]any{
			"name": req.SchemaName, "schema": req.Schema, "strict": true}}
	}
	return body
}

func toAnthropic(req frugal.Request) map[string]any {
	var msgs []map[string]any
	for _, m := range req.Messages {
		var blocks []any
		role := string(m.Role)
		switch m.Role {
		case frugal.RoleTool:
			role = "user"
			blocks = append(blocks, map[string]any{"type": "tool_result", "tool_use_id": m.ToolCallID, "content": m.Content, "is_error": m.IsError})
		default:
			if m.Content != "" {
				blocks = append(blocks, map[string]any{"type": "text", "text": m.Content})
			}
			for _, c := range m.ToolCalls {
				blocks = append(blocks, map[string]any{"type": "tool_use", "id": c.ID, "name": c.Name, "input": json.RawMessage(c.Arguments)})
			}
		}
		if n := len(msgs); n > 0 && role == "user" && msgs[n-1]["role"] == "user" {
			msgs[n-1]["content"] = append(msgs[n-1]["content"].([]any), blocks...)
			continue
		}
		msgs = append(msgs, map[string]any{"role": role, "content": blocks})
	}
	body := map[string]any{"model": req.Model, "max_tokens": max(req.MaxOutput, 1024), "messages": msgs}
	if req.System != "" {
		body["system"] = req.System
	}
	if len(req.Tools) > 0 {
		var tools []any
		for _, t := range req.Tools {
			tools = append(tools, map[string]any{"name": t.Name, "description": t.Description, "input_schema": t.Parameters})
		}
		body["tools"] = tools
	}
	if len(req.Schema) > 0 {
		body["output_config"] = map[string]any{"format": map[string]any{"type": "json_schema", "schema": req.Schema}}
	}
	return body
}

func toOllama(req frugal.Request) map[string]any {
	var msgs []any
	if req.System != "" {
		msgs = append(msgs, map[string]any{"role": "system", "content": req.System})
	}
	for _, m := range req.Messages {
		wm := map[string]any{"role": string(m.Role), "content": m.Content}
		if len(m.ToolCalls) > 0 {
			var calls []any
			for _, c := range m.ToolCalls {
				calls = append(calls, map[string]any{"function": map[string]any{"name": c.Name, "arguments": json.RawMessage(c.Arguments)}})
			}
			wm["tool_calls"] = calls
		}
		if m.Role == frugal.RoleTool && m.IsError {
			wm["content"] = "ERROR: " + m.Content
		}
		msgs = append(msgs, wm)
	}
	body := map[string]any{"model": req.Model, "messages": msgs, "stream": false}
	if len(req.Tools) > 0 {
		var tools []any
		for _, t := range req.Tools {
			tools = append(tools, map[string]any{"type": "function", "function": map[string]any{
				"name": t.Name, "description": t.Description, "parameters": t.Parameters}})
		}
		body["tools"] = tools
	}
	if len(req.Schema) > 0 {
		body["format"] = req.Schema
	}
	return body
}
