// Package httpx is the HTTP side of one provider call, shared by the
// adapters (openai, anthropic, ollama): it posts a JSON request with the
// provider's headers and key under a per-call timeout, reads the answer
// whole or hands the stream to the adapter's parser, and maps every
// failure to a *frugal.ProviderError (status, retryability, Retry-After
// hint) with the key scrubbed from its message. It also owns the
// server-sent-events framing and the small error helpers the adapters'
// parsers share; what an answer means stays with each adapter.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/frugal-dev/frugal"
)

// maxResponseBody bounds a non-streaming answer (bytes).
const maxResponseBody = 32 << 20

// defaultClient sends the requests of an Endpoint without Client: it has
// no overall timeout (Endpoint.Timeout bounds each call instead).
var defaultClient = &http.Client{}

// Endpoint is one provider API that takes a JSON POST. Its fields are set
// once, by the adapter's constructor; it is then safe for concurrent use.
type Endpoint struct {
	// Provider labels every error, e.g. "openai" or "deepseek".
	Provider string
	// URL is the full URL requests are posted to.
	URL string
	// Client sends the requests; nil uses a client without an overall
	// timeout.
	Client *http.Client
	// APIKey is sent as KeyHeader: KeyPrefix+key ("Authorization",
	// "Bearer " or "x-api-key", ""); the zero Secret sends no key header.
	// It is scrubbed from every error message.
	APIKey               frugal.Secret
	KeyHeader, KeyPrefix string
	// StreamAccept is the Accept header of a streaming call, e.g.
	// "text/event-stream"; other calls accept "application/json".
	StreamAccept string
	// Fixed are headers the provider's API requires (anthropic-version);
	// Headers, the caller's, are set after them and so win over them and
	// over Content-Type and Accept. Both are read at each call.
	Fixed, Headers map[string]string
	// Timeout bounds one call, including reading a whole stream; 0: no
	// bound beyond ctx.
	Timeout time.Duration
	// Now is the clock used to read Retry-After dates and rate-limit
	// resets; nil: time.Now.
	Now func() time.Time
	// ParseError reads a non-2xx body into the provider's error type and a
	// bounded message (see Snippet); "" for either when absent. nil takes
	// a snippet of the body as the message.
	ParseError func(body []byte) (typ, msg string)
	// RateLimits are read on a 429 without Retry-After; nil: none.
	RateLimits *RateLimits
	// ShouldRetry obeys the x-should-retry header ("true"/"false") over
	// the status, as the official OpenAI and Anthropic SDKs do.
	ShouldRetry bool
}

// Call posts wire, encoded as JSON, and returns the body of a 2xx answer.
// Errors are EINVALID for a request that cannot be encoded or sent;
// *frugal.ProviderError for a non-2xx status, a connection failure, the
// per-call timeout and an answer larger than 32 MiB; and the context's
// error, prefixed with the provider, when ctx ends first.
func (e *Endpoint) Call(ctx context.Context, wire any) ([]byte, error) {
	ctx, cancel := e.callContext(ctx)
	defer cancel()
	resp, err := e.post(ctx, wire, false)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, e.transportError(ctx, fmt.Errorf("reading response: %w", err), true)
	}
	if len(body) > maxResponseBody {
		return nil, e.Label(ProtocolError(fmt.Sprintf("response larger than %d bytes", maxResponseBody)))
	}
	return body, nil
}

// Chat makes one non-streaming call through e: it posts wire (see Call),
// decodes the answer into a fresh R (the adapter's response type) and
// hands it, with the raw body, to parse, whose error is labelled (see
// Label). An answer that is not JSON of R's shape is a (billed, not
// retryable) *frugal.ProviderError.
func Chat[R any](ctx context.Context, e *Endpoint, wire any, parse func(body []byte, r *R) (frugal.Response, error)) (frugal.Response, error) {
	body, err := e.Call(ctx, wire)
	if err != nil {
		return frugal.Response{}, err
	}
	var r R
	if err := json.Unmarshal(body, &r); err != nil {
		return frugal.Response{}, e.Label(ProtocolError("malformed JSON response: " + err.Error()))
	}
	out, err := parse(body, &r)
	return out, e.Label(err)
}

