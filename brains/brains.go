// Package brains makes metered model calls. It resolves "provider/model"
// references to adapters, reserves each attempt's worst case in the ledger
// before a connection is opened, settles what the provider reports, retries
// transient failures with backoff and falls back to the next model of a tier.
package brains

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/frugal-dev/frugal"
)

// Prices looks up what a model costs.
type Prices interface {
	Lookup(model string) (frugal.Price, error)
}

// Target is a resolved model reference: the adapter to call and how to
// name the model to it and in the ledger.
type Target struct {
	Brain    frugal.Brain
	Model    string // the provider's own model name, sent on the wire
	Provider string // the label recorded in the ledger ("deepseek", "sim")
	Family   string // tokenizer family for estimates ("openai", "anthropic", "ollama", …)
	BaseURL  string // where the provider is reached, for error messages; "" unknown
}

// Resolver turns a model reference into a Target. Errors name the fix
// (an unknown provider, a missing key env var).
type Resolver interface {
	Resolve(ref frugal.ModelRef) (Target, error)
}

// RetryPolicy bounds retries of one model before falling back to the next.
type RetryPolicy struct {
	MaxAttempts int           // attempts per model, first included; default 3
	BaseDelay   time.Duration // first backoff; default 500ms
	MaxDelay    time.Duration // cap of one backoff; a longer Retry-After ends this model's retries; default 30s
	MaxElapsed  time.Duration // total time spent retrying one model; default 2m
}

// Options configure a Client. Ledger, Prices, Resolver and Estimate are
// required.
type Options struct {
	Ledger   frugal.Ledger
	Prices   Prices
	Resolver Resolver
	// Estimate returns an upper bound of the input tokens a provider of the
	// given family will bill for req (see tokenizer.EstimateRequest).
	Estimate func(req frugal.Request, family string) int64

	DefaultMaxOutput int64         // tokens, when a request gives none; default 2048
	CallTimeout      time.Duration // per attempt; 0: none beyond ctx
	Lease            time.Duration // hold lease, renewed every half lease while a call runs (see Renewer); default CallTimeout + 5m, at least 15m
	Retry            RetryPolicy

	// Observe, when set, is called after each attempt is settled or
	// released (progress lines, the loop guard, metrics).
	Observe func(Attempt)

	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand draws the backoff jitter; the Client serialises its use, so it
	// need not be safe for concurrent use.
	Rand   *rand.Rand
	Logger *slog.Logger
}

// Renewer is the optional ledger capability of extending a hold's lease
// (sqlite.DB has it). With it, a call that outlives half its lease keeps
// its hold alive, so that its money keeps counting against the caps.
type Renewer interface {
	Renew(ctx context.Context, h frugal.Hold, lease time.Duration) (frugal.Hold, error)
}

// Client makes metered calls. It is safe for concurrent use if its Ledger,
// Prices and Resolver are.
type Client struct {
	o      Options
	randMu sync.Mutex
}

