package pricing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/pricing"
)

func TestParseReadsExactDecimals(t *testing.T) {
	src := `date: 2026-11-30
models:
  - model: x/floaty
    input: 0.30          # a YAML float, read from its text
    cache_read: "0.03"   # a quoted string
    cache_write_5m: $0.375
    cache_write_1h: !!str 0.6
    output: 1.1
    context_window: 128000
    cache_ttl: 1h
    min_cacheable_tokens: 2048
    source: |
      a block
      of text
  - model: x/defaults
    input: 0.000001
    output: 2
  - {model: x/flow, input: 123.456789, output: 0.1000000}
`
	_, err := pricing.Parse("p.yaml", []byte(src))
	// The flow entry's output has seven decimals: the whole file is refused.
	if err == nil || err.Error() != `p.yaml:18: model "x/flow": field output: price "0.1000000": more than 6 decimals` {
		t.Fatalf("err = %v", err)
	}

	src = strings.Replace(src, "0.1000000", "0.100000", 1)
	c, err := pricing.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Date() != "2026-11-30" {
		t.Errorf("Date = %q", c.Date())
	}
	got := lookup(t, c, "x/floaty")
	want := frugal.Price{
		Model:              "x/floaty",
		Rates:              frugal.Rates{Input: 300_000, CacheRead: 30_000, CacheWrite5m: 375_000, CacheWrite1h: 600_000, Output: 1_100_000},
		ContextWindow:      128_000,
		CacheTTL:           time.Hour,
		MinCacheableTokens: 2048,
		Source:             "a block\nof text",
	}
	if got != want {
		t.Errorf("x/floaty = %+v\nwant %+v", got, want)
	}
	// Omitted cache prices default to input; omitted counts and TTL are 0.
	got = lookup(t, c, "x/defaults")
	want = frugal.Price{Model: "x/defaults", Rates: frugal.Rates{Input: 1, CacheRead: 1, CacheWrite5m: 1, CacheWrite1h: 1, Output: 2_000_000}}
	if got != want {
		t.Errorf("x/defaults = %+v\nwant %+v", got, want)
	}
	if p := lookup(t, c, "x/flow"); p.Input != 123_456_789 || p.Output != 100_000 {
		t.Errorf("x/flow = %+v", p.Rates)
	}
	// An integer beyond float64's exact range stays exact: $9,007,199,254,740,993
	// per 1M tokens would be ...992 through a float. It is beyond Rate's
	// ±9e12 dollars, so it must be refused rather than rounded.
	if _, err := pricing.Parse("p.yaml", []byte("models:\n  - {model: x/y, input: 9007199254740993, output: 1}\n")); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("huge price: err = %v; want out of range", err)
	}
	c, err = pricing.Parse("p.yaml", []byte("models:\n  - {model: x/y, input: 8999999999999.999999, output: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := lookup(t, c, "x/y"); p.Input != 8_999_999_999_999_999_999 {
		t.Errorf("largest price = %d; want exact 8999999999999999999", p.Input)
	}
}

func TestParseLongContext(t *testing.T) {
	src := `models:
  - model: x/tiered
    input: 1
    output: 5
    long_context:
      threshold_tokens: 100000
      input: 2
      cache_write_1h: 4
      output: 10
`
	c, err := pricing.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := lookup(t, c, "x/tiered")
	want := frugal.LongContext{ThresholdTokens: 100_000, Rates: frugal.Rates{Input: 2_000_000, CacheRead: 2_000_000, CacheWrite5m: 2_000_000, CacheWrite1h: 4_000_000, Output: 10_000_000}}
	if p.LongContext == nil || *p.LongContext != want {
		t.Fatalf("LongContext = %+v; want %+v (cache prices default to the tier's input)", p.LongContext, want)
	}
}

func TestParseEmptyAndCacheTTLZero(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "---\n", "models:\n", "models: []\n", "date: 2026-01-02\n"} {
		c, err := pricing.Parse("p.yaml", []byte(src))
		if err != nil || len(c.Models()) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want an empty catalog", src, c, err)
		}
	}
	c, err := pricing.Parse("p.yaml", []byte("models:\n  - {model: x/y, input: 1, output: 1, cache_ttl: 0}\n  - {model: x/z, input: 1, output: 1, cache_ttl: 0s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if lookup(t, c, "x/y").CacheTTL != 0 || lookup(t, c, "x/z").CacheTTL != 0 {
		t.Error("cache_ttl 0 should mean no cache")
	}
}

