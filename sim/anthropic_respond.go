package sim

import "encoding/json"

// Response shapes of the Anthropic Messages API, field for field.

type anCacheCreation struct {
	Ephemeral5m int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1h int64 `json:"ephemeral_1h_input_tokens"`
}

type anUsage struct {
	InputTokens              int64           `json:"input_tokens"`
	CacheCreationInputTokens int64           `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64           `json:"cache_read_input_tokens"`
	CacheCreation            anCacheCreation `json:"cache_creation"`
	OutputTokens             int64           `json:"output_tokens"`
	ServiceTier              string          `json:"service_tier"`
}

// anDeltaUsage is message_delta's usage: cumulative totals for the whole
// message so far, to be kept, never added up.
type anDeltaUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
}

type anOutBlock struct {
	Type  string           `json:"type"`
	Text  *string          `json:"text,omitempty"`
	ID    string           `json:"id,omitempty"`
	Name  string           `json:"name,omitempty"`
	Input *json.RawMessage `json:"input,omitempty"`
}

type anOutMessage struct {
	ID           string       `json:"id"`
	Type         string       `json:"type"`
	Role         string       `json:"role"`
	Model        string       `json:"model"`
	Content      []anOutBlock `json:"content"`
	StopReason   *string      `json:"stop_reason"`
	StopSequence *string      `json:"stop_sequence"`
	Usage        anUsage      `json:"usage"`
}

// longAnswer is the output length, in tokens, from which a stream carries
// message_delta twice: the API documents "one or more" message_delta events
// with cumulative usage, and a client that sums them must be caught.
const longAnswer = 64

func anStop(a answer) (reason string, seq *string) {
	switch a.stop {
	case stopTool:
		return "tool_use", nil
	case stopMax:
		return "max_tokens", nil
	case stopSeq:
		s := a.stopSeq
		return "stop_sequence", &s
	}
	return "end_turn", nil
}

func (x *exchange) anthropicUsage(output int64) anUsage {
	return anUsage{
		InputTokens:              x.u.uncached(),
		CacheCreationInputTokens: x.u.cache.write5m + x.u.cache.write1h,
		CacheReadInputTokens:     x.u.cache.read,
		CacheCreation:            anCacheCreation{Ephemeral5m: x.u.cache.write5m, Ephemeral1h: x.u.cache.write1h},
		OutputTokens:             output,
		ServiceTier:              "standard",
	}
}

func (anthropicWire) respond(x *exchange) {
	if x.c.stream {
		anthropicStream(x)
		return
	}
	var content []anOutBlock
	if x.a.text != "" || len(x.a.calls) == 0 {
		t := x.a.text
		content = append(content, anOutBlock{Type: "text", Text: &t})
	}
	for _, c := range x.a.calls {
		in := json.RawMessage(c.args)
		content = append(content, anOutBlock{Type: "tool_use", ID: c.id, Name: c.name, Input: &in})
	}
	reason, seq := anStop(x.a)
	x.whole(anOutMessage{
		ID: x.id, Type: "message", Role: "assistant", Model: x.c.model, Content: content,
		StopReason: &reason, StopSequence: seq, Usage: x.anthropicUsage(x.a.output),
	})
}

// Stream events, with "type" first as the API writes them.
type (
	anEvType struct {
		Type string `json:"type"`
	}
	anEvStart struct {
		Type    string       `json:"type"`
		Message anOutMessage `json:"message"`
	}
	anEvBlockStart struct {
		Type         string     `json:"type"`
		Index        int        `json:"index"`
		ContentBlock anOutBlock `json:"content_block"`
	}
	anEvBlockDelta struct {
		Type  string      `json:"type"`
		Index int         `json:"index"`
		Delta anDeltaBody `json:"delta"`
	}
	anDeltaBody struct {
		Type        string  `json:"type"`
		Text        *string `json:"text,omitempty"`
		PartialJSON *string `json:"partial_json,omitempty"`
	}
	anEvBlockStop struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	anEvMessageDelta struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   string  `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage anDeltaUsage `json:"usage"`
	}
)

func anthropicStream(x *exchange) {
	var events []event
	add := func(name string, payload any) {
		events = append(events, event{name: name, data: mustJSON(payload)})
	}
	add("message_start", anEvStart{Type: "message_start", Message: anOutMessage{
		ID: x.id, Type: "message", Role: "assistant", Model: x.c.model, Content: []anOutBlock{},
		Usage: x.anthropicUsage(1),
	}})
	index := 0
	startBlock := func(b anOutBlock) {
		add("content_block_start", anEvBlockStart{Type: "content_block_start", Index: index, ContentBlock: b})
		if index == 0 {
			add("ping", anEvType{Type: "ping"})
		}
	}
	stopBlock := func() {
		add("content_block_stop", anEvBlockStop{Type: "content_block_stop", Index: index})
		index++
	}
	if x.a.text != "" || len(x.a.calls) == 0 {
		empty := ""
		startBlock(anOutBlock{Type: "text", Text: &empty})
		for _, piece := range splitText(x.a.text) {
			add("content_block_delta", anEvBlockDelta{Type: "content_block_delta", Index: index,
				Delta: anDeltaBody{Type: "text_delta", Text: &piece}})
		}
		stopBlock()
	}
	for _, c := range x.a.calls {
		in := json.RawMessage(`{}`)
		startBlock(anOutBlock{Type: "tool_use", ID: c.id, Name: c.name, Input: &in})
		for _, part := range splitJSON(c.args) {
			add("content_block_delta", anEvBlockDelta{Type: "content_block_delta", Index: index,
				Delta: anDeltaBody{Type: "input_json_delta", PartialJSON: &part}})
		}
		stopBlock()
	}
	md := anEvMessageDelta{Type: "message_delta", Usage: anDeltaUsage{
		InputTokens:              x.u.uncached(),
		CacheCreationInputTokens: x.u.cache.write5m + x.u.cache.write1h,
		CacheReadInputTokens:     x.u.cache.read,
		OutputTokens:             x.a.output,
	}}
	md.Delta.StopReason, md.Delta.StopSequence = anStop(x.a)
	add("message_delta", md)
	if x.a.output >= longAnswer {
		add("message_delta", md)
	}
	add("message_stop", anEvType{Type: "message_stop"})
	x.stream(events, true)
}
