package brains

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/frugal-dev/frugal"
)

// errCallTimeout is the cause of a callCtx that Options.CallTimeout ended.
var errCallTimeout = errors.New("call timeout")

// attempt makes one reserved call of one model. It always ends its hold:
// settled when the provider may have billed, released otherwise.
func (c *Client) attempt(ctx context.Context, ref frugal.ModelRef, t Target, price frugal.Price, req frugal.Request, attr frugal.Attribution, onDelta func(frugal.Delta) error) (frugal.Response, Attempt, error) {
	a := Attempt{Model: ref, Attribution: attr}
	fail := func(err error) (frugal.Response, Attempt, error) {
		a.Err = err
		return frugal.Response{}, a, err
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	a.InputEst = c.o.Estimate(req, t.Family)
	if price.ContextWindow > 0 && a.InputEst+req.MaxOutput > price.ContextWindow {
		// Sending it would fail or truncate; the caller must trim first.
		return fail(frugal.Errorf(frugal.EINVALID, "%s: request of ~%d input + %d output tokens exceeds the %d-token context window",
			ref, a.InputEst, req.MaxOutput, price.ContextWindow))
	}
	a.Worst = price.WorstCase(a.InputEst, req.MaxOutput, req.CacheTTL)
	hold, err := c.o.Ledger.Reserve(ctx, frugal.ReserveRequest{
		Attribution: attr,
		Provider:    t.Provider,
		Model:       string(ref),
		Worst:       a.Worst,
		Lease:       c.o.Lease,
	})
	if err != nil {
		if !isDenial(err) && ctx.Err() == nil {
			err = &ledgerError{err: err}
		}
		return fail(err)
	}

	callCtx, cancel := context.WithCancel(ctx)
	if c.o.CallTimeout > 0 {
		callCtx, cancel = context.WithTimeoutCause(ctx, c.o.CallTimeout, errCallTimeout)
	}
	defer cancel()
	stopRenew := c.keepAlive(ctx, hold)
	start := c.o.Now()
	var resp frugal.Response
	streamed, cbFailed := false, false
	if s, ok := t.Brain.(frugal.Streamer); ok && onDelta != nil {
		resp, err = s.Stream(callCtx, req, func(d frugal.Delta) error {
			streamed = true
			if err := onDelta(d); err != nil {
				cbFailed = true
				return err
			}
			return nil
		})
	} else {
		resp, err = t.Brain.Chat(callCtx, req)
	}
	latency := c.o.Now().Sub(start)
	stopRenew()
	timedOut := err != nil && ctx.Err() == nil && context.Cause(callCtx) == errCallTimeout
	if timedOut {
		// Our own per-call bound, not the caller's: another attempt may
		// fit in it. The request went out, so the provider may bill.
		err = &frugal.ProviderError{Provider: t.Provider, Message: "timed out after " + c.o.CallTimeout.String(), Retryable: true, Billed: true}
	}

	// Settle or release on a context that outlives a cancelled call: the
	// money was (or was not) spent whatever the caller does now.
	sctx := context.WithoutCancel(ctx)
	if err != nil && !mayHaveBilled(err, streamed) && ctx.Err() == nil && !timedOut {
		if rerr := c.o.Ledger.Release(sctx, hold); rerr != nil {
			c.o.Logger.Warn("could not release a hold; it counts until its lease ends", "hold", hold.ID, "model", ref, "err", rerr)
		}
		return fail(classify(err))
	}

	s := frugal.Settlement{Latency: latency, Outcome: frugal.OutcomeOK, Usage: resp.Usage}
	if err != nil {
		s.Outcome = frugal.OutcomeError
		if ctx.Err() != nil || timedOut || cbFailed || connectionCut(err) {
			s.Outcome = frugal.OutcomeInterrupted
		}
	} else if !resp.UsageKnown {
		c.o.Logger.Warn("provider reported no usage; charging the hold", "model", ref)
	}
	if err != nil || !resp.UsageKnown || resp.Usage.Validate() != nil {
		// No trustworthy usage: charge the hold, and say so on the row.
		s.Estimated = true
		s.Cost = hold.Worst
		s.Usage = conservativeUsage(resp.Usage, a.InputEst, req.MaxOutput)
	} else {
		s.Cost = price.Cost(resp.Usage)
	}
	call, serr := c.o.Ledger.Settle(sctx, hold, s)
	if serr != nil {
		// The answer exists but could not be recorded: refuse to use it
		// rather than let unrecorded spend through.
		return fail(&ledgerError{err: serr})
	}
	a.Call = &call
	if err != nil {
		err = classify(err)
		if streamed {
			err = &streamedError{err: err}
		}
		return fail(err)
	}
	return resp, a, nil
}

// classify gives a request the provider refused as malformed its domain
// code: the same request would fail again, anywhere.
func classify(err error) error {
	var pe *frugal.ProviderError
	if errors.As(err, &pe) {
		switch pe.Status {
		case 400, 413, 422:
			return frugal.Errorf(frugal.EINVALID, "%w", err)
		}
	}
	return err
}

// mayHaveBilled reports whether a failed attempt may still cost money: a
// provider that started answering (or a stream the caller already saw)
// bills for it; a refused or unreachable request does not. A call cut by
// the caller's cancellation is charged too (the caller checks ctx): the
// provider may have finished it anyway.
func mayHaveBilled(err error, streamed bool) bool {
	if streamed {
		return true
	}
	var pe *frugal.ProviderError
	return errors.As(err, &pe) && pe.Billed
}

// connectionCut reports whether err is an answer broken off mid-way (a
// truncated stream or body), as opposed to a provider that answered with
// an error.
func connectionCut(err error) bool {
	var pe *frugal.ProviderError
	return errors.As(err, &pe) && pe.Status == 0 && pe.Billed && pe.Retryable
}

// conservativeUsage is the usage recorded beside a charged hold: the
// input the provider reported (an answer's input is known from its first
// event), else the estimate the hold was sized on; and the whole output
// allowance, since output reported before a stream ended is only a lower
// bound.
func conservativeUsage(u frugal.Usage, inputEst, maxOutput int64) frugal.Usage {
	if u.Validate() != nil {
		u = frugal.Usage{}
	}
	if u.InputTotal() == 0 {
		u.Input = inputEst
	}
	u.Output = max(u.Output, maxOutput)
	return u
}

// keepAlive renews hold every half lease while a call runs, when the
// ledger can, so that a call longer than its lease keeps counting against
// the caps. The returned stop ends the renewals and waits for them.
func (c *Client) keepAlive(ctx context.Context, hold frugal.Hold) (stop func()) {
	rn, ok := c.o.Ledger.(Renewer)
	if !ok || c.o.Lease <= 0 {
		return func() {}
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(c.o.Lease / 2)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
				if _, err := rn.Renew(rctx, hold, c.o.Lease); err != nil {
					if rctx.Err() == nil {
						c.o.Logger.Warn("could not renew a hold; its money stops counting against the caps", "hold", hold.ID, "model", hold.Model, "err", err)
					}
					return
				}
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}
