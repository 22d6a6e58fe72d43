// Package anthropic is frugal's adapter for Anthropic's Messages API:
// system, tools, tool use and results, prompt-cache breakpoints with the
// 5-minute/1-hour split, structured outputs and SSE streaming. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package anthropic

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// Defaults of Options.
const (
	DefaultBaseURL = "https://api.anthropic.com"
	DefaultVersion = "2023-06-01"
)

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
	opts Options
	ep   httpx.Endpoint
}

// New returns a client for opts.
func New(opts Options) *Client {
	opts.Version = cmp.Or(opts.Version, DefaultVersion)
	return &Client{opts: opts, ep: httpx.Endpoint{
		Provider:     cmp.Or(opts.Provider, "anthropic"),
		URL:          strings.TrimRight(cmp.Or(opts.BaseURL, DefaultBaseURL), "/") + "/v1/messages",
		Client:       opts.HTTPClient,
		APIKey:       opts.APIKey,
		KeyHeader:    "x-api-key",
		StreamAccept: "text/event-stream",
		Fixed:        map[string]string{"anthropic-version": opts.Version},
		Headers:      opts.Headers,
		Timeout:      opts.Timeout,
		Now:          opts.Now,
		ParseError:   parseErrorBody,
		RateLimits:   rateLimits,
		ShouldRetry:  true,
	}}
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
	wire, err := c.BuildRequest(req)
	if err != nil {
		return frugal.Response{}, err
	}
	return httpx.Chat(ctx, &c.ep, wire, func(body []byte, mr *MessagesResponse) (frugal.Response, error) {
		if mr.Type == "error" {
			var eb struct{ Error *ErrorDetail }
			if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
				return frugal.Response{}, eventError(eb.Error)
			}
		}
		return ParseResponse(mr)
	})
}

// Stream makes one streaming call, calling fn with each piece of text and,
// at its content_block_stop, each whole tool call. It returns the
// assembled answer; when the stream breaks it returns what arrived (Usage
// holds the counts seen so far, UsageKnown only once the final
// message_delta came) and an error: a *ProviderError with Billed set,
// fn's error, or the context's error.
func (c *Client) Stream(ctx context.Context, req frugal.Request, fn func(frugal.Delta) error) (frugal.Response, error) {
	wire, err := c.BuildRequest(req)
	if err != nil {
		return frugal.Response{}, err
	}
	t := true
	wire.Stream = &t
	return c.ep.Stream(ctx, wire, func(r io.Reader) (frugal.Response, error) {
		return readStream(r, fn)
	})
}
