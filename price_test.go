package frugal_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
)

func TestCostRoundsUpPerCall(t *testing.T) {
	p := price(t, "0.14", "0.028", "0.14", "0.14", "0.28")
	tests := []struct {
		u    frugal.Usage
		want frugal.Money
	}{
		{frugal.Usage{}, 0},
		{frugal.Usage{Input: 1}, 1},                        // 0.14 µ$ rounds up to 1 µ$
		{frugal.Usage{CacheRead: 7}, 1},                    // 0.196 µ$
		{frugal.Usage{Input: 7_142}, 1_000},                // 999.88 µ$
		{frugal.Usage{Input: 7_143}, 1_001},                // 1,000.02 µ$
		{frugal.Usage{Input: 1_000_000}, 140_000},          // exactly $0.14
		{frugal.Usage{Input: 1_000_001}, 140_001},          // 140,000.14 µ$
		{frugal.Usage{Input: 5, Output: 5}, 3},             // 0.7 + 1.4 = 2.1 µ$: rounded once, not per kind
		{frugal.Usage{Input: -5, Output: 1_000}, 280},      // negative counts count as zero
		{frugal.Usage{Output: 1_000, Reasoning: 900}, 280}, // reasoning is part of output, not extra
	}
	for _, tt := range tests {
		if got := p.Cost(tt.u); got != tt.want {
			t.Errorf("Cost(%+v) = %d µ$; want %d", tt.u, got, tt.want)
		}
	}
}

func TestCostSaturates(t *testing.T) {
	p := frugal.Price{Rates: frugal.Rates{Input: math.MaxInt64, CacheRead: math.MaxInt64, CacheWrite5m: math.MaxInt64, CacheWrite1h: math.MaxInt64, Output: math.MaxInt64}}
	huge := frugal.Usage{Input: math.MaxInt64, CacheRead: math.MaxInt64, CacheWrite5m: math.MaxInt64, CacheWrite1h: math.MaxInt64, Output: math.MaxInt64}
	if got := p.Cost(huge); got != math.MaxInt64 {
		t.Errorf("Cost of huge usage = %d; want saturation at %d", got, int64(math.MaxInt64))
	}
	// The high words of the five products add up to 2^64 + 1: a sum that
	// wraps around must saturate, not come out as a plausible $18M.
	p = frugal.Price{Rates: frugal.Rates{Input: math.MaxInt64, CacheRead: math.MaxInt64, CacheWrite5m: math.MaxInt64, CacheWrite1h: math.MaxInt64, Output: 20}}
	wrap := frugal.Usage{Input: math.MaxInt64, CacheRead: math.MaxInt64, CacheWrite5m: math.MaxInt64, CacheWrite1h: math.MaxInt64, Output: 1 << 62}
	if got := p.Cost(wrap); got != math.MaxInt64 {
		t.Errorf("Cost with a 128-bit carry = %d; want saturation", got)
	}
	// Just beyond what Money holds: 9.3e18 µ$ needs tokens × rate > 9.2e24.
	p = frugal.Price{Rates: frugal.Rates{Output: 10_000_000_000_000}} // $10M per 1M tokens
	if got := p.Cost(frugal.Usage{Output: 1_000_000_000_000}); got != math.MaxInt64 {
		t.Errorf("Cost beyond Money = %d; want saturation", got)
	}
	if got := p.Cost(frugal.Usage{Output: 1_000}); got != 10_000_000_000 {
		t.Errorf("Cost = %d; want $10000", got)
	}
}

// A Claude-style long-context tier: above 200,000 input tokens every token
// of the call is billed at the higher rates.
func longContextPrice(t testing.TB) frugal.Price {
	p := price(t, "3", "0.30", "3.75", "6", "15")
	p.LongContext = &frugal.LongContext{ThresholdTokens: 200_000, Rates: rates(t, "6", "0.60", "7.50", "12", "22.50")}
	return p
}

