// Package anthropic is frugal's adapter for Anthropic's Messages API:
// system, tools, tool use and results, prompt-cache breakpoints with the
// 5-minute/1-hour split, structured outputs and SSE streaming. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// Defaults of Options.
const (
	DefaultBaseURL = "https://api.anthropic.com"
	DefaultVersion = "2023-06-01"
)

// maxResponseBody bounds a non-streaming answer.
const maxResponseBody = 32 << 20

var (
	_ frugal.Brain    = (*Client)(nil)
	_ frugal.Streamer = (*Client)(nil)
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API root without version, e.g. DefaultBaseURL (the
	// default); "/v1/messages" is appended.
	BaseURL string
	// APIKey is sent as x-api-key; zero sends none (the sim, a proxy that
	// adds its own), and Anthropic itself then answers 401.
	APIKey frugal.Secret
	// Headers are added to every request (e.g. anthropic-beta).
	Headers map[string]string
	// HTTPClient sends the requests; nil uses a client without an overall
	// timeout (Timeout bounds each call instead).
	HTTPClient *http.Client
	// Timeout bounds one call, including reading a whole stream; 0: no
	// bound beyond ctx.
	Timeout time.Duration
	// Provider labels errors; "" means "anthropic".
	Provider string
	// Version is the anthropic-version header; "" means DefaultVersion.
	Version string
	// MinCacheableTokens is the shortest prefix (tokens) model caches; nil
	// uses DefaultMinCacheableTokens. Inject the price catalog's value.
	MinCacheableTokens func(model string) int64
	// CountTokens estimates the tokens of a text to place cache
	// breakpoints; nil uses len/4.
	CountTokens func(string) int
	// SchemaInPrompt puts Request.Schema in the system prompt instead of
	// output_config.format, for models without structured outputs.
	SchemaInPrompt bool
	// Now is the clock used to read Retry-After and rate-limit reset
	// times; nil: time.Now.
	Now func() time.Time
}

// Client calls the Messages API. It is safe for concurrent use.
type Client struct {
	opts     Options
	url      string
	provider string
	http     *http.Client
}

// New returns a client for opts.
func New(opts Options) *Client {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	c := &Client{opts: opts, url: strings.TrimRight(base, "/") + "/v1/messages", provider: opts.Provider, http: opts.HTTPClient}
	if c.provider == "" {
		c.provider = "anthropic"
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.opts.Version == "" {
		c.opts.Version = DefaultVersion
	}
	return c
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

func (c *Client) minCacheable(model string) int64 {
	if c.opts.MinCacheableTokens != nil {
		return c.opts.MinCacheableTokens(model)
	}
	return DefaultMinCacheableTokens(model)
}

func (c *Client) countTokens(s string) int {
	if c.opts.CountTokens != nil {
		return c.opts.CountTokens(s)
	}
	return estimateTokens(s)
}

// Chat makes one non-streaming call. Errors are EINVALID for a request
// that cannot be sent, *frugal.ProviderError for HTTP, connection and
// protocol failures (with whatever part of the answer could be read), and
// the context's error when ctx ends first.
func (c *Client) Chat(ctx context.Context, req frugal.Request) (frugal.Response, error) {
	wire, err := c.build(req)
	if err != nil {
		return frugal.Response{}, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.post(ctx, wire, false)
	if err != nil {
		return frugal.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return frugal.Response{}, c.transportError(ctx, fmt.Errorf("reading response: %w", err), true)
	}
	if len(body) > maxResponseBody {
		return frugal.Response{}, c.label(protocolError(fmt.Sprintf("response larger than %d bytes", maxResponseBody)))
	}
	var mr MessagesResponse
	if err := json.Unmarshal(body, &mr); err != nil {
		return frugal.Response{}, c.label(protocolError("malformed JSON response: " + err.Error()))
	}
	if mr.Type == "error" {
		var eb struct{ Error *ErrorDetail }
		if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
			return frugal.Response{}, c.label(eventError(eb.Error))
		}
	}
	out, err := ParseResponse(&mr)
	return out, c.label(err)
}

// protocolError is an answer that arrived but cannot be read whole. The
// call ran, so it may have been billed; sending the same request again
// would likely give the same answer, so it is not retryable.
func protocolError(msg string) *frugal.ProviderError {
	return &frugal.ProviderError{Message: msg, Billed: true}
}

// Stream makes one streaming call, calling fn with each piece of text and,
// at its content_block_stop, each whole tool call. It returns the
// assembled answer; when the stream breaks it returns what arrived (Usage
// holds the counts seen so far, UsageKnown only once the final
// message_delta came) and an error: a *ProviderError with Billed set,
// fn's error, or the context's error.
func (c *Client) Stream(ctx context.Context, req frugal.Request, fn func(frugal.Delta) error) (frugal.Response, error) {
	wire, err := c.build(req)
	if err != nil {
		return frugal.Response{}, err
	}
	t := true
	wire.Stream = &t
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.post(ctx, wire, true)
	if err != nil {
		return frugal.Response{}, err
	}
	defer resp.Body.Close()
	// Closing the body is what stops a blocked read at once.
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()

	out, err := readStream(resp.Body, fn)
	if err == nil {
		return out, nil
	}
	var cb *callbackError
	var pe *frugal.ProviderError
	switch {
	case errors.As(err, &cb):
		return out, cb.err
	case ctx.Err() != nil:
		return out, c.transportError(ctx, err, true)
	case errors.As(err, &pe):
		return out, c.label(err)
	}
	return out, c.transportError(ctx, fmt.Errorf("reading stream: %w", err), true)
}

func (c *Client) build(req frugal.Request) (*MessagesRequest, error) {
	return c.BuildRequest(req)
}

func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.opts.Timeout > 0 {
		return context.WithTimeoutCause(ctx, c.opts.Timeout, errCallTimeout)
	}
	return context.WithCancel(ctx)
}

// post sends the request and returns a 2xx response; anything else is
// mapped to an error here.
func (c *Client) post(ctx context.Context, wire *MessagesRequest, stream bool) (*http.Response, error) {
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s: encoding request: %w", c.provider, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s: %w", c.provider, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if stream {
		hreq.Header.Set("Accept", "text/event-stream")
	} else {
		hreq.Header.Set("Accept", "application/json")
	}
	hreq.Header.Set("anthropic-version", c.opts.Version)
	for k, v := range c.opts.Headers {
		hreq.Header.Set(k, v)
	}
	if k := c.opts.APIKey.Reveal(); k != "" {
		hreq.Header.Set("x-api-key", k)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, c.transportError(ctx, err, false)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.statusError(resp)
	}
	return resp, nil
}
