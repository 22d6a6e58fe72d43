package openai

import (
	"strings"

	"github.com/frugal-dev/frugal"
)

// How Request.MaxOutput is sent (Quirks.MaxTokensField).
const (
	// MaxTokensAuto sends max_completion_tokens to OpenAI reasoning models
	// (o1, o3, o4, gpt-5 and their variants, which reject max_tokens) and
	// max_tokens to every other model.
	MaxTokensAuto = ""
	// MaxTokensLegacy always sends max_tokens.
	MaxTokensLegacy = "max_tokens"
	// MaxCompletionTokens always sends max_completion_tokens.
	MaxCompletionTokens = "max_completion_tokens"
)

// How Request.Schema is sent (Quirks.SchemaMode).
const (
	// SchemaJSONSchema sends response_format {"type":"json_schema"}.
	SchemaJSONSchema = ""
	// SchemaJSONObject sends response_format {"type":"json_object"} and puts
	// the schema in the system prompt, for servers that only have JSON mode
	// (DeepSeek, which also wants the word "json" in the prompt).
	SchemaJSONObject = "json_object"
)

// Quirks are the documented differences between OpenAI-compatible servers.
// The zero value suits a generic server.
type Quirks struct {
	// MaxTokensField is MaxTokensAuto, MaxTokensLegacy or MaxCompletionTokens.
	MaxTokensField string
	// SchemaMode is SchemaJSONSchema or SchemaJSONObject.
	SchemaMode string
	// NoStreamOptions leaves out stream_options {"include_usage": true} for
	// servers that reject it; usage then comes only if the server sends it
	// unasked.
	NoStreamOptions bool
	// PromptCacheKey sends Request.CacheKey as prompt_cache_key (OpenAI only;
	// strict servers reject unknown members).
	PromptCacheKey bool
	// UsageInclude sends OpenRouter's "usage": {"include": true}, which asks
	// for usage.cost (OpenRouter now always includes it; the member is
	// harmless).
	UsageInclude bool
	// KeyOptional marks servers that run without an API key (local ones),
	// for the configuration layer; the client itself sends whatever key it
	// was given, or none.
	KeyOptional bool
}

// Preset is a known OpenAI-compatible provider.
type Preset struct {
	Name    string // provider label, as in "deepseek/deepseek-chat"
	BaseURL string // including the version path, e.g. "https://api.openai.com/v1"
	KeyEnv  string // environment variable that holds the API key; "" for none
	Quirks  Quirks
}

// Presets returns the OpenAI-compatible providers frugal knows, in a fixed
// order. Callers read the key from KeyEnv and pass it to Preset.Options.
func Presets() []Preset {
	return []Preset{
		{Name: "openai", BaseURL: "https://api.openai.com/v1", KeyEnv: "OPENAI_API_KEY",
			Quirks: Quirks{MaxTokensField: MaxCompletionTokens, PromptCacheKey: true}},
		{Name: "deepseek", BaseURL: "https://api.deepseek.com", KeyEnv: "DEEPSEEK_API_KEY",
			Quirks: Quirks{MaxTokensField: MaxTokensLegacy, SchemaMode: SchemaJSONObject}},
		{Name: "openrouter", BaseURL: "https://openrouter.ai/api/v1", KeyEnv: "OPENROUTER_API_KEY",
			Quirks: Quirks{MaxTokensField: MaxTokensLegacy, UsageInclude: true}}, // it maps max_tokens per model itself
		{Name: "groq", BaseURL: "https://api.groq.com/openai/v1", KeyEnv: "GROQ_API_KEY"},
		{Name: "together", BaseURL: "https://api.together.xyz/v1", KeyEnv: "TOGETHER_API_KEY"},
		{Name: "vllm", BaseURL: "http://localhost:8000/v1", KeyEnv: "VLLM_API_KEY",
			Quirks: Quirks{KeyOptional: true}},
		{Name: "llamacpp", BaseURL: "http://localhost:8080/v1", KeyEnv: "LLAMACPP_API_KEY",
			Quirks: Quirks{KeyOptional: true}},
		{Name: "lmstudio", BaseURL: "http://localhost:1234/v1",
			Quirks: Quirks{KeyOptional: true}},
		{Name: "ollama-openai", BaseURL: "http://localhost:11434/v1",
			Quirks: Quirks{KeyOptional: true}},
	}
}

// PresetByName returns the preset called name; ok is false when there is
// none.
func PresetByName(name string) (p Preset, ok bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Options returns client options for this preset with the given key.
func (p Preset) Options(key frugal.Secret) Options {
	return Options{BaseURL: p.BaseURL, APIKey: key, Provider: p.Name, Quirks: p.Quirks}
}

// isReasoningModel reports whether model is an OpenAI reasoning model,
// which takes max_completion_tokens and only the default temperature. A
// router prefix ("openai/o3-mini") is ignored.
func isReasoningModel(model string) bool {
	m := strings.ToLower(model[strings.LastIndexByte(model, '/')+1:])
	for _, p := range []string{"o1", "o3", "o4"} {
		if m == p || strings.HasPrefix(m, p+"-") {
			return true
		}
	}
	return strings.HasPrefix(m, "gpt-5") && !strings.Contains(m, "-chat")
}
