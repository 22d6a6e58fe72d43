package openai

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/frugal-dev/frugal/internal/httpx"
)

// rateLimits are OpenAI's rate-limit headers, read on a 429 without
// Retry-After. Their resets are durations such as "1s", "6m0s", "20ms".
var rateLimits = &httpx.RateLimits{
	Limits: []httpx.RateLimit{
		{Reset: "x-ratelimit-reset-requests", Remaining: "x-ratelimit-remaining-requests"},
		{Reset: "x-ratelimit-reset-tokens", Remaining: "x-ratelimit-remaining-tokens"},
	},
	Parse: func(v string, _ time.Time) (time.Duration, error) { return time.ParseDuration(v) },
}

// parseErrorBody reads the error shapes of OpenAI-compatible servers:
// {"error": {"message", "type", "code"}} (OpenAI, llama.cpp, OpenRouter),
// {"error": "text"} (Ollama), {"message", "type"} (vLLM) or plain text.
func parseErrorBody(body []byte) (typ, msg string) {
	var eb struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Type    string          `json:"type"`
	}
	if json.Unmarshal(body, &eb) != nil {
		return "", httpx.Snippet(body)
	}
	if e := strings.TrimSpace(string(eb.Error)); e != "" {
		switch e[0] {
		case '{':
			var d ErrorDetail
			if json.Unmarshal(eb.Error, &d) == nil {
				typ, msg = d.Type, d.Message
				if typ == "" {
					typ = codeString(d.Code)
				}
			}
		case '"':
			_ = json.Unmarshal(eb.Error, &msg)
		}
	}
	if msg == "" {
		msg = eb.Message
	}
	if typ == "" {
		typ = eb.Type
	}
	return typ, httpx.Snippet([]byte(msg))
}

// codeString returns an error code given as a JSON string; "" otherwise.
func codeString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
