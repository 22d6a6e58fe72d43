package sim

// Response shapes of OpenAI Chat Completions, field for field.

type oaUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
		AudioTokens  int64 `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int64 `json:"reasoning_tokens"`
		AudioTokens              int64 `json:"audio_tokens"`
		AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int64 `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
	// DeepSeek only (models named deepseek*): the split of prompt_tokens.
	PromptCacheHitTokens  *int64 `json:"prompt_cache_hit_tokens,omitempty"`
	PromptCacheMissTokens *int64 `json:"prompt_cache_miss_tokens,omitempty"`
}

type oaOutCall struct {
	Index    *int   `json:"index,omitempty"` // streams only
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type oaOutMessage struct {
	Role        string      `json:"role"`
	Content     *string     `json:"content"`
	Refusal     *string     `json:"refusal"`
	ToolCalls   []oaOutCall `json:"tool_calls,omitempty"`
	Annotations []any       `json:"annotations"`
}

type oaChoice struct {
	Index        int          `json:"index"`
	Message      oaOutMessage `json:"message"`
	Logprobs     any          `json:"logprobs"`
	FinishReason string       `json:"finish_reason"`
}

type oaCompletion struct {
	ID                string     `json:"id"`
	Object            string     `json:"object"`
	Created           int64      `json:"created"`
	Model             string     `json:"model"`
	Choices           []oaChoice `json:"choices"`
	Usage             oaUsage    `json:"usage"`
	ServiceTier       string     `json:"service_tier"`
	SystemFingerprint string     `json:"system_fingerprint"`
}

type oaDelta struct {
	Role      string      `json:"role,omitempty"`
	Content   *string     `json:"content,omitempty"`
	Refusal   *string     `json:"refusal,omitempty"`
	ToolCalls []oaOutCall `json:"tool_calls,omitempty"`
}

type oaChunkChoice struct {
	Index        int     `json:"index"`
	Delta        oaDelta `json:"delta"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

type oaChunk struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	ServiceTier       string          `json:"service_tier"`
	SystemFingerprint string          `json:"system_fingerprint"`
	Choices           []oaChunkChoice `json:"choices"`
	Usage             *oaUsage        `json:"usage,omitempty"`
}

const simFingerprint = "fp_sim"

func oaFinish(stop string) string {
	switch stop {
	case stopTool:
		return "tool_calls"
	case stopMax:
		return "length"
	}
	return "stop"
}

func (x *exchange) openaiUsage() oaUsage {
	var u oaUsage
	u.PromptTokens = x.u.prompt
	u.CompletionTokens = x.u.output
	u.TotalTokens = x.u.prompt + x.u.output
	u.PromptTokensDetails.CachedTokens = x.u.cache.read
	u.CompletionTokensDetails.ReasoningTokens = x.u.reasoning
	if isDeepSeek(x.c.model) {
		hit, miss := x.u.cache.read, x.u.prompt-x.u.cache.read
		u.PromptCacheHitTokens, u.PromptCacheMissTokens = &hit, &miss
	}
	return u
}

func (openaiWire) respond(x *exchange) {
	if x.c.stream {
		openaiStream(x)
		return
	}
	msg := oaOutMessage{Role: "assistant", Annotations: []any{}}
	if x.a.text != "" || len(x.a.calls) == 0 {
		text := x.a.text
		msg.Content = &text
	}
	for _, c := range x.a.calls {
		var oc oaOutCall
		oc.ID, oc.Type = c.id, "function"
		oc.Function.Name, oc.Function.Arguments = c.name, c.args
		msg.ToolCalls = append(msg.ToolCalls, oc)
	}
	x.whole(oaCompletion{
		ID: x.id, Object: "chat.completion", Created: x.created.Unix(), Model: x.c.model,
		Choices:     []oaChoice{{Index: 0, Message: msg, FinishReason: oaFinish(x.a.stop)}},
		Usage:       x.openaiUsage(),
		ServiceTier: "default", SystemFingerprint: simFingerprint,
	})
}

func openaiStream(x *exchange) {
	var events []event
	chunk := func(d oaDelta, finish *string) {
		ch := oaChunk{
			ID: x.id, Object: "chat.completion.chunk", Created: x.created.Unix(), Model: x.c.model,
			ServiceTier: "default", SystemFingerprint: simFingerprint,
			Choices: []oaChunkChoice{{Index: 0, Delta: d, FinishReason: finish}},
		}
		events = append(events, event{data: oaChunkJSON(ch, x.c.includeUsage)})
	}
	empty := ""
	chunk(oaDelta{Role: "assistant", Content: &empty}, nil)
	for _, piece := range splitText(x.a.text) {
		p := piece
		chunk(oaDelta{Content: &p}, nil)
	}
	for i, c := range x.a.calls {
		idx := i
		var head oaOutCall
		head.Index, head.ID, head.Type = &idx, c.id, "function"
		head.Function.Name = c.name
		chunk(oaDelta{ToolCalls: []oaOutCall{head}}, nil)
		for _, part := range splitJSON(c.args) {
			var d oaOutCall
			d.Index = &idx
			d.Function.Arguments = part
			chunk(oaDelta{ToolCalls: []oaOutCall{d}}, nil)
		}
	}
	finish := oaFinish(x.a.stop)
	chunk(oaDelta{}, &finish)
	if x.c.includeUsage {
		u := x.openaiUsage()
		events = append(events, event{data: mustJSON(oaChunk{
			ID: x.id, Object: "chat.completion.chunk", Created: x.created.Unix(), Model: x.c.model,
			ServiceTier: "default", SystemFingerprint: simFingerprint,
			Choices: []oaChunkChoice{}, Usage: &u,
		})})
	}
	events = append(events, event{data: []byte("[DONE]")})
	x.stream(events, true)
}

// oaChunkJSON encodes a chunk; with include_usage every chunk but the last
// carries "usage": null, as OpenAI sends it.
func oaChunkJSON(ch oaChunk, nullUsage bool) []byte {
	b := mustJSON(ch)
	if nullUsage && ch.Usage == nil {
		b = append(b[:len(b)-1], []byte(`,"usage":null}`)...)
	}
	return b
}
