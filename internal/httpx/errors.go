package httpx

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
)

// MaxRetryAfter bounds a server's wait hint, against nonsense.
const MaxRetryAfter = 24 * time.Hour

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// errCallTimeout is the cause of a call's context when Endpoint.Timeout
// runs out, to tell it apart from the caller's own cancellation.
var errCallTimeout = errors.New("call timeout")

// ErrTruncated is what a stream parser returns for an answer cut off
// before its end; see Truncated.
var ErrTruncated = errors.New("truncated")

// Truncated is the error of a stream that ended before what (its final
// event, say). A cut connection, most likely: another attempt may succeed,
// and this one may have been billed.
func Truncated(what string) *frugal.ProviderError {
	return &frugal.ProviderError{Message: "stream truncated before " + what, Retryable: true, Billed: true}
}

// ProtocolError is an answer that arrived but cannot be read whole. The
// call ran, so it may have been billed; sending the same request again
// would likely give the same answer, so it is not retryable. Provider is
// left for Endpoint.Label to fill in.
func ProtocolError(msg string) *frugal.ProviderError {
	return &frugal.ProviderError{Message: msg, Billed: true}
}

// RetryableStatus follows the official SDKs: timeouts, lock conflicts,
// rate limits (a proxy's, too) and server errors (including 529
// overloaded) may pass on a later attempt; other 4xx (an unknown model, a
// bad request) will not.
func RetryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusConflict ||
		status == http.StatusTooManyRequests || status >= 500
}

// Snippet makes a bounded (500 bytes and an ellipsis), printable,
// one-line message of b, for error bodies that may be anything: a JSON
// message, a proxy's HTML page, binary noise.
func Snippet(b []byte) string {
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

// RateLimits are a provider's rate-limit headers, read on a 429 that
// carries no Retry-After: the wait is the latest reset among the limits
// that are exhausted (remaining "0"), or among all of them when none says
// so.
type RateLimits struct {
	Limits []RateLimit
	// Parse reads a reset header's value as the wait from now; an error
	// (an absent header among them) skips the limit.
	Parse func(v string, now time.Time) (time.Duration, error)
}

// RateLimit names the two headers of one limit (requests, tokens, …).
type RateLimit struct {
	Reset     string // when the limit resets
	Remaining string // what is left of it; "0" when exhausted
}

// RetryAfter reads a server's wait hint: Retry-After-Ms, then Retry-After
// in seconds or as an HTTP date, then, when rateLimited (a 429) and rl is
// not nil, the provider's rate-limit reset headers. The wait is within
// [0, MaxRetryAfter]; 0 when there is none.
func RetryAfter(h http.Header, now time.Time, rateLimited bool, rl *RateLimits) time.Duration {
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
	if !rateLimited || rl == nil {
		return 0
	}
	var exhausted, any time.Duration
	for _, l := range rl.Limits {
		d, err := rl.Parse(h.Get(l.Reset), now)
		if err != nil {
			continue
		}
		any = max(any, d)
		if h.Get(l.Remaining) == "0" {
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
	if ns > float64(MaxRetryAfter) {
		return MaxRetryAfter
	}
	return time.Duration(ns)
}

// callbackError carries the error returned by the caller's delta
// callback, which ends the stream and is returned as is.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// Emit hands d to the caller's callback fn (nil: nobody listens). An error
// from fn comes back wrapped, so that a stream parser can return it like
// any other and Endpoint.Stream still returns it unchanged.
func Emit(fn func(frugal.Delta) error, d frugal.Delta) error {
	if fn == nil {
		return nil
	}
	if err := fn(d); err != nil {
		return &callbackError{err}
	}
	return nil
}
