package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

const testKey = "sk-test-0123456789abcdefghij"

// endpoint is an Endpoint shaped like the adapters', on url.
func endpoint(url string) *httpx.Endpoint {
	return &httpx.Endpoint{
		Provider:     "test",
		URL:          url,
		APIKey:       frugal.NewSecret(testKey),
		KeyHeader:    "Authorization",
		KeyPrefix:    "Bearer ",
		StreamAccept: "text/event-stream",
		ParseError: func(b []byte) (string, string) {
			var eb struct{ Type, Message string }
			if json.Unmarshal(b, &eb) != nil {
				return "", httpx.Snippet(b)
			}
			return eb.Type, httpx.Snippet([]byte(eb.Message))
		},
	}
}

func TestCallSendsJSONWithHeaders(t *testing.T) {
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"ok":true}`) })
	e := endpoint(srv.URL)
	e.KeyHeader, e.KeyPrefix = "x-api-key", ""
	e.Fixed = map[string]string{"anthropic-version": "2023-06-01", "x-fixed": "f"}
	e.Headers = map[string]string{"Anthropic-Version": "2099-01-01", "X-Title": "t"}
	body, err := e.Call(context.Background(), map[string]int{"a": 1})
	if err != nil || string(body) != `{"ok":true}` {
		t.Fatalf("body %s, err %v", body, err)
	}
	got := srv.Last(t)
	h, b := got.Header, got.Body
	for k, want := range map[string]string{
		"Content-Type": "application/json", "Accept": "application/json", "X-Api-Key": testKey,
		"Anthropic-Version": "2099-01-01", "X-Fixed": "f", "X-Title": "t", "Authorization": "",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if string(b) != `{"a":1}` {
		t.Errorf("body = %s", b)
	}

	// The caller's headers win over Content-Type and Accept too; a
	// streaming call accepts StreamAccept; the Bearer form of the key.
	e = endpoint(srv.URL)
	e.Headers = map[string]string{"Content-Type": "application/vnd.x+json"}
	if _, err := e.Stream(context.Background(), 1, readAll); err != nil {
		t.Fatal(err)
	}
	h = srv.Last(t).Header
	if h.Get("Accept") != "text/event-stream" || h.Get("Content-Type") != "application/vnd.x+json" || h.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("headers %v", h)
	}

	// The zero key sends no key header.
	e = endpoint(srv.URL)
	e.APIKey = frugal.Secret{}
	if _, err := e.Call(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if h = srv.Last(t).Header; len(h.Values("Authorization")) != 0 {
		t.Errorf("Authorization sent without a key: %v", h)
	}
}

func TestCallInvalidRequest(t *testing.T) {
	e := endpoint("http://127.0.0.1:1")
	if _, err := e.Call(context.Background(), func() {}); frugal.ErrorCode(err) != frugal.EINVALID || !strings.HasPrefix(err.Error(), "test: encoding request") {
		t.Errorf("unencodable: err = %v", err)
	}
	e.URL = "::not a url"
	if _, err := e.Call(context.Background(), 1); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("bad URL: err = %v", err)
	}
}

func TestStatusErrors(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	limits := &httpx.RateLimits{
		Limits: []httpx.RateLimit{{Reset: "r-a", Remaining: "left-a"}, {Reset: "r-b", Remaining: "left-b"}},
		Parse:  func(v string, _ time.Time) (time.Duration, error) { return time.ParseDuration(v) },
	}
	for _, tc := range []struct {
		name        string
		status      int
		headers     map[string]string
		body        string
		shouldRetry bool
		want        frugal.ProviderError
	}{
		{"typed", 400, nil, `{"type":"invalid","message":"bad\n  field"}`, false,
			frugal.ProviderError{Status: 400, Type: "invalid", Message: "bad field"}},
		{"key echoed", 401, nil, `{"message":"key ` + testKey + ` is wrong"}`, false,
			frugal.ProviderError{Status: 401, Message: "key [REDACTED] is wrong"}},
		{"empty body", 503, nil, ``, false,
			frugal.ProviderError{Status: 503, Message: "Service Unavailable", Retryable: true}},
		{"retry-after", 429, map[string]string{"Retry-After": "7", "r-a": "1m"}, `{}`, false,
			frugal.ProviderError{Status: 429, Message: "Too Many Requests", Retryable: true, RetryAfter: 7 * time.Second}},
		{"reset headers", 429, map[string]string{"r-a": "1m", "r-b": "5s", "left-b": "0"}, `{}`, false,
			frugal.ProviderError{Status: 429, Message: "Too Many Requests", Retryable: true, RetryAfter: 5 * time.Second}},
		{"reset headers only on 429", 503, map[string]string{"r-a": "1m"}, `{}`, false,
			frugal.ProviderError{Status: 503, Message: "Service Unavailable", Retryable: true}},
		{"should-retry ignored", 500, map[string]string{"x-should-retry": "false"}, `{}`, false,
			frugal.ProviderError{Status: 500, Message: "Internal Server Error", Retryable: true}},
		{"should-retry false", 500, map[string]string{"x-should-retry": "false"}, `{}`, true,
			frugal.ProviderError{Status: 500, Message: "Internal Server Error"}},
		{"should-retry true", 400, map[string]string{"x-should-retry": "true"}, `{}`, true,
			frugal.ProviderError{Status: 400, Message: "Bad Request", Retryable: true}},
		{"conflict", 409, nil, `oops`, false,
			frugal.ProviderError{Status: 409, Message: "oops", Retryable: true}},
		{"no error parser", 404, nil, ` {"type":"x",` + "\n" + `"message":"m"} `, false,
			frugal.ProviderError{Status: 404, Message: `{"type":"x", "message":"m"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := wiretest.NewServer(t, wiretest.Reply(tc.status, tc.headers, tc.body))
			e := endpoint(srv.URL)
			e.Now = func() time.Time { return now }
			e.RateLimits = limits
			e.ShouldRetry = tc.shouldRetry
			if tc.name == "no error parser" {
				e.ParseError = nil
			}
			for _, stream := range []bool{false, true} {
				var err error
				if stream {
					_, err = e.Stream(context.Background(), 1, readAll)
				} else {
					_, err = e.Call(context.Background(), 1)
				}
				var pe *frugal.ProviderError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v", err)
				}
				want := tc.want
				want.Provider = "test"
				if *pe != want {
					t.Errorf("stream=%v:\n got %#v\nwant %#v", stream, *pe, want)
				}
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {})
	url := srv.URL
	srv.Close()
	_, err := endpoint(url).Call(context.Background(), 1)
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || pe.Billed || pe.Status != 0 || pe.Provider != "test" || !strings.HasPrefix(pe.Message, "connection: ") {
		t.Errorf("connection refused: err = %#v", err)
	}

	release := make(chan struct{})
	defer close(release)
	hang := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	e := endpoint(hang.URL)
	e.Timeout = 20 * time.Millisecond
	_, err = e.Call(context.Background(), 1)
	// The request was written whole: the provider may bill it.
	if !errors.As(err, &pe) || !pe.Retryable || !pe.Billed || pe.Message != "timed out after 20ms" {
		t.Errorf("timeout: err = %#v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = endpoint(hang.URL).Call(ctx, 1)
	if !errors.Is(err, context.Canceled) || errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "test: ") {
		t.Errorf("cancelled: err = %#v", err)
	}
}

