package ollama

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

// statusError maps a non-2xx response to a ProviderError.
func (c *Client) statusError(resp *http.Response) *frugal.ProviderError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := parseErrorBody(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	pe := &frugal.ProviderError{
		Provider:   c.provider,
		Status:     resp.StatusCode,
		Message:    c.scrub(msg),
		Retryable:  retryableStatus(resp.StatusCode),
		RetryAfter: retryAfter(resp.Header, c.now()),
	}
	return pe
}

// retryableStatus: timeouts, conflicts, rate limits (a proxy's) and server
// errors may pass on a later attempt; other 4xx (an unknown model, a bad
// request) will not.
func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusTooManyRequests || status >= 500
}

// parseErrorBody reads Ollama's {"error": "text"}, the {"error": {…}}
// object some proxies put in front of it, or plain text.
func parseErrorBody(body []byte) string {
	var eb struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil || len(eb.Error) == 0 {
		return snippet(body)
	}
	var msg string
	if json.Unmarshal(eb.Error, &msg) != nil {
		var d struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(eb.Error, &d)
		msg = d.Message
	}
	return snippet([]byte(msg))
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

// retryAfter reads a wait hint (Ollama sends none; a proxy in front of it
// may): Retry-After-Ms, then Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
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
	return 0
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

// scrub removes the API key from a message, in case a server echoes it.
func (c *Client) scrub(s string) string {
	if k := c.opts.APIKey.Reveal(); len(k) >= 8 {
		s = strings.ReplaceAll(s, k, "[REDACTED]")
	}
	return s
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

var errTruncated = errors.New("truncated")