func TestParseErrors(t *testing.T) {
	// Each case is one file; want is the whole error message.
	tests := []struct {
		name, src, want string
	}{
		{"malformed YAML", "models:\n  - model: x/y\n    input: [1, 2\n",
			"prices.yaml:3: malformed YAML: "},
		{"tab indentation", "models:\n\t- model: x/y\n",
			"prices.yaml:2: malformed YAML: "},
		{"missing output", "date: 2026-12-01\nmodels:\n  - model: x/y\n    input: 1\n",
			`prices.yaml:3: model "x/y": field output: missing`},
		{"missing input", "models:\n  - model: x/y\n    output: 1\n",
			`prices.yaml:2: model "x/y": field input: missing`},
		{"missing model", "models:\n  - input: 1\n    output: 2\n",
			`prices.yaml:2: models[0]: field model: missing`},
		{"empty value", "models:\n  - model: x/y\n    input:\n    output: 2\n",
			`prices.yaml:3: model "x/y": field input: missing value`},
		{"negative price", "models:\n  - model: x/y\n    input: 1\n    output: -0.5\n",
			`prices.yaml:4: model "x/y": field output: price -0.5 is negative`},
		{"seven decimals", "models:\n  - model: x/y\n    input: 0.0000001\n    output: 1\n",
			`prices.yaml:3: model "x/y": field input: price "0.0000001": more than 6 decimals`},
		{"scientific notation", "models:\n  - model: x/y\n    input: 1e-6\n    output: 1\n",
			`prices.yaml:3: model "x/y": field input: price "1e-6": not a decimal number`},
		{"boolean price", "models:\n  - model: x/y\n    input: true\n    output: 1\n",
			`prices.yaml:3: model "x/y": field input: want a decimal price, not a boolean`},
		{"unknown key", "models:\n  - model: x/y\n    input: 1\n    outptu: 2\n",
			`prices.yaml:4: model "x/y": unknown field "outptu" (want one of model, input, cache_read, cache_write_5m, cache_write_1h, output, context_window, cache_ttl, min_cacheable_tokens, long_context, source)`},
		{"unknown key before model", "models:\n  - inptu: 1\n    model: x/y\n",
			`prices.yaml:2: model "x/y": unknown field "inptu" (want one of model, input, cache_read, cache_write_5m, cache_write_1h, output, context_window, cache_ttl, min_cacheable_tokens, long_context, source)`},
		{"unknown top-level key", "date: 2026-12-01\nmodel:\n  - model: x/y\n",
			`prices.yaml:2: unknown field "model" (want date or models)`},
		{"unknown long_context key", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context:\n      threshold: 5\n",
			`prices.yaml:6: model "x/y": long_context: unknown field "threshold" (want one of threshold_tokens, input, cache_read, cache_write_5m, cache_write_1h, output)`},
		{"duplicate model", "models:\n  - model: x/y\n    input: 1\n    output: 2\n  - model: a/b\n    input: 1\n    output: 2\n  - model: x/y\n    input: 3\n    output: 4\n",
			`prices.yaml:8: model "x/y": duplicate (first at line 2)`},
		{"duplicate key", "models:\n  - model: x/y\n    input: 1\n    input: 2\n    output: 2\n",
			""}, // the YAML parser itself refuses duplicate keys; checked below
		{"bad cache_ttl", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    cache_ttl: 5 minutes\n",
			`prices.yaml:5: model "x/y": field cache_ttl: "5 minutes" is not a duration such as 5m or 1h (0 for no cache)`},
		{"negative cache_ttl", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    cache_ttl: -5m\n",
			`prices.yaml:5: model "x/y": field cache_ttl: "-5m" is not a duration such as 5m or 1h (0 for no cache)`},
		{"bare number cache_ttl", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    cache_ttl: 300\n",
			`prices.yaml:5: model "x/y": field cache_ttl: "300" is not a duration such as 5m or 1h (0 for no cache)`},
		{"zero threshold", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context:\n      threshold_tokens: 0\n      input: 2\n      output: 4\n",
			`prices.yaml:6: model "x/y": field long_context.threshold_tokens: 0 must be above 0`},
		{"negative threshold", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context: {threshold_tokens: -200000, input: 2, output: 4}\n",
			`prices.yaml:5: model "x/y": field long_context.threshold_tokens: -200000 must be above 0`},
		{"missing threshold", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context:\n      input: 2\n      output: 4\n",
			`prices.yaml:5: model "x/y": field long_context.threshold_tokens: missing`},
		{"long_context missing output", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context:\n      threshold_tokens: 10\n      input: 2\n",
			`prices.yaml:5: model "x/y": field long_context.output: missing`},
		{"long_context negative price", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    long_context: {threshold_tokens: 10, input: 2, output: 4, cache_read: -1}\n",
			`prices.yaml:5: model "x/y": field long_context.cache_read: price -1 is negative`},
		{"context_window zero", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    context_window: 0\n",
			`prices.yaml:5: model "x/y": field context_window: 0 is below 1`},
		{"context_window text", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    context_window: 200k\n",
			`prices.yaml:5: model "x/y": field context_window: "200k" is not a whole number of tokens`},
		{"min_cacheable negative", "models:\n  - model: x/y\n    input: 1\n    output: 2\n    min_cacheable_tokens: -1\n",
			`prices.yaml:5: model "x/y": field min_cacheable_tokens: -1 is below 0`},
		{"no provider", "models:\n  - model: gpt-5\n    input: 1\n    output: 2\n",
			`prices.yaml:2: model "gpt-5": field model: "gpt-5" is not provider/name`},
		{"sim name", "models:\n  - model: sim/x/y\n    input: 1\n    output: 2\n",
			`prices.yaml:2: model "sim/x/y": field model: "sim/x/y": sim/… names are simulated models, priced as the model they name`},
		{"partial wildcard", "models:\n  - model: openai/gpt-*\n    input: 1\n    output: 2\n",
			`prices.yaml:2: model "openai/gpt-*": field model: "openai/gpt-*": a wildcard is only allowed as provider/*`},
		{"model is a list", "models:\n  - model: [x/y]\n    input: 1\n",
			`prices.yaml:2: models[0]: field model: want provider/name, not a list`},
		{"models is a mapping", "models:\n  model: x/y\n",
			`prices.yaml:2: field models: want a list of models, not a mapping`},
		{"entry is a string", "models:\n  - x/y\n",
			`prices.yaml:2: models[0]: want a mapping, not a string`},
		{"top level is a list", "- model: x/y\n",
			`prices.yaml:1: want a mapping with date and models, not a list`},
		{"bad date", "date: 2026-13-01\nmodels: []\n",
			`prices.yaml:1: field date: "2026-13-01" is not a date (want YYYY-MM-DD)`},
		{"two documents", "models: []\n---\nmodels: []\n",
			`prices.yaml:3: more than one YAML document`},
		{"alias", "a: &p 1\nmodels:\n  - {model: x/y, input: *p, output: 1}\n",
			`prices.yaml:1: unknown field "a" (want date or models)`},
		{"alias price", "models:\n  - model: x/a\n    input: &p 1\n    output: 1\n  - model: x/y\n    input: *p\n    output: 1\n",
			`prices.yaml:3: model "x/a": field input: want a decimal price, not an anchor or alias (not supported)`},
	}
	for _, tt := range tests {
		_, err := pricing.Parse("prices.yaml", []byte(tt.src))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("%s: code %q; want %q", tt.name, frugal.ErrorCode(err), frugal.EINVALID)
		}
		msg := err.Error()
		switch {
		case tt.want == "":
			if !strings.HasPrefix(msg, "prices.yaml:4: ") || !strings.Contains(msg, "input") {
				t.Errorf("%s: err = %q; want prices.yaml:4 naming input", tt.name, msg)
			}
		case strings.HasSuffix(tt.want, ": "): // the YAML parser's own wording follows
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("%s: err = %q; want prefix %q", tt.name, msg, tt.want)
			}
		case msg != tt.want:
			t.Errorf("%s:\n got %s\nwant %s", tt.name, msg, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("date: 2026-12-04\nmodels:\n  - model: x/y\n    input: 0.30\n    output: 1.5\n    cache_ttl: 5m\n    long_context: {threshold_tokens: 10, input: 1, output: 2}\n"))
	f.Add([]byte("models:\n  - {model: ollama/*, input: 0.01, output: 0.02}\n"))
	f.Add([]byte("models:\n  - model: x/y\n    input: [1, 2\n"))
	f.Add([]byte("a: &p 1\nmodels: *p\n"))
	f.Add([]byte("models: !!seq\n- !!map {model: x/y, input: !!str 1, output: 2}\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := pricing.Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error %q does not start with the file name", err)
			}
			if frugal.ErrorCode(err) != frugal.EINVALID {
				t.Fatalf("error %q has code %q", err, frugal.ErrorCode(err))
			}
			return
		}
		for _, p := range c.Models() {
			for _, r := range []frugal.Rate{p.Input, p.CacheRead, p.CacheWrite5m, p.CacheWrite1h, p.Output} {
				if r < 0 {
					t.Fatalf("%s: negative rate %d accepted", p.Model, r)
				}
			}
			if p.LongContext != nil && p.LongContext.ThresholdTokens <= 0 {
				t.Fatalf("%s: threshold %d accepted", p.Model, p.LongContext.ThresholdTokens)
			}
			if p.Model != "" && !strings.HasSuffix(p.Model, "/*") {
				if _, err := c.Lookup(p.Model); err != nil {
					t.Fatalf("model %q parsed but Lookup fails: %v", p.Model, err)
				}
			}
		}
	})
}

func lookup(t testing.TB, c *pricing.Catalog, model string) frugal.Price {
	t.Helper()
	p, err := c.Lookup(model)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
