// Package ollama is frugal's adapter for Ollama's native /api/chat: tools,
// format (a JSON schema), keep_alive, num_predict/num_ctx and NDJSON
// streaming, with usage from prompt_eval_count and eval_count. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package ollama

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

// DefaultBaseURL is where a local Ollama listens.
const DefaultBaseURL = "http://localhost:11434"

var (
	_ frugal.Brain    = (*Client)(nil)
	_ frugal.Streamer = (*Client)(nil)
)

// Options configure a Client.
type Options struct {
	// BaseURL is the server root, DefaultBaseURL when empty; "/api/chat"
	// is appended.
	BaseURL string
	// APIKey, when set, is sent as "Authorization: Bearer …" (ollama.com,
	// or a proxy in front of a server); a local server needs none.
	APIKey frugal.Secret
	// Headers are added to every request.
	Headers map[string]string
	// HTTPClient sends the requests; nil uses a client without an overall
	// timeout (Timeout bounds each call instead).
	HTTPClient *http.Client
	// Timeout bounds one call, including loading the model and reading a
	// whole stream; 0: no bound beyond ctx.
	Timeout time.Duration
	// Provider labels errors; "" means "ollama".
	Provider string
	// KeepAlive is how long the server keeps the model loaded after a
	// call: 0 leaves the server's default (5 minutes), a negative value
	// keeps it loaded until the server stops.
	KeepAlive time.Duration
	// NumCtx asks for a context window of this many tokens; 0 leaves the
	// model's default, which is often small enough to cut long prompts.
	NumCtx int
	// Now is the clock used to read Retry-After dates; nil: time.Now.
	Now func() time.Time
}

// Client calls one Ollama server. It is safe for concurrent use.
type Client struct {
	opts Options
	ep   httpx.Endpoint
}

// New returns a client for opts.
func New(opts Options) *Client {
	return &Client{opts: opts, ep: httpx.Endpoint{
		Provider:     cmp.Or(opts.Provider, "ollama"),
		URL:          strings.TrimRight(cmp.Or(opts.BaseURL, DefaultBaseURL), "/") + "/api/chat",
		Client:       opts.HTTPClient,
		APIKey:       opts.APIKey,
		KeyHeader:    "Authorization",
		KeyPrefix:    "Bearer ",
		StreamAccept: "application/x-ndjson",
		Headers:      opts.Headers,
		Timeout:      opts.Timeout,
		Now:          opts.Now,
		ParseError:   func(body []byte) (string, string) { return "", parseErrorBody(body) },
		// Ollama sends no rate-limit headers nor x-should-retry.
	}}
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
	f := false
	wire.Stream = &f
	return httpx.Chat(ctx, &c.ep, wire, func(_ []byte, cr *ChatResponse) (frugal.Response, error) {
		if cr.Error != "" {
			return frugal.Response{}, lineError(cr.Error)
		}
		return ParseResponse(cr, len(req.Messages))
	})
}

// Stream makes one streaming call, calling fn with each piece of text and
// each tool call (Ollama sends them whole). It returns the assembled
// answer; when the stream breaks it returns what arrived and an error: a
// *ProviderError with Billed set, fn's error, or the context's error.
func (c *Client) Stream(ctx context.Context, req frugal.Request, fn func(frugal.Delta) error) (frugal.Response, error) {
	wire, err := c.BuildRequest(req)
	if err != nil {
		return frugal.Response{}, err
	}
	t := true
	wire.Stream = &t // explicit, though the server's default
	turn := len(req.Messages)
	return c.ep.Stream(ctx, wire, func(r io.Reader) (frugal.Response, error) {
		return readStream(r, turn, fn)
	})
}