// Stream posts wire asking for a streamed answer and hands the body to
// read, the adapter's parser, which returns what arrived and, when the
// stream breaks, an error: a *frugal.ProviderError without Provider, an
// error of Emit, or the body's read error. Stream returns that answer
// with the error mapped as Call maps its own (the callback's error comes
// back unchanged). Cancelling ctx, or the per-call timeout, closes the
// body at once, so that a parser blocked in a read returns.
func (e *Endpoint) Stream(ctx context.Context, wire any, read func(io.Reader) (frugal.Response, error)) (frugal.Response, error) {
	ctx, cancel := e.callContext(ctx)
	defer cancel()
	resp, err := e.post(ctx, wire, true)
	if err != nil {
		return frugal.Response{}, err
	}
	defer resp.Body.Close()
	// Closing the body is what stops a blocked read at once.
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()

	out, err := read(resp.Body)
	if err == nil {
		return out, nil
	}
	var cb *callbackError
	var pe *frugal.ProviderError
	switch {
	case errors.As(err, &cb):
		return out, cb.err
	case ctx.Err() != nil:
		return out, e.transportError(ctx, err, true)
	case errors.As(err, &pe):
		return out, e.Label(err)
	}
	return out, e.transportError(ctx, fmt.Errorf("reading stream: %w", err), true)
}

// Label fills in the provider of a *frugal.ProviderError from the
// adapter's parsers and scrubs the key from its message; other errors,
// and nil, are returned as they are.
func (e *Endpoint) Label(err error) error {
	var pe *frugal.ProviderError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if pe.Provider == "" {
		pe.Provider = e.Provider
	}
	pe.Message = e.scrub(pe.Message)
	return pe
}

func (e *Endpoint) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if e.Timeout > 0 {
		return context.WithTimeoutCause(ctx, e.Timeout, errCallTimeout)
	}
	return context.WithCancel(ctx)
}

// post sends the request and returns a 2xx response; anything else is
// mapped to an error here.
func (e *Endpoint) post(ctx context.Context, wire any, stream bool) (*http.Response, error) {
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s: encoding request: %w", e.Provider, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s: %w", e.Provider, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if stream {
		hreq.Header.Set("Accept", e.StreamAccept)
	} else {
		hreq.Header.Set("Accept", "application/json")
	}
	for k, v := range e.Fixed {
		hreq.Header.Set(k, v)
	}
	for k, v := range e.Headers {
		hreq.Header.Set(k, v)
	}
	if k := e.APIKey.Reveal(); k != "" {
		hreq.Header.Set(e.KeyHeader, e.KeyPrefix+k)
	}
	client := e.Client
	if client == nil {
		client = defaultClient
	}
	// Once the whole request is written the provider may run (and bill)
	// it even if its answer never reaches us.
	var wrote atomic.Bool
	hreq = hreq.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { wrote.Store(i.Err == nil) },
	}))
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, e.transportError(ctx, err, wrote.Load())
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, e.statusError(resp)
	}
	return resp, nil
}

// statusError maps a non-2xx response to a ProviderError.
func (e *Endpoint) statusError(resp *http.Response) *frugal.ProviderError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var typ, msg string
	if e.ParseError != nil {
		typ, msg = e.ParseError(body)
	} else {
		msg = Snippet(body)
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	pe := &frugal.ProviderError{
		Provider:   e.Provider,
		Status:     resp.StatusCode,
		Type:       typ,
		Message:    e.scrub(msg),
		Retryable:  RetryableStatus(resp.StatusCode),
		RetryAfter: RetryAfter(resp.Header, e.now(), resp.StatusCode == http.StatusTooManyRequests, e.RateLimits),
	}
	if e.ShouldRetry {
		switch resp.Header.Get("x-should-retry") {
		case "true":
			pe.Retryable = true
		case "false":
			pe.Retryable = false
		}
	}
	return pe
}

// transportError maps a failure to reach the server or to read its answer.
// The caller's own cancellation is returned as the context's error; the
// per-call timeout and connection failures are retryable ProviderErrors.
func (e *Endpoint) transportError(ctx context.Context, err error, billed bool) error {
	if context.Cause(ctx) == errCallTimeout {
		return &frugal.ProviderError{Provider: e.Provider, Message: "timed out after " + e.Timeout.String(), Retryable: true, Billed: billed}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", e.Provider, context.Cause(ctx))
	}
	return &frugal.ProviderError{Provider: e.Provider, Message: e.scrub("connection: " + err.Error()), Retryable: true, Billed: billed}
}

// scrub removes the API key from a message, in case a server echoes it.
func (e *Endpoint) scrub(s string) string {
	if k := e.APIKey.Reveal(); len(k) >= 8 {
		s = strings.ReplaceAll(s, k, "[REDACTED]")
	}
	return s
}

func (e *Endpoint) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