func TestCostLongContextTier(t *testing.T) {
	p := longContextPrice(t)
	tests := []struct {
		name string
		u    frugal.Usage
		want frugal.Money
	}{
		// 199,999 × $3/1M = 599,997 µ$; 1,000 × $15/1M = 15,000 µ$.
		{"just below", frugal.Usage{Input: 199_999, Output: 1_000}, 614_997},
		// At the threshold the base tier still applies ("above" means >).
		{"at threshold", frugal.Usage{Input: 200_000, Output: 1_000}, 615_000},
		// 200,001 × $6/1M = 1,200,006 µ$; 1,000 × $22.50/1M = 22,500 µ$.
		{"just above", frugal.Usage{Input: 200_001, Output: 1_000}, 1_222_506},
		// The threshold counts every input kind: 150,000 read from cache +
		// 50,001 written + 1 uncached = 200,002 > 200,000.
		// 150,000 × 0.60 = 90,000; 50,001 × 7.50 = 375,007.5; 1 × 6 = 6;
		// 1,000 × 22.50 = 22,500 → 487,513.5 → 487,514 µ$.
		{"cached input counts", frugal.Usage{Input: 1, CacheRead: 150_000, CacheWrite5m: 50_001, Output: 1_000}, 487_514},
		// Negative counts count as zero for the tier too.
		{"negative does not lower the tier", frugal.Usage{Input: 200_001, CacheRead: -100_000}, 1_200_006},
	}
	for _, tt := range tests {
		if got := p.Cost(tt.u); got != tt.want {
			t.Errorf("%s: Cost(%+v) = %d µ$; want %d", tt.name, tt.u, got, tt.want)
		}
	}
	if r := p.RatesFor(200_000); r != p.Rates {
		t.Errorf("RatesFor(200000) = %+v; want base rates", r)
	}
	if r := p.RatesFor(200_001); r != p.LongContext.Rates {
		t.Errorf("RatesFor(200001) = %+v; want long-context rates", r)
	}
}

func TestWorstCase(t *testing.T) {
	p := longContextPrice(t)
	tests := []struct {
		name       string
		in, maxOut int64
		ttl        time.Duration
		want       frugal.Money
	}{
		// 10,000 × $3 = 30,000 µ$; 2,000 × $15 = 30,000 µ$.
		{"no cache write", 10_000, 2_000, 0, 60_000},
		// A 5-minute write may bill every input token at $3.75: 37,500 µ$.
		{"5m write", 10_000, 2_000, 5 * time.Minute, 67_500},
		// A 1-hour write at $6: 60,000 µ$.
		{"1h write", 10_000, 2_000, time.Hour, 90_000},
		// Any TTL under an hour is a 5-minute write.
		{"30m write", 10_000, 2_000, 30 * time.Minute, 67_500},
		// Across the threshold: 250,000 × $6 = 1,500,000; 2,000 × $22.50 = 45,000.
		{"long context", 250_000, 2_000, 0, 1_545_000},
		// 250,000 × $12 = 3,000,000; + 45,000.
		{"long context 1h write", 250_000, 2_000, time.Hour, 3_045_000},
		{"nothing", 0, 0, time.Hour, 0},
	}
	for _, tt := range tests {
		if got := p.WorstCase(tt.in, tt.maxOut, tt.ttl); got != tt.want {
			t.Errorf("%s: WorstCase(%d, %d, %s) = %d µ$; want %d", tt.name, tt.in, tt.maxOut, tt.ttl, got, tt.want)
		}
	}

	// Where the cache write is no dearer than input (OpenAI before GPT-5.6,
	// DeepSeek, Gemini implicit caching) a write request changes nothing;
	// a provider whose 1h write is cheaper than its 5m write still reserves
	// the dearer of the two.
	flat := price(t, "1.25", "0.125", "1.25", "1.25", "10")
	odd := price(t, "1", "0.1", "3", "2", "5")
	for _, tt := range []struct {
		name string
		p    frugal.Price
		ttl  time.Duration
		want frugal.Money
	}{
		{"flat 0", flat, 0, 32_500}, // 10,000 × 1.25 + 2,000 × 10
		{"flat 1h", flat, time.Hour, 32_500},
		{"odd 1h", odd, time.Hour, 40_000}, // 10,000 × 3 + 2,000 × 5
	} {
		if got := tt.p.WorstCase(10_000, 2_000, tt.ttl); got != tt.want {
			t.Errorf("%s: WorstCase = %d µ$; want %d", tt.name, got, tt.want)
		}
	}

	// The worst case bounds every bill the call can produce at its input
	// size and output cap, whatever the mix of cached and written tokens.
	rng := rand.New(rand.NewPCG(7, 11))
	for range 2_000 {
		in := rng.Int64N(400_000)
		out := rng.Int64N(50_000)
		read := rng.Int64N(in + 1)
		w := rng.Int64N(in - read + 1)
		u := frugal.Usage{Input: in - read - w, CacheRead: read, CacheWrite1h: w, Output: rng.Int64N(out + 1)}
		if cost, worst := p.Cost(u), p.WorstCase(in, out, time.Hour); cost > worst {
			t.Fatalf("Cost(%+v) = %d exceeds WorstCase(%d, %d, 1h) = %d", u, cost, in, out, worst)
		}
	}
}

