package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// maxRetryAfter bounds a server's Retry-After hint, against nonsense.
const maxRetryAfter = 24 * time.Hour

// errCallTimeout is the cause of a call's context when Options.Timeout
// runs out, to tell it apart from the caller's own cancellation.
var errCallTimeout = errors.New("call timeout")

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

// statusError maps a non-2xx response to a ProviderError.
func (c *Client) statusError(resp *http.Response) *frugal.ProviderError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	typ, msg := parseErrorBody(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	pe := &frugal.ProviderError{
		Provider:   c.provider,
		Status:     resp.StatusCode,
		Type:       typ,
		Message:    c.scrub(msg),
		Retryable:  retryableStatus(resp.StatusCode),
		RetryAfter: retryAfter(resp.Header, c.now(), resp.StatusCode == http.StatusTooManyRequests),
	}
	// The official SDKs obey the server's explicit advice.
	switch resp.Header.Get("x-should-retry") {
	case "true":
		pe.Retryable = true
	case "false":
		pe.Retryable = false
	}
	return pe
}

// eventError maps an error event of a stream.
func eventError(d *ErrorDetail) *frugal.ProviderError {
	pe := &frugal.ProviderError{Type: d.Type, Message: snippet([]byte(d.Message)), Billed: true}
	if s, ok := errorStatus[d.Type]; ok {
		pe.Status = s
		pe.Retryable = retryableStatus(s)
	}
	if pe.Message == "" {
		pe.Message = "error event in stream"
	}
	return pe
}

// retryableStatus follows the official SDKs: timeouts, lock conflicts,
// rate limits and server errors (including 529 overloaded) may pass on a
// later attempt; other 4xx will not.
func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusTooManyRequests || status >= 500
}

// parseErrorBody reads {"type":"error","error":{"type","message"}} and
// falls back to a snippet of the body (a proxy's HTML page, say).
func parseErrorBody(body []byte) (typ, msg string) {
	var eb struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil || len(eb.Error) == 0 {
		return "", snippet(body)
	}
	var d ErrorDetail
	if json.Unmarshal(eb.Error, &d) == nil {
		return d.Type, snippet([]byte(d.Message))
	}
	var s string
	if json.Unmarshal(eb.Error, &s) == nil {
		return "", snippet([]byte(s))
	}
	return "", snippet(body)
}

// snippet makes a bounded, printable one-line message of b.
func snippet(b []byte) string {
	const max = 500
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	s = strings.ToValidUTF8(s, "?")
	return strings.Join(strings.Fields(s), " ")
}

// retryAfter reads the server's wait hint: Retry-After-Ms, then Retry-After
// in seconds or as an HTTP date, then (for a 429) the
// anthropic-ratelimit-*-reset times (RFC 3339) of the limits that are
// exhausted, or of all when none says so. 0 when there is none.
func retryAfter(h http.Header, now time.Time, rateLimited bool) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return clampWait(f * float64(time.Millisecond))
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return clampWait(f * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampWait(float64(t.Sub(now)))
		}
	}
	if !rateLimited {
		return 0
	}
	var exhausted, any time.Duration
	for _, kind := range []string{"requests", "tokens", "input-tokens", "output-tokens"} {
		t, err := time.Parse(time.RFC3339, h.Get("anthropic-ratelimit-"+kind+"-reset"))
		if err != nil {
			continue
		}
		d := t.Sub(now)
		any = max(any, d)
		if h.Get("anthropic-ratelimit-"+kind+"-remaining") == "0" {
			exhausted = max(exhausted, d)
		}
	}
	if exhausted > 0 {
		return clampWait(float64(exhausted))
	}
	return clampWait(float64(any))
}

func clampWait(ns float64) time.Duration {
	if math.IsNaN(ns) || ns <= 0 {
		return 0
	}
	if ns > float64(maxRetryAfter) {
		return maxRetryAfter
	}
	return time.Duration(ns)
}

// transportError maps a failure to reach the server or to read its answer.
// The caller's own cancellation is returned as the context's error; the
// per-call timeout and connection failures are retryable ProviderErrors.
func (c *Client) transportError(ctx context.Context, err error, billed bool) error {
	if context.Cause(ctx) == errCallTimeout {
		return &frugal.ProviderError{Provider: c.provider, Message: "timed out after " + c.opts.Timeout.String(), Retryable: true, Billed: billed}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", c.provider, context.Cause(ctx))
	}
	return &frugal.ProviderError{Provider: c.provider, Message: c.scrub("connection: " + err.Error()), Retryable: true, Billed: billed}
}

// label fills in the provider of an error from the parsers and scrubs its
// message.
func (c *Client) label(err error) error {
	var pe *frugal.ProviderError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if pe.Provider == "" {
		pe.Provider = c.provider
	}
	pe.Message = c.scrub(pe.Message)
	return pe
}

// scrub removes the API key from a message, in case a server echoes it.
func (c *Client) scrub(s string) string {
	if k := c.opts.APIKey.Reveal(); len(k) >= 8 {
		s = strings.ReplaceAll(s, k, "[REDACTED]")
	}
	return s
}
