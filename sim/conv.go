package sim

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/frugal-dev/frugal/tokenizer"
)

// conv is a request of any of the three wire formats, reduced to what the
// sim needs to count, cache and answer it.
type conv struct {
	endpoint     string // endpointOpenAI, endpointAnthropic or endpointOllama
	model        string
	system       []block // Anthropic's system field; other formats keep system messages in messages
	tools        []toolDef
	messages     []message
	schema       json.RawMessage // JSON Schema of the answer; nil: none
	schemaName   string
	jsonMode     bool  // any JSON object (json_object, format "json")
	maxOutput    int64 // 0: unbounded
	stream       bool
	includeUsage bool // OpenAI stream_options.include_usage
	cacheKey     string
	toolChoice   string // "", "auto", "none", "required", or "tool:" + name
	stop         []string
	countSchema  bool // the schema is part of the prompt (not for Ollama, where it only constrains sampling)

	allTextMemo *string // allText, built once per request
}

// block is one content block: text, a tool call or a tool result.
type block struct {
	kind    string // "text", "tool_use", "tool_result", "image", "thinking"
	text    string // text, tool result content, thinking
	id      string // tool_use id, or the tool_use_id a result answers
	name    string // tool_use name
	args    json.RawMessage
	isError bool
	cache   *cacheMark
}

type message struct {
	role   string // "system", "user", "assistant", "tool"
	blocks []block
	name   string // OpenAI's optional participant name
}

type toolDef struct {
	name        string
	description string
	params      json.RawMessage
	cache       *cacheMark
}

// cacheMark is an Anthropic cache breakpoint.
type cacheMark struct {
	ttl time.Duration
}

// imageTokens is what one image or document block costs: the sim does not
// decode media, and this is about the most one image costs on either API.
const imageTokens = 1600

// segment is a run of the rendered prompt that may end at a cache
// breakpoint. tokens are the token IDs with framing as negative IDs, so that
// prefixes can be hashed exactly.
type segment struct {
	tokens []int
	mark   *cacheMark
}

// Pseudo token IDs for framing, negative so they never collide with o200k.
const (
	idFrame = -1 - iota
	idToolsFrame
	idToolFrame
	idCallFrame
	idSchemaFrame
	idPriming
)

func frame(id, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = id
	}
	return out
}

// render lays the prompt out in the order the real APIs render it (tools,
// answer schema, system, messages) as segments, one per tool, system block
// and content block. The token count is tokenizer's: framing constants plus
// the o200k count of each text and compact JSON, so that
// tokenizer.CountRequest bounds it.
func (c *conv) render() []segment {
	var segs []segment
	for i, t := range c.tools {
		var toks []int
		if i == 0 {
			toks = frame(idToolsFrame, tokenizer.ToolsFraming)
		}
		toks = append(toks, frame(idToolFrame, tokenizer.ToolFraming)...)
		toks = append(toks, tokenizer.Encode(t.name)...)
		toks = append(toks, tokenizer.Encode(t.description)...)
		toks = append(toks, tokenizer.Encode(tokenizer.CompactJSON(t.params))...)
		segs = append(segs, segment{tokens: toks, mark: t.cache})
	}
	if c.countSchema && len(c.schema) > 0 {
		toks := frame(idSchemaFrame, tokenizer.SchemaFraming)
		toks = append(toks, tokenizer.Encode(c.schemaName)...)
		toks = append(toks, tokenizer.Encode(tokenizer.CompactJSON(c.schema))...)
		segs = append(segs, segment{tokens: toks})
	}
	for i, b := range c.system {
		var toks []int
		if i == 0 {
			toks = frame(idFrame, tokenizer.MessageFraming)
		}
		toks = append(toks, tokenizer.Encode(b.text)...)
		segs = append(segs, segment{tokens: toks, mark: b.cache})
	}
	for _, m := range c.messages {
		head := frame(idFrame, tokenizer.MessageFraming)
		head[1] = roleID(m.role) // the role is part of the framing
		if m.name != "" {
			head = append(head, tokenizer.Encode(m.name)...)
			head = append(head, idFrame)
		}
		if len(m.blocks) == 0 {
			segs = append(segs, segment{tokens: head})
			continue
		}
		for j, b := range m.blocks {
			var toks []int
			if j == 0 {
				toks = head
			}
			toks = append(toks, blockTokens(b)...)
			segs = append(segs, segment{tokens: toks, mark: b.cache})
		}
	}
	return segs
}