// New returns a Client with defaults filled in.
func New(o Options) *Client {
	if o.DefaultMaxOutput <= 0 {
		o.DefaultMaxOutput = 2048
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 3
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = 500 * time.Millisecond
	}
	if o.Retry.MaxDelay <= 0 {
		o.Retry.MaxDelay = 30 * time.Second
	}
	if o.Retry.MaxElapsed <= 0 {
		o.Retry.MaxElapsed = 2 * time.Minute
	}
	if o.Lease <= 0 {
		o.Lease = max(15*time.Minute, o.CallTimeout+5*time.Minute)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{o: o}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Attempt is one try of one model: reserved, then settled or released.
type Attempt struct {
	Model       frugal.ModelRef
	Attribution frugal.Attribution
	InputEst    int64        // estimated input tokens (upper bound)
	Worst       frugal.Money // what was reserved
	Call        *frugal.Call // nil when the hold was released (nothing billed) or denied
	Err         error        // the attempt's error, if any
}

// Result is a finished metered call.
type Result struct {
	frugal.Response
	Model    frugal.ModelRef // the model that answered
	Attempts []Attempt
	Cost     frugal.Money // all attempts, failed ones included
}

// Call sends req to the first model of models that answers, retrying each
// model on transient failures, and returns its response. When onDelta is
// non-nil and the adapter streams, the answer is streamed to it.
//
// Every attempt reserves its worst case first: a *frugal.Denial (code
// EBUDGET) ends the call at once, before any connection, with no fallback.
// So do a request the provider rejects as invalid (400, 413, 422: EINVALID),
// a model that cannot be resolved or priced (EINVALID, ENOTFOUND: a
// configuration to fix, not an outage), a ledger failure, and a failure
// after part of a streamed answer reached onDelta. Other failures (429,
// 5xx, connection errors after their retries; 401, 403, 404) move on to
// the next model. When every model fails the error lists each model's last
// failure; its code is EUNAVAILABLE, or EINVALID when every model refused
// the key (401, 403), or ENOTFOUND when none knew its model (404). Each
// model's failure is a *ModelError in the chain. When ctx ends the error
// wraps ctx.Err().
func (c *Client) Call(ctx context.Context, models []frugal.ModelRef, req frugal.Request, attr frugal.Attribution, onDelta func(frugal.Delta) error) (Result, error) {
	if len(models) == 0 {
		return Result{}, frugal.Errorf(frugal.EINVALID, "no model to call")
	}
	if req.MaxOutput <= 0 {
		req.MaxOutput = c.o.DefaultMaxOutput
	}
	var res Result
	var failures []*ModelError
	for _, ref := range models {
		resp, err := c.callModel(ctx, ref, req, attr, onDelta, &res)
		if err == nil {
			res.Response = resp
			res.Model = ref
			return res, nil
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("%s: %w", ref, ctx.Err())
		}
		var me *ModelError
		if !errors.As(err, &me) || me.final() {
			return res, err
		}
		failures = append(failures, me)
	}
	return res, allFailed(failures)
}

// ModelError is the last failure of one model of a Call, after its
// retries.
type ModelError struct {
	Model    frugal.ModelRef
	BaseURL  string // where the provider was reached (Target.BaseURL)
	Attempts int    // attempts made, the failed ones included
	Err      error
}

func (e *ModelError) Error() string {
	var b strings.Builder
	msg := e.Err.Error()
	if !strings.Contains(msg, string(e.Model)) {
		b.WriteString(string(e.Model))
		b.WriteString(": ")
	}
	b.WriteString(msg)
	if e.Unreachable() && e.BaseURL != "" {
		b.WriteString(" (at ")
		b.WriteString(e.BaseURL)
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *ModelError) Unwrap() error { return e.Err }

// Unreachable reports whether the provider never answered: a connection
// refused, a DNS failure, a timeout before any answer.
func (e *ModelError) Unreachable() bool {
	var pe *frugal.ProviderError
	return errors.As(e.Err, &pe) && pe.Status == 0 && !pe.Billed
}

// final reports whether no other model should be tried after e: the call
// is over budget, invalid, misconfigured, the ledger failed, or the caller
// already saw part of an answer.
func (e *ModelError) final() bool {
	var streamed *streamedError
	var le *ledgerError
	if errors.As(e.Err, &streamed) || errors.As(e.Err, &le) {
		return true
	}
	switch frugal.ErrorCode(e.Err) {
	case frugal.EBUDGET, frugal.EINVALID, frugal.ENOTFOUND:
		return true
	}
	return false
}

// code is the domain code a model's provider failure maps to.
func (e *ModelError) code() string {
	var pe *frugal.ProviderError
	if errors.As(e.Err, &pe) {
		switch pe.Status {
		case 401, 403:
			return frugal.EINVALID
		case 404:
			return frugal.ENOTFOUND
		}
	}
	return frugal.EUNAVAILABLE
}

// allFailed is the error of a Call whose every model failed.
func allFailed(fs []*ModelError) error {
	code := fs[0].code()
	msgs := make([]string, len(fs))
	errs := make([]error, len(fs))
	for i, f := range fs {
		if f.code() != code {
			code = frugal.EUNAVAILABLE
		}
		msgs[i] = f.Error()
		errs[i] = f
	}
	msg := msgs[0]
	if len(fs) > 1 {
		msg = "no model answered: " + strings.Join(msgs, "; ")
	}
	return &frugal.Error{Code: code, Message: msg, Err: multiError(errs)}
}

// multiError keeps several causes in the chain (errors.As finds each)
// with a one-line message.
type multiError []error

func (m multiError) Error() string {
	s := make([]string, len(m))
	for i, e := range m {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

func (m multiError) Unwrap() []error { return m }

// streamedError marks a failure after deltas reached the caller.
type streamedError struct{ err error }

func (e *streamedError) Error() string { return e.err.Error() }
func (e *streamedError) Unwrap() error { return e.err }

// ledgerError marks a ledger failure other than a denial: no call may
// proceed without a hold, nor be used unrecorded.
type ledgerError struct{ err error }

func (e *ledgerError) Error() string { return "ledger: " + e.err.Error() }
func (e *ledgerError) Unwrap() error { return e.err }

// callModel tries one model up to MaxAttempts times. Its error is a
// *ModelError, or the context's error when ctx ends.
func (c *Client) callModel(ctx context.Context, ref frugal.ModelRef, req frugal.Request, attr frugal.Attribution, onDelta func(frugal.Delta) error, res *Result) (frugal.Response, error) {
	me := &ModelError{Model: ref}
	// Of several configuration problems, name the most fundamental first:
	// an unknown provider, then an unpriced model, then a missing key.
	t, rerr := c.o.Resolver.Resolve(ref)
	if frugal.ErrorCode(rerr) == frugal.ENOTFOUND {
		me.Err = rerr
		return frugal.Response{}, me
	}
	price, err := c.o.Prices.Lookup(string(ref))
	if err == nil {
		err = rerr
	}
	if err != nil {
		me.Err = err
		return frugal.Response{}, me
	}
	me.BaseURL = t.BaseURL
	req.Model = t.Model
	start := c.o.Now()
	for n := 0; n < c.o.Retry.MaxAttempts; n++ {
		if n > 0 {
			d, ok := c.backoff(n, me.Err, c.o.Now().Sub(start))
			if !ok {
				break
			}
			if err := c.o.Sleep(ctx, d); err != nil {
				return frugal.Response{}, err
			}
		}
		resp, a, err := c.attempt(ctx, ref, t, price, req, attr, onDelta)
		res.Attempts = append(res.Attempts, a)
		if a.Call != nil {
			res.Cost += a.Call.Cost
		}
		if c.o.Observe != nil {
			c.o.Observe(a)
		}
		if !isDenial(a.Err) {
			me.Attempts++
		}
		if err == nil {
			return resp, nil
		}
		me.Err = err
		if ctx.Err() != nil {
			return frugal.Response{}, err
		}
		if !retryable(err) {
			break
		}
	}
	return frugal.Response{}, me
}

func isDenial(err error) bool { return frugal.ErrorCode(err) == frugal.EBUDGET }

// retryable reports whether another attempt of the same model may
// succeed: a retryable provider failure whose answer never reached the
// caller.
func retryable(err error) bool {
	var streamed *streamedError
	var le *ledgerError
	if errors.As(err, &streamed) || errors.As(err, &le) {
		return false
	}
	var fe *frugal.Error
	if errors.As(err, &fe) {
		return false // EINVALID and the like: the same request fails again
	}
	var pe *frugal.ProviderError
	return errors.As(err, &pe) && pe.Retryable
}

// backoff returns how long to wait before retry n (1-based), or false when
// the policy says stop: full jitter on an exponential base, never shorter
// than the provider's Retry-After, never beyond MaxDelay or MaxElapsed. A
// Retry-After beyond MaxDelay ends this model's retries (the next model is
// tried) rather than being cut short.
func (c *Client) backoff(n int, lastErr error, elapsed time.Duration) (time.Duration, bool) {
	p := c.o.Retry
	ceil := p.BaseDelay << (n - 1)
	if ceil <= 0 || ceil > p.MaxDelay || n > 62 {
		ceil = p.MaxDelay
	}
	c.randMu.Lock()
	d := time.Duration(c.o.Rand.Int64N(int64(ceil)) + 1)
	c.randMu.Unlock()
	var pe *frugal.ProviderError
	if errors.As(lastErr, &pe) && pe.RetryAfter > 0 {
		if pe.RetryAfter > p.MaxDelay {
			return 0, false
		}
		d = max(d, pe.RetryAfter)
	}
	if elapsed+d > p.MaxElapsed {
		return 0, false
	}
	return d, true
}

// Estimate returns the upper bound of input tokens that model ref would
// bill for req, as reserved before a call.
func (c *Client) Estimate(ref frugal.ModelRef, req frugal.Request) (int64, error) {
	t, err := c.o.Resolver.Resolve(ref)
	if err != nil {
		return 0, err
	}
	req.Model = t.Model
	return c.o.Estimate(req, t.Family), nil
}

// Price returns what model ref costs.
func (c *Client) Price(ref frugal.ModelRef) (frugal.Price, error) {
	return c.o.Prices.Lookup(string(ref))
}
