package ollama

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wire"
)

// BuildRequest translates a provider-neutral request into an /api/chat
// body, without the stream member. It returns an EINVALID error for a
// request that cannot be sent.
func (c *Client) BuildRequest(req frugal.Request) (*ChatRequest, error) {
	if err := wire.CheckRequest(req); err != nil {
		return nil, err
	}
	out := &ChatRequest{Model: req.Model, Messages: make([]Message, 0, len(req.Messages)+1)}
	if req.System != "" {
		out.Messages = append(out.Messages, Message{Role: "system", Content: req.System})
	}
	// Ollama answers a tool result by function name, not by call ID.
	names := map[string]string{}
	for i, m := range req.Messages {
		switch m.Role {
		case frugal.RoleUser:
			out.Messages = append(out.Messages, Message{Role: "user", Content: m.Content})
		case frugal.RoleAssistant:
			wm := Message{Role: "assistant", Content: m.Content}
			for _, tc := range m.ToolCalls {
				args := bytes.TrimSpace(tc.Arguments)
				if len(args) == 0 {
					args = []byte("{}")
				} else if !json.Valid(args) || args[0] != '{' {
					return nil, frugal.Errorf(frugal.EINVALID, "request: message %d: tool call %q: arguments are not a JSON object", i, tc.ID)
				}
				names[tc.ID] = tc.Name
				wm.ToolCalls = append(wm.ToolCalls, ToolCall{Function: ToolCallFunction{Name: tc.Name, Arguments: args}})
			}
			out.Messages = append(out.Messages, wm)
		case frugal.RoleTool:
			// Ollama has no is_error flag.
			out.Messages = append(out.Messages, Message{Role: "tool", Content: wire.ToolResultText(m), ToolName: names[m.ToolCallID]})
		default:
			return nil, frugal.Errorf(frugal.EINVALID, "request: message %d: unknown role %q", i, m.Role)
		}
	}
	for _, t := range req.Tools {
		params, err := wire.ToolParameters(t)
		if err != nil {
			return nil, err
		}
		out.Tools = append(out.Tools, Tool{Type: "function", Function: ToolFunction{Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if len(req.Schema) > 0 {
		if err := wire.CheckSchema(req.Schema); err != nil {
			return nil, err
		}
		out.Format = req.Schema
	}
	maxOut := req.MaxOutput
	out.Options = &ModelOptions{NumPredict: &maxOut}
	if c.opts.NumCtx > 0 {
		n := int64(c.opts.NumCtx)
		out.Options.NumCtx = &n
	}
	if req.Temperature != nil {
		t := *req.Temperature
		out.Options.Temperature = &t
	}
	if ka := c.opts.KeepAlive; ka != 0 {
		if ka < 0 {
			ka = -time.Second // any negative keeps the model loaded
		}
		out.KeepAlive = wire.String(ka.String())
	}
	return out, nil
}

// toolCallID returns the ID of a tool call: the server's when it sends
// one, otherwise one derived from the turn (the number of messages sent),
// the call's place in the answer, its name and its arguments. The same
// answer gets the same IDs, streamed or not, and calls of different turns
// do not collide.
func toolCallID(tc ToolCall, turn, index int) string {
	if tc.ID != "" {
		return tc.ID
	}
	var args bytes.Buffer
	if json.Compact(&args, tc.Function.Arguments) != nil {
		args.Write(tc.Function.Arguments)
	}
	h := sha256.New()
	h.Write([]byte(strconv.Itoa(turn) + "\x00" + strconv.Itoa(index) + "\x00" + tc.Function.Name + "\x00"))
	h.Write(args.Bytes())
	return "call_" + hex.EncodeToString(h.Sum(nil)[:8])
}
