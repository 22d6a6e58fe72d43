// Package ollama is frugal's adapter for Ollama's native /api/chat: tools,
// format (a JSON schema), keep_alive, num_predict/num_ctx and NDJSON
// streaming, with usage from prompt_eval_count and eval_count. It owns the
// wire types of that API, which keep unknown members, and turns one
// frugal.Request into one HTTP attempt: no retries and no accounting.
package ollama

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

// DefaultBaseURL is where a local Ollama listens.
const DefaultBaseURL = "http://localhost:11434"

// maxResponseBody bounds a non-streaming answer.
const maxResponseBody = 32 << 20

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
	c := &Client{opts: opts, url: strings.TrimRight(base, "/") + "/api/chat", provider: opts.Provider, http: opts.HTTPClient}
	if c.provider == "" {
		c.provider = "ollama"
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
	wire, err := c.BuildRequest(req)
	if err != nil {
		return frugal.Response{}, err
	}
	f := false
	wire.Stream = &f
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
		return frugal.Response{}, c.label(&frugal.ProviderError{Message: fmt.Sprintf("response larger than %d bytes", maxResponseBody), Billed: true})
	}
	var cr ChatResponse
	if err := json.Unmarshal(body, &cr); err != nil {
		return frugal.Response{}, c.label(&frugal.ProviderError{Message: "malformed JSON response: " + err.Error(), Billed: true})
	}
	if cr.Error != "" {
		return frugal.Response{}, c.label(&frugal.ProviderError{Message: snippet([]byte(cr.Error)), Retryable: true, Billed: true})
	}
	out, err := ParseResponse(&cr, len(req.Messages))
	return out, c.label(err)
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

	out, err := readStream(resp.Body, len(req.Messages), fn)
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
		hreq.Header.Set("Accept", "application/x-ndjson")
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