// A body cut in the middle is retryable and may have been billed.
func TestCallCutMidBody(t *testing.T) {
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"a":`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	_, err := endpoint(srv.URL).Call(context.Background(), 1)
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Retryable || !pe.Billed || !strings.Contains(pe.Message, "reading response") {
		t.Errorf("err = %#v", err)
	}
}

func TestCallBodyTooLarge(t *testing.T) {
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 1<<20)
		for range 32 {
			fmt.Fprint(w, chunk)
		}
		fmt.Fprint(w, "!")
	})
	_, err := endpoint(srv.URL).Call(context.Background(), 1)
	want := frugal.ProviderError{Provider: "test", Message: "response larger than 33554432 bytes", Billed: true}
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || *pe != want {
		t.Errorf("err = %#v", err)
	}
}

func TestChat(t *testing.T) {
	type answer struct{ A int }
	var body string
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	e := endpoint(srv.URL)
	parse := func(raw []byte, a *answer) (frugal.Response, error) {
		out := frugal.Response{Model: fmt.Sprint(a.A), StopReason: string(raw)}
		if a.A < 0 {
			return out, httpx.ProtocolError("negative " + testKey)
		}
		return out, nil
	}

	body = `{"A":3}`
	out, err := httpx.Chat(context.Background(), e, 1, parse)
	if err != nil || out.Model != "3" || out.StopReason != body || string(srv.Last(t).Body) != "1" {
		t.Errorf("out %+v err %v", out, err)
	}

	// parse's answer comes back with its error labelled.
	body = `{"A":-1}`
	out, err = httpx.Chat(context.Background(), e, 1, parse)
	want := frugal.ProviderError{Provider: "test", Message: "negative [REDACTED]", Billed: true}
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || *pe != want || out.Model != "-1" {
		t.Errorf("out %+v err %#v", out, err)
	}

	body = `{"A":"x"}`
	out, err = httpx.Chat(context.Background(), e, 1, parse)
	if !errors.As(err, &pe) || !pe.Billed || pe.Retryable || pe.Provider != "test" || !strings.HasPrefix(pe.Message, "malformed JSON response: ") || out.Model != "" {
		t.Errorf("malformed: out %+v err %#v", out, err)
	}

	srv.Close()
	if _, err = httpx.Chat(context.Background(), e, 1, parse); !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, "connection: ") {
		t.Errorf("down: err %#v", err)
	}
}

func TestLabel(t *testing.T) {
	e := endpoint("")
	if e.Label(nil) != nil {
		t.Error("nil labelled")
	}
	plain := errors.New("x " + testKey)
	if e.Label(plain) != plain {
		t.Error("a plain error changed")
	}
	pe := &frugal.ProviderError{Message: "echo " + testKey}
	if got := e.Label(fmt.Errorf("wrapped: %w", pe)); got != pe || pe.Provider != "test" || pe.Message != "echo [REDACTED]" {
		t.Errorf("got %#v", got)
	}
	pe = &frugal.ProviderError{Provider: "upstream"}
	if e.Label(pe); pe.Provider != "upstream" {
		t.Errorf("provider overwritten: %#v", pe)
	}
	// Keys shorter than 8 bytes are not scrubbed: too likely to match
	// ordinary text.
	e.APIKey = frugal.NewSecret("abc")
	pe = &frugal.ProviderError{Message: "abc"}
	if e.Label(pe); pe.Message != "abc" {
		t.Errorf("short key scrubbed: %q", pe.Message)
	}
}

// readAll is a stream parser that reads everything and answers with it.
func readAll(r io.Reader) (frugal.Response, error) {
	b, err := io.ReadAll(r)
	return frugal.Response{Message: frugal.Message{Content: string(b)}}, err
}

func TestStream(t *testing.T) {
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "data: x\n\n") })
	e := endpoint(srv.URL)
	out, err := e.Stream(context.Background(), map[string]bool{"stream": true}, readAll)
	if b := srv.Last(t).Body; err != nil || out.Message.Content != "data: x\n\n" || string(b) != `{"stream":true}` {
		t.Fatalf("out %+v err %v body %s", out, err, b)
	}

	stop := errors.New("enough")
	out, err = e.Stream(context.Background(), 1, func(r io.Reader) (frugal.Response, error) {
		return frugal.Response{Model: "partial"}, httpx.Emit(func(frugal.Delta) error { return stop }, frugal.Delta{Text: "a"})
	})
	if err != stop || out.Model != "partial" {
		t.Errorf("callback: out %+v err %#v", out, err)
	}

	_, err = e.Stream(context.Background(), 1, func(r io.Reader) (frugal.Response, error) {
		return frugal.Response{}, httpx.Truncated("the end " + testKey)
	})
	want := frugal.ProviderError{Provider: "test", Message: "stream truncated before the end [REDACTED]", Retryable: true, Billed: true}
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || *pe != want {
		t.Errorf("parser error: err = %#v", err)
	}

	_, err = e.Stream(context.Background(), 1, func(r io.Reader) (frugal.Response, error) {
		return frugal.Response{}, io.ErrUnexpectedEOF
	})
	want = frugal.ProviderError{Provider: "test", Message: "connection: reading stream: unexpected EOF", Retryable: true, Billed: true}
	if !errors.As(err, &pe) || *pe != want {
		t.Errorf("read error: err = %#v", err)
	}
}

// Cancelling the context, or the call's timeout, closes the body under a
// parser blocked in a read.
func TestStreamStopsBlockedRead(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	read := func(r io.Reader) (frugal.Response, error) {
		var out frugal.Response
		err := httpx.ReadSSE(r, func(data []byte, last bool) error {
			out.Message.Content += string(data)
			return nil
		})
		return out, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	out, err := endpoint(srv.URL).Stream(ctx, 1, read)
	if !errors.Is(err, context.Canceled) || out.Message.Content != "first" {
		t.Errorf("cancelled: out %+v err %#v", out, err)
	}

	e := endpoint(srv.URL)
	e.Timeout = 50 * time.Millisecond
	out, err = e.Stream(context.Background(), 1, read)
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Message != "timed out after 50ms" || !pe.Retryable || !pe.Billed || out.Message.Content != "first" {
		t.Errorf("timeout: out %+v err %#v", out, err)
	}
}

func TestEmit(t *testing.T) {
	if err := httpx.Emit(nil, frugal.Delta{Text: "a"}); err != nil {
		t.Errorf("nil fn: %v", err)
	}
	var got []frugal.Delta
	if err := httpx.Emit(func(d frugal.Delta) error { got = append(got, d); return nil }, frugal.Delta{Text: "a"}); err != nil || len(got) != 1 || got[0].Text != "a" {
		t.Errorf("got %v err %v", got, err)
	}
	stop := errors.New("stop")
	if err := httpx.Emit(func(frugal.Delta) error { return stop }, frugal.Delta{}); !errors.Is(err, stop) || err == stop {
		t.Errorf("err = %#v, want stop wrapped", err)
	}
}
