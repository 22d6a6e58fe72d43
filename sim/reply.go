package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frugal-dev/frugal/tokenizer"
)

// Reply is what the sim answers to one request: text, a JSON value, tool
// calls (any combination of the three), or an error.
type Reply struct {
	Text      string
	JSON      json.RawMessage // the answer's JSON value; sent as the text of the answer
	ToolCalls []ToolCall
	Error     *ReplyError   // non-nil: answer with this error instead
	Delay     time.Duration // wait before the response headers
	// ReasoningTokens are output tokens spent thinking, billed but not
	// shown (reported as reasoning_tokens by OpenAI-style endpoints).
	ReasoningTokens int64
}

// ToolCall is a tool call of a scripted reply.
type ToolCall struct {
	Name      string
	Arguments json.RawMessage // a JSON object
}

// ReplyError is a scripted error, written in the provider's own shape.
type ReplyError struct {
	Status     int    // HTTP status
	Type       string // provider error type; "": the usual one for Status
	Message    string
	RetryAfter time.Duration // sent as Retry-After, in whole seconds (rounded up)
}

// Stop reasons of an answer, mapped to each wire format's words.
const (
	stopEnd  = "end"
	stopTool = "tool_use"
	stopMax  = "max_tokens"
	stopSeq  = "stop_sequence"
)

// answer is a reply cut to the request's limits, with its output count.
type answer struct {
	text      string
	calls     []outCall
	reasoning int64
	output    int64 // output tokens, reasoning included
	stop      string
	stopSeq   string
}

type outCall struct {
	id   string
	name string
	args string // compact JSON object
}

// usage is the token accounting of one answered call.
type usage struct {
	prompt    int64 // every input token, cached or not
	cache     cacheUse
	output    int64
	reasoning int64
}

// uncached is the input read neither from nor into the cache.
func (u usage) uncached() int64 {
	return u.prompt - u.cache.read - u.cache.write5m - u.cache.write1h
}

// build cuts r to c's limits: stop sequences end the text (and drop any
// tool call), then max output tokens truncate the text and drop the tool
// calls that do not fit whole. newID names each tool call.
func build(c *conv, r Reply, newID func() string) answer {
	a := answer{reasoning: max(r.ReasoningTokens, 0), stop: stopEnd}
	text := r.Text
	if len(r.JSON) > 0 {
		text += tokenizer.CompactJSON(r.JSON)
	}
	calls := r.ToolCalls
	for _, s := range c.stop {
		if s == "" {
			continue
		}
		if i := strings.Index(text, s); i >= 0 {
			text, calls, a.stop, a.stopSeq = text[:i], nil, stopSeq, s
		}
	}
	budget := int64(-1) // unbounded
	if c.maxOutput > 0 {
		budget = c.maxOutput - a.reasoning
		if budget < 0 {
			a.reasoning, budget = c.maxOutput, 0
		}
	}
	n := int64(tokenizer.Count(text))
	if budget >= 0 && n > budget {
		text, calls, a.stop = tokenizer.Truncate(text, int(budget)), nil, stopMax
		n = int64(tokenizer.Count(text))
	}
	a.text = text
	a.output = a.reasoning + n
	for _, tc := range calls {
		args := "{}"
		if len(tc.Arguments) > 0 {
			args = tokenizer.CompactJSON(tc.Arguments)
		}
		cost := int64(tokenizer.ToolCallFraming + tokenizer.Count(tc.Name) + tokenizer.Count(args))
		if budget >= 0 && a.output+cost > c.maxOutput {
			a.stop = stopMax
			break
		}
		a.calls = append(a.calls, outCall{id: newID(), name: tc.Name, args: args})
		a.output += cost
	}
	if len(a.calls) > 0 && a.stop == stopEnd {
		a.stop = stopTool
	}
	if a.stop == stopMax && c.maxOutput > 0 {
		a.output = c.maxOutput // the model ran until the limit
	}
	a.output = max(a.output, 1) // even an empty answer costs its end token
	return a
}

// defaultReply answers a request no cassette rule matched: a call of the
// forced tool, a minimal JSON value valid against the schema, a JSON
// object in JSON mode, or a short text naming the model and the input
// token count.
func defaultReply(c *conv, promptTokens int64) Reply {
	if forced, ok := forcedTool(c); ok {
		return Reply{ToolCalls: []ToolCall{{Name: forced.name, Arguments: minimalJSON(forced.params)}}}
	}
	if len(c.schema) > 0 {
		return Reply{JSON: minimalJSON(c.schema)}
	}
	if c.jsonMode {
		js, _ := json.Marshal(map[string]any{"model": c.model, "input_tokens": promptTokens})
		return Reply{JSON: js}
	}
	return Reply{Text: fmt.Sprintf("sim reply from %s: read %d input tokens.", c.model, promptTokens)}
}

// forcedTool is the tool the request obliges the model to call, if any.
func forcedTool(c *conv) (toolDef, bool) {
	if len(c.tools) == 0 {
		return toolDef{}, false
	}
	switch {
	case c.toolChoice == "required":
		return c.tools[0], true
	case strings.HasPrefix(c.toolChoice, "tool:"):
		return c.tool(strings.TrimPrefix(c.toolChoice, "tool:"))
	}
	return toolDef{}, false
}
