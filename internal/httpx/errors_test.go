package httpx_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// durations reads resets as Go durations ("6m0s"), as OpenAI sends them.
var durations = &httpx.RateLimits{
	Limits: []httpx.RateLimit{{Reset: "x-reset-requests", Remaining: "x-left-requests"}, {Reset: "x-reset-tokens", Remaining: "x-left-tokens"}},
	Parse:  func(v string, _ time.Time) (time.Duration, error) { return time.ParseDuration(v) },
}

// times reads resets as RFC 3339 times, as Anthropic sends them.
var times = &httpx.RateLimits{
	Limits: []httpx.RateLimit{{Reset: "r-reset", Remaining: "r-left"}, {Reset: "t-reset", Remaining: "t-left"}},
	Parse: func(v string, now time.Time) (time.Duration, error) {
		t, err := time.Parse(time.RFC3339, v)
		return t.Sub(now), err
	},
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name    string
		headers map[string]string
		limited bool
		rl      *httpx.RateLimits
		want    time.Duration
	}{
		{"none", nil, true, durations, 0},
		{"seconds", map[string]string{"Retry-After": "7"}, false, nil, 7 * time.Second},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, false, nil, 1500 * time.Millisecond},
		{"ms first", map[string]string{"Retry-After-Ms": "1500", "Retry-After": "9"}, false, nil, 1500 * time.Millisecond},
		{"bad ms falls back", map[string]string{"Retry-After-Ms": "soon", "Retry-After": "9"}, false, nil, 9 * time.Second},
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, false, nil, 90 * time.Second},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, false, nil, 0},
		{"negative", map[string]string{"Retry-After": "-3"}, false, nil, 0},
		{"NaN", map[string]string{"Retry-After": "NaN"}, false, nil, 0},
		{"absurd", map[string]string{"Retry-After": "99999999999999"}, false, nil, httpx.MaxRetryAfter},
		{"out of float range: unreadable", map[string]string{"Retry-After": "1e400"}, false, nil, 0},
		{"Retry-After wins over resets", map[string]string{"Retry-After": "2", "x-reset-tokens": "1m", "x-left-tokens": "0"}, true, durations, 2 * time.Second},
		{"unreadable Retry-After falls to resets", map[string]string{"Retry-After": "soon", "x-reset-tokens": "1m"}, true, durations, time.Minute},
		{"exhausted limit wins", map[string]string{"x-reset-requests": "12ms", "x-left-requests": "4999", "x-reset-tokens": "6m0s", "x-left-tokens": "0"}, true, durations, 6 * time.Minute},
		{"exhausted limit wins, shorter", map[string]string{"x-reset-requests": "1h", "x-left-requests": "3", "x-reset-tokens": "20ms", "x-left-tokens": "0"}, true, durations, 20 * time.Millisecond},
		{"none exhausted: the latest", map[string]string{"x-reset-requests": "1s", "x-reset-tokens": "3s"}, true, durations, 3 * time.Second},
		{"resets only on a 429", map[string]string{"x-reset-tokens": "3s"}, false, durations, 0},
		{"no rate limits known", map[string]string{"x-reset-tokens": "3s"}, true, nil, 0},
		{"unreadable reset skipped", map[string]string{"x-reset-requests": "later", "x-reset-tokens": "3s"}, true, durations, 3 * time.Second},
		{"times", map[string]string{"r-reset": at(2 * time.Second), "r-left": "10", "t-reset": at(40 * time.Second), "t-left": "0"}, true, times, 40 * time.Second},
		{"times in the past", map[string]string{"r-reset": at(-time.Hour), "r-left": "0"}, true, times, 0},
		{"times too far", map[string]string{"r-reset": at(48 * time.Hour)}, true, times, httpx.MaxRetryAfter},
	} {
		h := http.Header{}
		for k, v := range tc.headers {
			h.Set(k, v)
		}
		if got := httpx.RetryAfter(h, now, tc.limited, tc.rl); got != tc.want {
			t.Errorf("%s: RetryAfter = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRetryableStatus(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 413: false, 422: false,
		408: true, 409: true, 429: true, 500: true, 502: true, 503: true, 504: true, 529: true,
	} {
		if got := httpx.RetryableStatus(status); got != want {
			t.Errorf("RetryableStatus(%d) = %v", status, got)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	for _, tc := range []struct{ in, want string }{
		{"  plain  ", "plain"},
		{"<html>\n<body>Bad   Gateway</body>\n</html>", "<html> <body>Bad Gateway</body> </html>"},
		{"a\tb\r\nc", "a b c"},
		{"bad \xff byte", "bad ? byte"},
		{long, strings.Repeat("é", 250) + "…"},
		{"x" + long, "x" + strings.Repeat("é", 249) + "…"}, // a rune is never cut in half
		{"", ""},
	} {
		if got := httpx.Snippet([]byte(tc.in)); got != tc.want {
			t.Errorf("Snippet(%.40q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProtocolAndTruncatedErrors(t *testing.T) {
	if got := *httpx.ProtocolError("bad"); got != (frugal.ProviderError{Message: "bad", Billed: true}) {
		t.Errorf("ProtocolError = %#v", got)
	}
	if got := *httpx.Truncated("done"); got != (frugal.ProviderError{Message: "stream truncated before done", Retryable: true, Billed: true}) {
		t.Errorf("Truncated = %#v", got)
	}
}

// FuzzRetryAfter: any header values give a wait within [0, MaxRetryAfter],
// with either kind of reset header.
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"7", "1.5", "-3", "NaN", "Inf", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "6m0s", "2015-10-21T07:29:00Z", "-2562047h"} {
		f.Add(v, v, v)
	}
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ms, ra, reset string) {
		for _, rl := range []*httpx.RateLimits{durations, times} {
			h := http.Header{}
			h.Set("Retry-After-Ms", ms)
			h.Set("Retry-After", ra)
			for _, l := range rl.Limits {
				h.Set(l.Reset, reset)
				h.Set(l.Remaining, "0")
			}
			if d := httpx.RetryAfter(h, now, true, rl); d < 0 || d > httpx.MaxRetryAfter {
				t.Fatalf("RetryAfter(%q, %q, %q) = %v", ms, ra, reset, d)
			}
		}
	})
}

// FuzzSnippet: any bytes give a short, valid, one-line message.
func FuzzSnippet(f *testing.F) {
	f.Add([]byte("<html>\x00\xff</html>"))
	f.Add([]byte(strings.Repeat("é", 300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := httpx.Snippet(b)
		if len(s) > 500+len("…") || strings.ContainsAny(s, "\n\r\t") || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
			t.Fatalf("Snippet(%q) = %q", b, s)
		}
	})
}
