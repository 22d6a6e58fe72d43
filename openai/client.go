// Package openai is frugal's adapter for OpenAI-compatible Chat Completions
// servers (OpenAI, DeepSeek, OpenRouter, Groq, Together, vLLM, llama.cpp,
// LM Studio, Ollama's /v1), with presets for their quirks. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package openai

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

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
	opts Options
	ep   httpx.Endpoint
}

// New returns a client for opts.
func New(opts Options) *Client {
	return &Client{opts: opts, ep: httpx.Endpoint{
		Provider:     cmp.Or(opts.Provider, "openai"),
		URL:          strings.TrimRight(opts.BaseURL, "/") + "/chat/completions",
		Client:       opts.HTTPClient,
		APIKey:       opts.APIKey,
		KeyHeader:    "Authorization",
		KeyPrefix:    "Bearer ",
		StreamAccept: "text/event-stream",
		Headers:      opts.Headers,
		Timeout:      opts.Timeout,
		Now:          opts.Now,
		ParseError:   parseErrorBody,
		RateLimits:   rateLimits,
		ShouldRetry:  true,
	}}
}

// Chat makes one non-streaming call. Errors are EINVALID for a request
// that cannot be sent, *frugal.ProviderError for HTTP, connection and
// protocol failures (with whatever part of the answer could be read), and
// the context's error when ctx ends first.
func (c *Client) Chat(ctx context.Context, req frugal.Request) (frugal.Response, error) {
	wire, err := BuildRequest(req, c.opts.Quirks)
	if err != nil {
		return frugal.Response{}, err
	}
	return httpx.Chat(ctx, &c.ep, wire, func(_ []byte, cr *ChatResponse) (frugal.Response, error) {
		if cr.Error != nil && len(cr.Choices) == 0 {
			return frugal.Response{}, detailError(cr.Error) // some servers answer 200 with an error body
		}
		return ParseResponse(cr)
	})
}

// Stream makes one streaming call, calling fn with each piece of text and
// each whole tool call in order. It returns the assembled answer; when the
// stream breaks it returns what arrived and an error (a *ProviderError
// with Billed set, or fn's error, or the context's error).
func (c *Client) Stream(ctx context.Context, req frugal.Request, fn func(frugal.Delta) error) (frugal.Response, error) {
	wire, err := BuildRequest(req, c.opts.Quirks)
	if err != nil {
		return frugal.Response{}, err
	}
	t := true
	wire.Stream = &t
	wantUsage := !c.opts.Quirks.NoStreamOptions
	if wantUsage {
		wire.StreamOptions = &StreamOptions{IncludeUsage: &t}
	}
	return c.ep.Stream(ctx, wire, func(r io.Reader) (frugal.Response, error) {
		return readStream(r, wantUsage, fn)
	})
}
