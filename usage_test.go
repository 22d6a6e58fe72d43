package frugal_test

import (
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

// The same logical call, as each provider reports it: the model read 12,000
// input tokens, 8,000 of them from the prompt cache, and wrote 1,500 output
// tokens of which 600 were reasoning. On Anthropic the call also wrote 3,000
// tokens to the cache (2,000 for 5 minutes, 1,000 for an hour), so 1,000
// were plain input.

func TestUsageFromOpenAI(t *testing.T) {
	// prompt_tokens includes prompt_tokens_details.cached_tokens;
	// completion_tokens includes completion_tokens_details.reasoning_tokens.
	u, err := frugal.UsageFromOpenAI(12_000, 8_000, 1_500, 600)
	if err != nil {
		t.Fatal(err)
	}
	want := frugal.Usage{Input: 4_000, CacheRead: 8_000, Output: 1_500, Reasoning: 600}
	if u != want {
		t.Fatalf("UsageFromOpenAI = %+v; want %+v", u, want)
	}
	if u.InputTotal() != 12_000 {
		t.Errorf("InputTotal = %d; want 12000 (what the model read)", u.InputTotal())
	}
	// GPT-5.5 list price: $5 input, $0.50 cached input, $30 output per 1M.
	// 4,000 × $5/1M = $0.020000; 8,000 × $0.50/1M = $0.004000;
	// 1,500 × $30/1M = $0.045000; total $0.069000.
	p := price(t, "5", "0.50", "5", "5", "30")
	if got := p.Cost(u); got != 69_000 {
		t.Errorf("Cost = %s; want $0.069000", got)
	}
}

func TestUsageFromAnthropic(t *testing.T) {
	// input_tokens, cache_read_input_tokens and cache_creation_input_tokens
	// are disjoint; cache_creation splits into ephemeral_5m / ephemeral_1h.
	u, err := frugal.UsageFromAnthropic(1_000, 8_000, 3_000, 2_000, 1_000, 1_500)
	if err != nil {
		t.Fatal(err)
	}
	want := frugal.Usage{Input: 1_000, CacheRead: 8_000, CacheWrite5m: 2_000, CacheWrite1h: 1_000, Output: 1_500}
	if u != want {
		t.Fatalf("UsageFromAnthropic = %+v; want %+v", u, want)
	}
	if u.InputTotal() != 12_000 || u.CacheWrite() != 3_000 {
		t.Errorf("InputTotal = %d, CacheWrite = %d; want 12000, 3000", u.InputTotal(), u.CacheWrite())
	}
	// Claude Sonnet 4.5: $3 input, $0.30 cache read, $3.75 5m write, $6 1h
	// write, $15 output per 1M.
	// 1,000 × 3 = 3,000 µ$; 8,000 × 0.30 = 2,400 µ$; 2,000 × 3.75 = 7,500 µ$;
	// 1,000 × 6 = 6,000 µ$; 1,500 × 15 = 22,500 µ$; total 41,400 µ$.
	p := price(t, "3", "0.30", "3.75", "6", "15")
	if got := p.Cost(u); got != 41_400 {
		t.Errorf("Cost = %s; want $0.041400", got)
	}

	// Without the TTL split, every written token is a 5-minute write (the
	// API's default): 3,000 × 3.75 = 11,250 µ$ instead of 13,500 µ$.
	u, err = frugal.UsageFromAnthropic(1_000, 8_000, 3_000, 0, 0, 1_500)
	if err != nil {
		t.Fatal(err)
	}
	if want := (frugal.Usage{Input: 1_000, CacheRead: 8_000, CacheWrite5m: 3_000, Output: 1_500}); u != want {
		t.Fatalf("UsageFromAnthropic without split = %+v; want %+v", u, want)
	}
	if got := p.Cost(u); got != 39_150 {
		t.Errorf("Cost without split = %s; want $0.039150", got)
	}

	// A split that does not add up is rejected, not silently re-priced.
	_, err = frugal.UsageFromAnthropic(1_000, 8_000, 3_000, 2_000, 2_000, 1_500)
	if frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), "does not add up") {
		t.Errorf("bad split: err = %v; want EINVALID 'does not add up'", err)
	}
}

