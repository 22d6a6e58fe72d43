package tokenizer

import (
	"strings"

	"github.com/frugal-dev/frugal"
)

// Framing costs, in tokens, of the structure around the text of a request.
// The message costs follow OpenAI's published counting for chat models
// (3 tokens per message, 3 to prime the reply); the tool and schema costs
// are chosen so that counting them as compact JSON plus this framing is at
// least what OpenAI's own rendering of tools costs. The sim servers count
// every wire format with these same constants.
const (
	ReplyPriming    = 3  // once per request: the header of the assistant's reply
	MessageFraming  = 3  // per message, the system prompt included
	ToolCallFraming = 3  // per tool call, and per tool result
	ToolsFraming    = 12 // once when any tool is offered
	ToolFraming     = 7  // per tool definition
	SchemaFraming   = 19 // once when a JSON-schema answer is asked (as much as one forced tool)
	// ToolErrorMarker covers the marker ("ERROR: ") adapters prepend to a
	// failed tool's result where the wire format has no is_error flag.
	ToolErrorMarker = 4
)

// Margin is how an o200k count is scaled into an upper bound for a
// provider whose tokenizer differs: Apply(n) = ceil(n × Num / Den) + Add.
type Margin struct {
	Num, Den int64
	Add      int64
}

// Apply returns ceil(n × m.Num / m.Den) + m.Add.
func (m Margin) Apply(n int64) int64 {
	if m.Den <= 0 {
		return n + m.Add
	}
	return (n*m.Num+m.Den-1)/m.Den + m.Add
}

// Margins by provider. OpenAI models tokenize with o200k itself: the small
// margin only absorbs adapters that re-encode JSON arguments or schemas
// with a different key order. Claude's tokenizers produce noticeably more
// tokens than o200k (about 1.1–1.35× on English prose, more on code, and
// newer Claude tokenizers up to 1.35× more than their predecessors), hence
// ×1.5. Every other provider (DeepSeek, Gemini, Ollama's llama/qwen
// tokenizers, unknown ones) gets ×1.25 + 16. Text in scripts that o200k
// handles much better than older tokenizers (CJK, Indic) can exceed these.
var (
	MarginOpenAI    = Margin{Num: 102, Den: 100, Add: 8}
	MarginAnthropic = Margin{Num: 150, Den: 100, Add: 16}
	MarginDefault   = Margin{Num: 125, Den: 100, Add: 16}
)

// MarginFor returns the margin applied to provider ("openai", "anthropic",
// "deepseek", "ollama", …; case-insensitive). Unknown providers get
// MarginDefault.
func MarginFor(provider string) Margin {
	switch strings.ToLower(provider) {
	case "openai", "azure", "azure-openai":
		return MarginOpenAI
	case "anthropic", "claude":
		return MarginAnthropic
	}
	return MarginDefault
}

// CountRequest is the raw o200k count of req as the sim servers render it:
// text and JSON of the system prompt, every message, tool call and tool
// result, tool definitions and the answer schema, plus the framing
// constants above. It is exact for the sim whatever wire format carries
// req, provided the adapter sends the text as it is and one message per
// frugal.Message; merging messages (as Anthropic adapters do with tool
// results) only lowers the sim's count, and a failed tool's result may
// carry an error marker of up to ToolErrorMarker tokens.
func CountRequest(req frugal.Request) int64 {
	n := int64(ReplyPriming)
	if req.System != "" {
		n += MessageFraming + int64(Count(req.System))
	}
	if len(req.Tools) > 0 {
		n += ToolsFraming
		for _, t := range req.Tools {
			n += ToolFraming + int64(Count(t.Name)+Count(t.Description)+CountJSON(t.Parameters))
		}
	}
	if len(req.Schema) > 0 {
		n += SchemaFraming + int64(Count(req.SchemaName)+CountJSON(req.Schema))
	}
	for _, m := range req.Messages {
		n += MessageFraming + int64(Count(m.Content))
		if m.Role == frugal.RoleTool {
			n += ToolCallFraming
			if m.IsError {
				n += ToolErrorMarker
			}
		}
		for _, c := range m.ToolCalls {
			n += ToolCallFraming + int64(Count(c.Name)+CountJSON(c.Arguments))
		}
	}
	return n
}

// EstimateRequest returns the input tokens provider will bill for req, as
// an upper bound: CountRequest(req) scaled by MarginFor(provider). For
// OpenAI that is ×1.02 + 8 tokens, for Anthropic ×1.5 + 16 and for every
// other provider ×1.25 + 16. The result feeds spend-cap reservations, so it
// errs high.
func EstimateRequest(req frugal.Request, provider string) int64 {
	return MarginFor(provider).Apply(CountRequest(req))
}
