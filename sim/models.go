package sim

import (
	"net/http"
	"strings"
)

// Models listed when Options.Models is empty (any name is served anyway).
var (
	defaultOpenAIModels    = []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "gpt-5-mini", "o4-mini", "deepseek-chat", "deepseek-reasoner"}
	defaultAnthropicModels = []string{"claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5"}
	defaultOllamaModels    = []string{"qwen2.5-coder:7b", "llama3.2:3b"}
)

// listModels answers GET /v1/models (Anthropic's shape when the request
// carries anthropic-version or x-api-key, OpenAI's otherwise) and GET
// /api/tags (Ollama's).
func (h *Handler) listModels(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "method not allowed"})
		return
	}
	created := h.now().UTC()
	pick := func(defaults []string) []string {
		if len(h.opts.Models) > 0 {
			return h.opts.Models
		}
		return defaults
	}
	switch {
	case path == "/api/tags":
		var models []map[string]any
		for _, m := range pick(defaultOllamaModels) {
			family, _, _ := strings.Cut(m, ":")
			models = append(models, map[string]any{
				"name": m, "model": m, "modified_at": created.Format(olCreatedLayout), "size": 4_683_087_332,
				"digest": "sim", "details": map[string]any{"parent_model": "", "format": "gguf", "family": family,
					"families": []string{family}, "parameter_size": "7B", "quantization_level": "Q4_K_M"},
			})
		}
		writeJSON(w, http.StatusOK, map[string]any{"models": models})
	case r.Header.Get("anthropic-version") != "" || r.Header.Get("x-api-key") != "":
		if e := h.authorize(r, endpointAnthropic); e != nil {
			anthropicWire{}.writeError(w, e)
			return
		}
		var data []map[string]any
		for _, m := range pick(defaultAnthropicModels) {
			data = append(data, map[string]any{"type": "model", "id": m, "display_name": m, "created_at": created.Format("2006-01-02T15:04:05Z")})
		}
		first, last := "", ""
		if len(data) > 0 {
			first, last = data[0]["id"].(string), data[len(data)-1]["id"].(string)
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "has_more": false, "first_id": first, "last_id": last})
	default:
		if e := h.authorize(r, endpointOpenAI); e != nil {
			openaiWire{}.writeError(w, e)
			return
		}
		var data []map[string]any
		for _, m := range pick(defaultOpenAIModels) {
			data = append(data, map[string]any{"id": m, "object": "model", "created": created.Unix(), "owned_by": "sim"})
		}
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
	}
}