func roleID(role string) int {
	switch role {
	case "system":
		return -100
	case "user":
		return -101
	case "assistant":
		return -102
	}
	return -103
}

func blockTokens(b block) []int {
	switch b.kind {
	case "tool_use":
		toks := frame(idCallFrame, tokenizer.ToolCallFraming)
		toks = append(toks, tokenizer.Encode(b.name)...)
		return append(toks, tokenizer.Encode(tokenizer.CompactJSON(b.args))...)
	case "tool_result":
		return append(frame(idCallFrame, tokenizer.ToolCallFraming), tokenizer.Encode(b.text)...)
	case "image":
		return frame(idFrame, imageTokens)
	case "thinking":
		return nil // earlier turns' thinking is stripped from the prompt
	}
	return tokenizer.Encode(b.text)
}

// promptTokens is the input token count of segs, reply priming included.
func promptTokens(segs []segment) int64 {
	n := int64(tokenizer.ReplyPriming)
	for _, s := range segs {
		n += int64(len(s.tokens))
	}
	return n
}

// turns is the number of assistant messages so far.
func (c *conv) turns() int {
	n := 0
	for _, m := range c.messages {
		if m.role == "assistant" {
			n++
		}
	}
	return n
}

// systemText is every system block and system message, joined.
func (c *conv) systemText() string {
	var parts []string
	for _, b := range c.system {
		parts = append(parts, b.text)
	}
	for _, m := range c.messages {
		if m.role == "system" {
			parts = append(parts, m.text())
		}
	}
	return strings.Join(parts, "\n")
}

// lastUserText is the text of the latest user message that has any text
// (tool results excluded).
func (c *conv) lastUserText() string {
	for i := len(c.messages) - 1; i >= 0; i-- {
		m := c.messages[i]
		if m.role != "user" {
			continue
		}
		if t := m.text(); t != "" {
			return t
		}
	}
	return ""
}

// lastToolResult is the content of the latest tool result.
func (c *conv) lastToolResult() (string, bool) {
	for i := len(c.messages) - 1; i >= 0; i-- {
		bs := c.messages[i].blocks
		for j := len(bs) - 1; j >= 0; j-- {
			if bs[j].kind == "tool_result" {
				return bs[j].text, true
			}
		}
	}
	return "", false
}

// allText is every piece of text in the request, for any_contains.
func (c *conv) allText() string {
	if c.allTextMemo != nil {
		return *c.allTextMemo
	}
	var b strings.Builder
	for _, t := range c.tools {
		b.WriteString(t.name + "\n" + t.description + "\n" + string(t.params) + "\n")
	}
	b.WriteString(string(c.schema) + "\n")
	for _, s := range c.system {
		b.WriteString(s.text + "\n")
	}
	for _, m := range c.messages {
		for _, bl := range m.blocks {
			b.WriteString(bl.name + "\n" + bl.text + "\n" + string(bl.args) + "\n")
		}
	}
	s := b.String()
	c.allTextMemo = &s
	return s
}

func (c *conv) hasTool(name string) bool {
	for _, t := range c.tools {
		if t.name == name {
			return true
		}
	}
	return false
}

func (c *conv) tool(name string) (toolDef, bool) {
	for _, t := range c.tools {
		if t.name == name {
			return t, true
		}
	}
	return toolDef{}, false
}

// text joins the text blocks of m.
func (m message) text() string {
	var parts []string
	for _, b := range m.blocks {
		if b.kind == "text" {
			parts = append(parts, b.text)
		}
	}
	return strings.Join(parts, "\n")
}
