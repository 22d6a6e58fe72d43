package frugal

import (
	"math"
	"math/bits"
	"time"
)

// Rates are the prices of each token kind, in Rate units (micro-dollars per
// million tokens).
type Rates struct {
	Input        Rate `json:"input"`
	CacheRead    Rate `json:"cache_read"`
	CacheWrite5m Rate `json:"cache_write_5m"`
	CacheWrite1h Rate `json:"cache_write_1h"`
	Output       Rate `json:"output"`
}

// LongContext is a second set of rates that applies to a whole call once
// its total input exceeds ThresholdTokens (Claude and Gemini price calls
// above 200k input tokens higher).
type LongContext struct {
	ThresholdTokens int64 `json:"threshold_tokens"`
	Rates
}

// Price is what one model costs and how its prompt cache behaves.
type Price struct {
	Model string `json:"model"` // "provider/name"
	Rates
	LongContext        *LongContext  `json:"long_context,omitempty"`
	ContextWindow      int64         `json:"context_window"`       // tokens
	CacheTTL           time.Duration `json:"-"`                    // default prompt-cache lifetime; 0: no cache
	MinCacheableTokens int64         `json:"min_cacheable_tokens"` // shortest prefix the provider caches; 0: unknown or none
	Source             string        `json:"source,omitempty"`     // where the numbers come from
}

// RatesFor returns the rates that apply to a call that reads inputTokens
// tokens in all.
func (p Price) RatesFor(inputTokens int64) Rates {
	if p.LongContext != nil && inputTokens > p.LongContext.ThresholdTokens {
		return p.LongContext.Rates
	}
	return p.Rates
}

// Cost is the price of usage u, and the one place where frugal rounds
// money: the exact sum over token kinds of tokens × rate (in pico-dollars)
// is divided by 1e6 and rounded up to the next whole micro-dollar. So a
// call never costs less than its exact price, and the per-call costs of n
// calls exceed the cost of their summed usage by less than n micro-dollars.
// Negative counts count as zero; a cost too large for Money saturates at
// the largest Money.
func (p Price) Cost(u Usage) Money {
	r := p.RatesFor(billedInput(u))
	var hi, lo uint64
	for _, t := range [...]struct {
		n int64
		r Rate
	}{
		{u.Input, r.Input}, {u.CacheRead, r.CacheRead}, {u.CacheWrite5m, r.CacheWrite5m},
		{u.CacheWrite1h, r.CacheWrite1h}, {u.Output, r.Output},
	} {
		if t.n <= 0 || t.r <= 0 {
			continue
		}
		h, l := bits.Mul64(uint64(t.n), uint64(t.r))
		var c uint64
		lo, c = bits.Add64(lo, l, 0)
		if hi, c = bits.Add64(hi, h, c); c != 0 {
			return Money(math.MaxInt64)
		}
	}
	const scale = 1_000_000
	if hi >= scale {
		return Money(math.MaxInt64)
	}
	q, rem := bits.Div64(hi, lo, scale)
	if rem != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return Money(math.MaxInt64)
	}
	return Money(q)
}

// billedInput is the input total that selects the rate tier, counting
// negative counts as zero (as Cost does) and saturating instead of
// overflowing.
func billedInput(u Usage) int64 {
	var total int64
	for _, n := range [...]int64{u.Input, u.CacheRead, u.CacheWrite5m, u.CacheWrite1h} {
		if n > 0 {
			if total > math.MaxInt64-n {
				return math.MaxInt64
			}
			total += n
		}
	}
	return total
}

// WorstCase is what a call may cost at most before it is made: inputTokens
// (an estimate, margin included) at the dearest rate the call could be
// billed for its input, plus maxOutput tokens of output. The dearest input
// rate is the uncached rate, or the cache-write rate of writeTTL when the
// call asks for a cache write (5 minutes or 1 hour; 0 for none). Rates of
// the long-context tier apply when inputTokens crosses its threshold.
func (p Price) WorstCase(inputTokens, maxOutput int64, writeTTL time.Duration) Money {
	r := p.RatesFor(inputTokens)
	in := r.Input
	switch {
	case writeTTL >= time.Hour:
		in = max(in, r.CacheWrite1h, r.CacheWrite5m)
	case writeTTL > 0:
		in = max(in, r.CacheWrite5m)
	}
	q := Price{Rates: Rates{Input: in, Output: r.Output}}
	return q.Cost(Usage{Input: inputTokens, Output: maxOutput})
}