// randomPrice draws rates up to $100 per 1M tokens with up to six decimals,
// and sometimes a long-context tier whose rates are no lower than the base.
func randomPrice(rng *rand.Rand) frugal.Price {
	r := func() frugal.Rate { return frugal.Rate(rng.Int64N(100_000_001)) }
	p := frugal.Price{Rates: frugal.Rates{Input: r(), CacheRead: r(), CacheWrite5m: r(), CacheWrite1h: r(), Output: r()}}
	if rng.IntN(2) == 0 {
		up := func(base frugal.Rate) frugal.Rate { return base + frugal.Rate(rng.Int64N(50_000_001)) }
		p.LongContext = &frugal.LongContext{
			ThresholdTokens: 1 + rng.Int64N(300_000),
			Rates:           frugal.Rates{Input: up(p.Input), CacheRead: up(p.CacheRead), CacheWrite5m: up(p.CacheWrite5m), CacheWrite1h: up(p.CacheWrite1h), Output: up(p.Output)},
		}
	}
	return p
}

// randomUsage draws a usage whose input total is at most maxIn.
func randomUsage(rng *rand.Rand, maxIn int64) frugal.Usage {
	split := func(n int64) (int64, int64) { a := rng.Int64N(n + 1); return a, n - a }
	total := rng.Int64N(maxIn + 1)
	a, b := split(total)
	in, read := split(a)
	w5, w1 := split(b)
	out := rng.Int64N(200_000)
	return frugal.Usage{Input: in, CacheRead: read, CacheWrite5m: w5, CacheWrite1h: w1, Output: out, Reasoning: rng.Int64N(out + 1)}
}

func TestCostSumProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	for i := range 5_000 {
		p := randomPrice(rng)
		n := 1 + rng.IntN(20)
		// Keep every call and their sum in one tier: all below the
		// threshold (their sum too), or all above it.
		maxIn := int64(1_000_000)
		above := false
		if p.LongContext != nil {
			if above = rng.IntN(2) == 0; !above {
				maxIn = p.LongContext.ThresholdTokens / int64(n)
			}
		}
		var sum frugal.Usage
		var perCall frugal.Money
		for range n {
			u := randomUsage(rng, maxIn)
			if above {
				u.Input += p.LongContext.ThresholdTokens + 1 // strictly above
			}
			sum = sum.Add(u)
			perCall += p.Cost(u)
		}
		whole := p.Cost(sum)
		if diff := perCall - whole; diff < 0 || diff >= frugal.Money(n) {
			t.Fatalf("case %d: %d calls cost %d one by one and %d summed: difference %d, want 0 <= d < %d (price %+v)", i, n, perCall, whole, diff, n, p)
		}
	}
}

func TestCostMonotonic(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 12))
	kinds := []func(*frugal.Usage) *int64{
		func(u *frugal.Usage) *int64 { return &u.Input },
		func(u *frugal.Usage) *int64 { return &u.CacheRead },
		func(u *frugal.Usage) *int64 { return &u.CacheWrite5m },
		func(u *frugal.Usage) *int64 { return &u.CacheWrite1h },
		func(u *frugal.Usage) *int64 { return &u.Output },
	}
	for i := range 5_000 {
		p := randomPrice(rng)
		u := randomUsage(rng, 600_000)
		base := p.Cost(u)
		for k, field := range kinds {
			v := u
			*field(&v) += 1 + rng.Int64N(300_000) // may cross into the long-context tier
			if got := p.Cost(v); got < base {
				t.Fatalf("case %d kind %d: Cost went down from %d to %d when %+v grew to %+v (price %+v)", i, k, base, got, u, v, p)
			}
		}
	}
}

func BenchmarkCost(b *testing.B) {
	p := longContextPrice(b)
	u := frugal.Usage{Input: 1_234, CacheRead: 45_678, CacheWrite5m: 2_000, CacheWrite1h: 100, Output: 3_456}
	var sink frugal.Money
	for b.Loop() {
		sink += p.Cost(u)
	}
	_ = sink
}
