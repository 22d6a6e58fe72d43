package anthropic_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func TestErrorMapping(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	body := func(typ, msg string) string {
		return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`, typ, msg)
	}
	for _, tc := range []struct {
		name      string
		status    int
		headers   map[string]string
		body      string
		want      frugal.ProviderError
		retryable bool
	}{
		{"invalid request", 400, nil, body("invalid_request_error", "max_tokens: Field required"),
			frugal.ProviderError{Status: 400, Type: "invalid_request_error", Message: "max_tokens: Field required"}, false},
		{"auth, key echoed", 401, nil, body("authentication_error", "invalid x-api-key "+testKey),
			frugal.ProviderError{Status: 401, Type: "authentication_error", Message: "invalid x-api-key [REDACTED]"}, false},
		{"not found", 404, nil, body("not_found_error", "model: claude-nope"),
			frugal.ProviderError{Status: 404, Type: "not_found_error", Message: "model: claude-nope"}, false},
		{"too large", 413, nil, body("request_too_large", "Request exceeds the maximum allowed number of bytes."),
			frugal.ProviderError{Status: 413, Type: "request_too_large", Message: "Request exceeds the maximum allowed number of bytes."}, false},
		{"rate limited, retry-after", 429, map[string]string{"retry-after": "12"}, body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
			frugal.ProviderError{Status: 429, Type: "rate_limit_error", Message: "Number of request tokens has exceeded your per-minute rate limit", RetryAfter: 12 * time.Second}, true},
		{"rate limited, reset headers", 429, map[string]string{
			"anthropic-ratelimit-requests-remaining": "10", "anthropic-ratelimit-requests-reset": now.Add(2 * time.Second).Format(time.RFC3339),
			"anthropic-ratelimit-input-tokens-remaining": "0", "anthropic-ratelimit-input-tokens-reset": now.Add(40 * time.Second).Format(time.RFC3339),
		}, body("rate_limit_error", "slow down"),
			frugal.ProviderError{Status: 429, Type: "rate_limit_error", Message: "slow down", RetryAfter: 40 * time.Second}, true},
		{"api error", 500, nil, body("api_error", "Internal server error"),
			frugal.ProviderError{Status: 500, Type: "api_error", Message: "Internal server error"}, true},
		{"overloaded", 529, nil, body("overloaded_error", "Overloaded"),
			frugal.ProviderError{Status: 529, Type: "overloaded_error", Message: "Overloaded"}, true},
		{"should not retry", 529, map[string]string{"x-should-retry": "false"}, body("overloaded_error", "Overloaded"),
			frugal.ProviderError{Status: 529, Type: "overloaded_error", Message: "Overloaded"}, false},
		{"proxy page", 502, nil, "<html>Bad Gateway</html>",
			frugal.ProviderError{Status: 502, Message: "<html>Bad Gateway</html>"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := wiretest.NewServer(t, wiretest.Reply(tc.status, tc.headers, tc.body))
			c := client(s, func(o *anthropic.Options) { o.Provider = "anthropic"; o.Now = func() time.Time { return now } })
			for _, stream := range []bool{false, true} {
				_, err := wiretest.Call(c, chatRequest(), stream)
				var pe *frugal.ProviderError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v", err)
				}
				want := tc.want
				want.Provider, want.Retryable = "anthropic", tc.retryable
				if *pe != want {
					t.Errorf("stream=%v:\n got %#v\nwant %#v", stream, *pe, want)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("key leaked: %v", err)
				}
			}
		})
	}
}

func TestConnectionError(t *testing.T) {
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {})
	url := s.URL
	s.Close()
	_, err := anthropic.New(anthropic.Options{BaseURL: url, APIKey: frugal.NewSecret(testKey)}).Stream(context.Background(), chatRequest(), nil)
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || pe.Billed || pe.Provider != "anthropic" {
		t.Errorf("err = %#v", err)
	}
}
