package anthropic

import (
	"encoding/json"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// errorStatus maps the API's error types to their HTTP statuses, for
// errors that arrive inside a stream after a 200.
var errorStatus = map[string]int{
	"invalid_request_error": 400,
	"authentication_error":  401,
	"billing_error":         402,
	"permission_error":      403,
	"not_found_error":       404,
	"request_too_large":     413,
	"rate_limit_error":      429,
	"api_error":             500,
	"timeout_error":         504,
	"overloaded_error":      529,
}

// rateLimits are the anthropic-ratelimit-* headers, read on a 429 without
// Retry-After. Their resets are RFC 3339 times.
var rateLimits = &httpx.RateLimits{
	Limits: []httpx.RateLimit{
		{Reset: "anthropic-ratelimit-requests-reset", Remaining: "anthropic-ratelimit-requests-remaining"},
		{Reset: "anthropic-ratelimit-tokens-reset", Remaining: "anthropic-ratelimit-tokens-remaining"},
		{Reset: "anthropic-ratelimit-input-tokens-reset", Remaining: "anthropic-ratelimit-input-tokens-remaining"},
		{Reset: "anthropic-ratelimit-output-tokens-reset", Remaining: "anthropic-ratelimit-output-tokens-remaining"},
	},
	Parse: func(v string, now time.Time) (time.Duration, error) {
		t, err := time.Parse(time.RFC3339, v)
		return t.Sub(now), err
	},
}

// eventError maps an error event of a stream.
func eventError(d *ErrorDetail) *frugal.ProviderError {
	pe := &frugal.ProviderError{Type: d.Type, Message: httpx.Snippet([]byte(d.Message)), Billed: true}
	if s, ok := errorStatus[d.Type]; ok {
		pe.Status = s
		pe.Retryable = httpx.RetryableStatus(s)
	}
	if pe.Message == "" {
		pe.Message = "error event in stream"
	}
	return pe
}

// parseErrorBody reads {"type":"error","error":{"type","message"}} and
// falls back to a snippet of the body (a proxy's HTML page, say).
func parseErrorBody(body []byte) (typ, msg string) {
	var eb struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil || len(eb.Error) == 0 {
		return "", httpx.Snippet(body)
	}
	var d ErrorDetail
	if json.Unmarshal(eb.Error, &d) == nil {
		return d.Type, httpx.Snippet([]byte(d.Message))
	}
	var s string
	if json.Unmarshal(eb.Error, &s) == nil {
		return "", httpx.Snippet([]byte(s))
	}
	return "", httpx.Snippet(body)
}
