package brains

import (
	"context"
	"errors"

	"github.com/frugal-dev/frugal"
)

// attempt makes one reserved call of one model. It always ends its hold:
// settled when the provider may have billed, released otherwise.
func (c *Client) attempt(ctx context.Context, ref frugal.ModelRef, t Target, price frugal.Price, req frugal.Request, attr frugal.Attribution, onDelta func(frugal.Delta) error) (frugal.Response, Attempt, error) {
	a := Attempt{Model: ref, Attribution: attr}
	a.InputEst = c.o.Estimate(req, t.Family)
	if price.ContextWindow > 0 && a.InputEst+req.MaxOutput > price.ContextWindow {
		// Sending it would fail or truncate; the caller must trim first.
		a.Err = frugal.Errorf(frugal.EINVALID, "%s: request of ~%d input + %d output tokens exceeds the %d-token context window",
			ref, a.InputEst, req.MaxOutput, price.ContextWindow)
		return frugal.Response{}, a, a.Err
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
		a.Err = err
		return frugal.Response{}, a, err
	}

	callCtx := ctx
	if c.o.CallTimeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, c.o.CallTimeout)
		defer cancel()
	}
	start := c.o.Now()
	var resp frugal.Response
	streamed := false
	if s, ok := t.Brain.(frugal.Streamer); ok && onDelta != nil {
		resp, err = s.Stream(callCtx, req, func(d frugal.Delta) error {
			streamed = true
			return onDelta(d)
		})
	} else {
		resp, err = t.Brain.Chat(callCtx, req)
	}
	latency := c.o.Now().Sub(start)

	// Settle or release on a context that outlives a cancelled call: the
	// money was (or was not) spent whatever the caller does now.
	sctx := context.WithoutCancel(ctx)
	if err != nil && !mayHaveBilled(err, streamed) && callCtx.Err() == nil {
		if rerr := c.o.Ledger.Release(sctx, hold); rerr != nil {
			err = errors.Join(err, rerr)
		}
		a.Err = err
		return frugal.Response{}, a, err
	}

	s := frugal.Settlement{Latency: latency, Outcome: frugal.OutcomeOK, Usage: resp.Usage}
	switch {
	case err != nil:
		s.Outcome = frugal.OutcomeInterrupted
		if ctx.Err() == nil && callCtx.Err() == nil {
			s.Outcome = frugal.OutcomeError
		}
	case !resp.UsageKnown:
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
		a.Err = serr
		return frugal.Response{}, a, serr
	}
	a.Call = &call
	if err != nil {
		if streamed {
			err = &streamedError{err: err}
		}
		a.Err = err
		return frugal.Response{}, a, err
	}
	return resp, a, nil
}

// mayHaveBilled reports whether a failed attempt may still cost money: a
// provider that started answering (or a stream the caller already saw)
// bills for it; a refused or unreachable request does not. A call cut by
// cancellation or timeout is charged too (its caller checks callCtx): the
// provider may have finished it anyway.
func mayHaveBilled(err error, streamed bool) bool {
	if streamed {
		return true
	}
	var pe *frugal.ProviderError
	return errors.As(err, &pe) && pe.Billed
}

// conservativeUsage keeps what the provider reported where it reported
// anything and fills the rest with the estimate the hold was sized on.
func conservativeUsage(u frugal.Usage, inputEst, maxOutput int64) frugal.Usage {
	if u.Validate() != nil {
		u = frugal.Usage{}
	}
	if u.InputTotal() == 0 {
		u.Input = inputEst
	}
	if u.Output == 0 {
		u.Output = maxOutput
	}
	return u
}
