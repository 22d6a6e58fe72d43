package openai_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

func TestErrorMapping(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		status    int
		headers   map[string]string
		body      string
		want      frugal.ProviderError
		retryable bool
	}{
		{"invalid request", 400, nil,
			`{"error":{"message":"Unsupported parameter: 'max_tokens'","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`,
			frugal.ProviderError{Status: 400, Type: "invalid_request_error", Message: "Unsupported parameter: 'max_tokens'"}, false},
		{"bad key echoed", 401, nil,
			`{"error":{"message":"Incorrect API key provided: ` + testKey + `.","type":"invalid_request_error","code":"invalid_api_key"}}`,
			frugal.ProviderError{Status: 401, Type: "invalid_request_error", Message: "Incorrect API key provided: [REDACTED]."}, false},
		{"not found, code only", 404, nil, `{"error":{"message":"The model does not exist","code":"model_not_found"}}`,
			frugal.ProviderError{Status: 404, Type: "model_not_found", Message: "The model does not exist"}, false},
		{"request timeout", 408, nil, `{}`, frugal.ProviderError{Status: 408, Message: "Request Timeout"}, true},
		{"conflict", 409, nil, ``, frugal.ProviderError{Status: 409, Message: "Conflict"}, true},
		{"rate limited, seconds", 429, map[string]string{"Retry-After": "7"},
			`{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`,
			frugal.ProviderError{Status: 429, Type: "requests", Message: "Rate limit reached", RetryAfter: 7 * time.Second}, true},
		{"rate limited, ms", 429, map[string]string{"Retry-After-Ms": "1500", "Retry-After": "9"}, `{}`,
			frugal.ProviderError{Status: 429, Message: "Too Many Requests", RetryAfter: 1500 * time.Millisecond}, true},
		{"rate limited, reset headers", 429, map[string]string{
			"x-ratelimit-remaining-requests": "4999", "x-ratelimit-reset-requests": "12ms",
			"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s"}, `{}`,
			frugal.ProviderError{Status: 429, Message: "Too Many Requests", RetryAfter: 6 * time.Minute}, true},
		{"server error, date", 503, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)},
			`{"error":"model is loading"}`,
			frugal.ProviderError{Status: 503, Message: "model is loading", RetryAfter: 90 * time.Second}, true},
		{"date in the past", 503, map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, ``,
			frugal.ProviderError{Status: 503, Message: "Service Unavailable"}, true},
		{"overloaded", 529, nil, `{"error":{"message":"Overloaded","type":"overloaded_error"}}`,
			frugal.ProviderError{Status: 529, Type: "overloaded_error", Message: "Overloaded"}, true},
		{"server says no retry", 500, map[string]string{"x-should-retry": "false"}, `{"error":{"message":"boom"}}`,
			frugal.ProviderError{Status: 500, Message: "boom"}, false},
		{"vllm body", 400, nil, `{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}`,
			frugal.ProviderError{Status: 400, Type: "BadRequestError", Message: "This model's maximum context length is 4096 tokens."}, false},
		{"html gateway page", 502, nil, "<html>\n<body>Bad   Gateway</body>\n</html>",
			frugal.ProviderError{Status: 502, Message: "<html> <body>Bad Gateway</body> </html>"}, true},
		{"absurd retry-after", 429, map[string]string{"Retry-After": "99999999999999"}, `{}`,
			frugal.ProviderError{Status: 429, Message: "Too Many Requests", RetryAfter: 24 * time.Hour}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := wiretest.NewServer(t, wiretest.Reply(tc.status, tc.headers, tc.body))
			c := openai.New(openai.Options{BaseURL: s.URL, APIKey: frugal.NewSecret(testKey), Provider: "openai", Now: func() time.Time { return now }})
			for _, stream := range []bool{false, true} {
				_, err := wiretest.Call(c, chatRequest(), stream)
				var pe *frugal.ProviderError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v", err)
				}
				want := tc.want
				want.Provider, want.Retryable = "openai", tc.retryable
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
	_, err := openai.New(openai.Options{BaseURL: url, APIKey: frugal.NewSecret(testKey)}).Chat(context.Background(), chatRequest())
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || pe.Billed || pe.Status != 0 || !strings.Contains(pe.Message, "connection") {
		t.Errorf("err = %#v", err)
	}
}

// A connection cut in the middle of a body is retryable and may be billed.
func TestConnectionCutMidBody(t *testing.T) {
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"choices":[`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	_, err := client(s, openai.Quirks{}).Chat(context.Background(), chatRequest())
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !pe.Billed {
		t.Errorf("err = %#v", err)
	}
}
