package anthropic_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

// A client request full of members frugal does not model survives
// unmarshal → marshal, so that the gateway can forward it.
func TestRequestUnknownFieldsPassThrough(t *testing.T) {
	in := []byte(`{
	  "model": "claude-sonnet-4-5",
	  "max_tokens": 1024,
	  "metadata": {"user_id": "u-1"},
	  "stop_sequences": ["\n\nHuman:"],
	  "thinking": {"type": "enabled", "budget_tokens": 2000},
	  "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
	  "service_tier": "auto",
	  "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}, "citations": null}],
	  "messages": [
	    {"role": "user", "content": [
	      {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
	      {"type": "text", "text": "What is this?", "cache_control": {"type": "ephemeral"}}
	    ]},
	    {"role": "assistant", "content": [
	      {"type": "thinking", "thinking": "Hmm.", "signature": "sig=="},
	      {"type": "tool_use", "id": "toolu_1", "name": "look", "input": {}}
	    ]},
	    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": false, "content": [{"type": "text", "text": "a cat"}]}]},
	    {"role": "assistant", "content": "A cat."}
	  ],
	  "tools": [
	    {"name": "look", "description": "Look.", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral", "ttl": "5m"}, "strict": true},
	    {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
	  ],
	  "output_config": {"effort": "low", "format": {"type": "json_schema", "schema": {"type": "object"}}},
	  "stream": false,
	  "temperature": 0
	}`)
	var req anthropic.MessagesRequest
	if err := json.Unmarshal(in, &req); err != nil {
		t.Fatal(err)
	}
	if req.Model != "claude-sonnet-4-5" || req.MaxTokens != 1024 || len(req.Messages) != 4 || req.Messages[3].Content.Text != "A cat." ||
		req.System.Blocks[0].CacheControl.TTL != "1h" || *req.Temperature != 0 || *req.Messages[2].Content.Blocks[0].IsError {
		t.Errorf("decoded = %+v", req)
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !wiretest.SameJSON(t, in, out) {
		t.Errorf("round trip lost something:\n in: %s\nout: %s", in, out)
	}
}

func TestResponseUnknownFieldsPassThrough(t *testing.T) {
	for _, f := range []string{"response_chat.json", "response_tools.json"} {
		in := wiretest.ReadFile(t, f)
		if out := wiretest.Reencode[anthropic.MessagesResponse](t, in); !wiretest.SameJSON(t, in, out) {
			t.Errorf("%s: round trip lost something:\n in: %s\nout: %s", f, in, out)
		}
	}
	for _, f := range []string{"stream_text.sse", "stream_tools.sse", "stream_error.sse"} {
		for _, line := range strings.Split(string(wiretest.ReadFile(t, f)), "\n") {
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				continue
			}
			if out := wiretest.Reencode[anthropic.StreamEvent](t, []byte(data)); !wiretest.SameJSON(t, []byte(data), out) {
				t.Errorf("%s: event round trip lost something:\n in: %s\nout: %s", f, data, out)
			}
		}
	}
}
