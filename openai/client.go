// Package openai is frugal's adapter for OpenAI-compatible Chat Completions
// servers (OpenAI, DeepSeek, OpenRouter, Groq, Together, vLLM, llama.cpp,
// LM Studio, Ollama's /v1), with presets for their quirks. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package openai

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

// maxResponseBody bounds a non-streaming answer.
const maxResponseBody = 32 << 20

var (
	_ frugal.Brain    = (*Client)(nil)
	_ frugal.Streamer = (*Client)(nil)
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API root including its version path, e.g.
	// "https://api.openai.com/v1"; "/chat/completions" is appended.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer …"; zero sends none, and a
	// server that needs one answers 401 (deciding whether a key must be
	// configured is the caller's business; see Quirks.KeyOptional).
	APIKey frugal.Secret
	// Headers are added to every request (e.g. OpenRouter's HTTP-Referer).
	Headers map[string]string
	// HTTPClient sends the requests; nil uses a client without an overall
	// timeout (Timeout bounds each call instead).
	HTTPClient *http.Client
	// Timeout bounds one call, including reading a whole stream; 0: no
	// bound beyond ctx.
	Timeout time.Duration
	// Provider labels errors, e.g. "deepseek"; "" means "openai".
	Provider string
	// Quirks are the server's differences from OpenAI.
	Quirks Quirks
	// Now is the clock used to read Retry-After dates; nil: time.Now.
	Now func() time.Time
}

// Client calls one OpenAI-compatible server. It is safe for concurrent use.
type Client struct {
	opts     Options
	url      string
	provider string
	http     *http.Client
}

// New returns a client for opts.
func New(opts Options) *Client {
	c := &Client{opts: opts, url: strings.TrimRight(opts.BaseURL, "/") + "/chat/completions", provider: opts.Provider, http: opts.HTTPClient}
	if c.provider == "" {
		c.provider = "openai"
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	return c
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
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
	var cr ChatResponse
	if err := json.Unmarshal(body, &cr); err != nil {
		return frugal.Response{}, c.label(protocolError("malformed JSON response: " + err.Error()))
	}
	if cr.Error != nil && len(cr.Choices) == 0 {
		return frugal.Response{}, c.label(detailError(cr.Error))
	}
	out, err := ParseResponse(&cr)
	return out, c.label(err)
}

// Stream makes one streaming call, calling fn with each piece of text and
// each whole tool call in order. It returns the assembled answer; when the
// stream breaks it returns what arrived and an error (a *ProviderError
// with Billed set, or fn's error, or the context's error).
func (c *Client) Stream(ctx context.Context, req frugal.Request, fn func(frugal.Delta) error) (frugal.Response, error) {
	wire, err := c.build(req)
	if err != nil {
		return frugal.Response{}, err
	}
	t := true
	wire.Stream = &t
	if !c.opts.Quirks.NoStreamOptions {
		wire.StreamOptions = &StreamOptions{IncludeUsage: &t}
	}
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

	out, err := readStream(resp.Body, !c.opts.Quirks.NoStreamOptions, fn)
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

func (c *Client) build(req frugal.Request) (*ChatRequest, error) {
	return BuildRequest(req, c.opts.Quirks)
}

func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.opts.Timeout > 0 {
		return context.WithTimeoutCause(ctx, c.opts.Timeout, errCallTimeout)
	}
	return context.WithCancel(ctx)
}

// post sends the request and returns a 2xx response; anything else is
// mapped to an error here.
func (c *Client) post(ctx context.Context, wire *ChatRequest, stream bool) (*http.Response, error) {
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
	for k, v := range c.opts.Headers {
		hreq.Header.Set(k, v)
	}
	if k := c.opts.APIKey.Reveal(); k != "" {
		hreq.Header.Set("Authorization", "Bearer "+k)
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

// label fills in the provider of an error from the parsers and scrubs
// its message.
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