func TestUsageFromDeepSeek(t *testing.T) {
	// prompt_cache_hit_tokens + prompt_cache_miss_tokens = prompt_tokens.
	u, err := frugal.UsageFromDeepSeek(8_000, 4_000, 1_500, 600)
	if err != nil {
		t.Fatal(err)
	}
	want := frugal.Usage{Input: 4_000, CacheRead: 8_000, Output: 1_500, Reasoning: 600}
	if u != want {
		t.Fatalf("UsageFromDeepSeek = %+v; want %+v", u, want)
	}
	// deepseek-flash at peak: $0.30 miss, $0.006 hit, $1.20 output per 1M.
	// 4,000 × 0.30 = 1,200 µ$; 8,000 × 0.006 = 48 µ$; 1,500 × 1.20 = 1,800 µ$.
	p := price(t, "0.30", "0.006", "0.30", "0.30", "1.20")
	if got := p.Cost(u); got != 3_048 {
		t.Errorf("Cost = %s; want $0.003048", got)
	}
}

func TestUsageFromOllama(t *testing.T) {
	// prompt_eval_count is all the input Ollama reports; it reuses its KV
	// cache silently.
	u, err := frugal.UsageFromOllama(12_000, 1_500)
	if err != nil {
		t.Fatal(err)
	}
	if want := (frugal.Usage{Input: 12_000, Output: 1_500}); u != want {
		t.Fatalf("UsageFromOllama = %+v; want %+v", u, want)
	}
	if got := price(t, "0", "0", "0", "0", "0").Cost(u); got != 0 {
		t.Errorf("Cost at $0 = %s; want $0", got)
	}
	// A user's electricity price: $0.01 in, $0.05 out per 1M tokens.
	// 12,000 × 0.01 = 120 µ$; 1,500 × 0.05 = 75 µ$.
	if got := price(t, "0.01", "0.01", "0.01", "0.01", "0.05").Cost(u); got != 195 {
		t.Errorf("Cost at electricity price = %s; want $0.000195", got)
	}
}

func TestUsageFromRejectsImpossibleCounts(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"openai cached > prompt", second(frugal.UsageFromOpenAI(100, 101, 10, 0)), "exceeds prompt_tokens"},
		{"openai reasoning > completion", second(frugal.UsageFromOpenAI(100, 0, 10, 11)), "reasoning (11) exceeds output (10)"},
		{"openai negative cached", second(frugal.UsageFromOpenAI(5, -1, 10, 0)), "cache_read is negative"},
		{"anthropic negative output", second(frugal.UsageFromAnthropic(1, 0, 0, 0, 0, -5)), "output is negative"},
		{"deepseek negative hit", second(frugal.UsageFromDeepSeek(-3, 10, 1, 0)), "cache_read is negative"},
		{"deepseek reasoning > completion", second(frugal.UsageFromDeepSeek(0, 10, 1, 2)), "exceeds output"},
		{"ollama negative", second(frugal.UsageFromOllama(5, -1)), "output is negative"},
	}
	for _, tt := range tests {
		if frugal.ErrorCode(tt.err) != frugal.EINVALID || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want EINVALID containing %q", tt.name, tt.err, tt.want)
		}
	}
}

func TestUsageAddAndString(t *testing.T) {
	a := frugal.Usage{Input: 1, CacheRead: 2, CacheWrite5m: 3, CacheWrite1h: 4, Output: 5, Reasoning: 1}
	b := frugal.Usage{Input: 10, CacheRead: 20, CacheWrite5m: 30, CacheWrite1h: 40, Output: 50, Reasoning: 6}
	want := frugal.Usage{Input: 11, CacheRead: 22, CacheWrite5m: 33, CacheWrite1h: 44, Output: 55, Reasoning: 7}
	if got := a.Add(b); got != want {
		t.Errorf("Add = %+v; want %+v", got, want)
	}
	if got := want.String(); got != "in 11 (+22 cached, 77 written) out 55" {
		t.Errorf("String = %q", got)
	}
}

func second[T any](_ T, err error) error { return err }

// price builds a Price from published decimal strings (USD per 1M tokens):
// input, cache read, 5-minute write, 1-hour write, output.
func price(t testing.TB, in, read, w5m, w1h, out string) frugal.Price {
	t.Helper()
	return frugal.Price{Model: "test/model", Rates: rates(t, in, read, w5m, w1h, out)}
}

func rates(t testing.TB, in, read, w5m, w1h, out string) frugal.Rates {
	t.Helper()
	var r frugal.Rates
	for _, f := range []struct {
		dst *frugal.Rate
		s   string
	}{{&r.Input, in}, {&r.CacheRead, read}, {&r.CacheWrite5m, w5m}, {&r.CacheWrite1h, w1h}, {&r.Output, out}} {
		v, err := frugal.ParseRate(f.s)
		if err != nil {
			t.Fatal(err)
		}
		*f.dst = v
	}
	return r
}
