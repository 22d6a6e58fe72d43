package pricing_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/pricing"
)

func TestDefaultCatalogIsSane(t *testing.T) {
	c, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.DateOnly, c.Date()); err != nil {
		t.Errorf("Date %q: %v", c.Date(), err)
	}
	models := c.Models()
	if len(models) < 20 {
		t.Errorf("%d models; want at least 20", len(models))
	}
	for i, p := range models {
		if i > 0 && models[i-1].Model >= p.Model {
			t.Errorf("Models not sorted: %q before %q", models[i-1].Model, p.Model)
		}
		checkSane(t, p.Model, p.Rates)
		if p.ContextWindow <= 0 {
			t.Errorf("%s: context_window %d", p.Model, p.ContextWindow)
		}
		if p.Source == "" {
			t.Errorf("%s: no source", p.Model)
		}
		local := strings.HasSuffix(p.Model, "/*")
		if local != (p.Output == 0) {
			t.Errorf("%s: only the local wildcards may be free (output %s)", p.Model, p.Output)
		}
		if !local && (p.CacheTTL <= 0 || p.MinCacheableTokens < 0) {
			t.Errorf("%s: paid model without a prompt cache TTL (%s)", p.Model, p.CacheTTL)
		}
		if lc := p.LongContext; lc != nil {
			checkSane(t, p.Model+" long_context", lc.Rates)
			if lc.ThresholdTokens <= 0 || lc.ThresholdTokens > p.ContextWindow {
				t.Errorf("%s: threshold %d outside (0, %d]", p.Model, lc.ThresholdTokens, p.ContextWindow)
			}
			for _, pair := range [][2]frugal.Rate{{p.Input, lc.Input}, {p.CacheRead, lc.CacheRead}, {p.CacheWrite5m, lc.CacheWrite5m}, {p.CacheWrite1h, lc.CacheWrite1h}, {p.Output, lc.Output}} {
				if pair[1] < pair[0] {
					t.Errorf("%s: a long-context rate %s is below the base rate %s", p.Model, pair[1], pair[0])
				}
			}
		}
	}
	// The models the product and its examples name, one per tier.
	for _, m := range []string{
		"anthropic/claude-opus-5-5", "anthropic/claude-sonnet-5-5", "anthropic/claude-haiku-5-5",
		"anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5",
		"openai/gpt-5.5", "openai/gpt-5-mini", "openai/gpt-5-nano",
		"google/gemini-3.1-pro-preview", "google/gemini-3.5-flash",
		"deepseek/deepseek-v4-flash", "deepseek/deepseek-chat", "deepseek/deepseek-reasoner",
		"ollama/qwen2.5-coder:7b", "llamacpp/any.gguf", "lmstudio/some-model",
	} {
		if _, err := c.Lookup(m); err != nil {
			t.Errorf("Lookup(%q): %v", m, err)
		}
	}
}

func checkSane(t *testing.T, model string, r frugal.Rates) {
	t.Helper()
	if r.Input < 0 || r.CacheRead < 0 || r.CacheWrite5m < 0 || r.CacheWrite1h < 0 || r.Output < 0 {
		t.Errorf("%s: negative rate %+v", model, r)
	}
	if r.Output < r.Input {
		t.Errorf("%s: output %s below input %s", model, r.Output, r.Input)
	}
	if r.CacheRead > r.Input {
		t.Errorf("%s: cache read %s above input %s", model, r.CacheRead, r.Input)
	}
	if r.CacheWrite5m < r.Input || r.CacheWrite1h < r.CacheWrite5m {
		t.Errorf("%s: cache writes %s / %s below input %s or 1h below 5m", model, r.CacheWrite5m, r.CacheWrite1h, r.Input)
	}
}

func TestLookup(t *testing.T) {
	c, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	sonnet := lookup(t, c, "anthropic/claude-sonnet-4-5")
	want := frugal.Rates{Input: 3_000_000, CacheRead: 300_000, CacheWrite5m: 3_750_000, CacheWrite1h: 6_000_000, Output: 15_000_000}
	if sonnet.Model != "anthropic/claude-sonnet-4-5" || sonnet.Rates != want || sonnet.CacheTTL != 5*time.Minute || sonnet.ContextWindow != 200_000 {
		t.Errorf("sonnet = %+v", sonnet)
	}
	// The package's entry cannot be changed through the returned pointer.
	sonnet.LongContext.Input = 0
	if again := lookup(t, c, "anthropic/claude-sonnet-4-5"); again.LongContext.Input != 6_000_000 {
		t.Errorf("Lookup handed out the catalog's own LongContext")
	}

	t.Run("wildcard", func(t *testing.T) {
		p := lookup(t, c, "ollama/qwen2.5-coder:7b")
		if p.Model != "ollama/qwen2.5-coder:7b" || p.Rates != (frugal.Rates{}) || p.ContextWindow != 4096 {
			t.Errorf("ollama wildcard = %+v", p)
		}
		if !strings.HasPrefix(p.Source, "matched ollama/*; ") {
			t.Errorf("Source = %q", p.Source)
		}
		if got := p.Cost(frugal.Usage{Input: 1_000_000, Output: 1_000_000}); got != 0 {
			t.Errorf("local cost = %s", got)
		}
		// The wildcard entry itself, as `frugal prices` lists it.
		if p := lookup(t, c, "ollama/*"); p.Model != "ollama/*" || strings.HasPrefix(p.Source, "matched") {
			t.Errorf("ollama/* = %+v", p)
		}
	})

	t.Run("sim", func(t *testing.T) {
		p := lookup(t, c, "sim/anthropic/claude-sonnet-4-5")
		if p.Model != "sim/anthropic/claude-sonnet-4-5" || p.Rates != want || p.LongContext == nil || p.CacheTTL != 5*time.Minute {
			t.Errorf("sim = %+v", p)
		}
		if !strings.HasPrefix(p.Source, "simulated; priced as anthropic/claude-sonnet-4-5; platform.claude.com") {
			t.Errorf("Source = %q", p.Source)
		}
		// A simulated local model goes through the wildcard.
		p = lookup(t, c, "sim/ollama/llama3")
		if p.Model != "sim/ollama/llama3" || p.Source != "simulated; priced as ollama/llama3; matched ollama/*; local Ollama server, no per-token charge; KV-cache reuse is silent and unbilled." {
			t.Errorf("sim wildcard = %+v", p)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		for _, tt := range []struct{ model, code, msg string }{
			{"x/y", frugal.ENOTFOUND, `unknown model "x/y": add it to $FRUGAL_HOME/prices.yaml (see frugal prices)`},
			{"openai/gpt-4-turbo-nonexistent", frugal.ENOTFOUND, `unknown model "openai/gpt-4-turbo-nonexistent": add it to $FRUGAL_HOME/prices.yaml (see frugal prices)`},
			{"sim/x/y", frugal.ENOTFOUND, `unknown model "sim/x/y": simulated "sim/x/y" is priced as "x/y", which is unknown: add it to $FRUGAL_HOME/prices.yaml (see frugal prices)`},
			{"vllm/*", frugal.ENOTFOUND, `unknown model "vllm/*": add it to $FRUGAL_HOME/prices.yaml (see frugal prices)`},
			{"sim/sim/anthropic/claude-sonnet-4-5", frugal.ENOTFOUND, ""},
			{"gpt-5", frugal.EINVALID, `model "gpt-5": want provider/name, e.g. anthropic/claude-sonnet-4-5 or ollama/qwen2.5-coder:7b`},
			{"", frugal.EINVALID, ""},
			{"sim/", frugal.EINVALID, ""},
		} {
			p, err := c.Lookup(tt.model)
			if frugal.ErrorCode(err) != tt.code {
				t.Errorf("Lookup(%q) = %+v, %v; want code %s", tt.model, p, err, tt.code)
				continue
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Lookup(%q):\n got %s\nwant %s", tt.model, err, tt.msg)
			}
		}
	})
}

func TestLoad(t *testing.T) {
	base, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("no home", func(t *testing.T) {
		for _, home := range []string{"", filepath.Join(t.TempDir(), "does-not-exist")} {
			c, err := pricing.Load(home)
			if err != nil || len(c.Models()) != len(base.Models()) || c.Date() != base.Date() {
				t.Errorf("Load(%q) = %v; want the embedded catalog", home, err)
			}
		}
	})

	t.Run("overrides", func(t *testing.T) {
		home := t.TempDir()
		path := filepath.Join(home, "prices.yaml")
		write(t, path, `date: 2027-01-15
models:
  # My electricity: ~$0.02 per 1M tokens in, $0.08 out on this GPU.
  - model: ollama/*
    input: 0.02
    output: 0.08
    context_window: 32768
  # A negotiated rate, replacing the whole built-in entry.
  - model: anthropic/claude-sonnet-4-5
    input: 2.5
    output: 12
    source: our enterprise contract
  - model: acme/house-model
    input: 1
    output: 2
`)
		c, err := pricing.Load(home)
		if err != nil {
			t.Fatal(err)
		}
		if c.Date() != base.Date() {
			t.Errorf("Date = %q; an override file does not change the catalog date %q", c.Date(), base.Date())
		}
		if n := len(c.Models()); n != len(base.Models())+1 {
			t.Errorf("%d models; want %d", n, len(base.Models())+1)
		}
		q := lookup(t, c, "ollama/qwen3:8b")
		if q.Input != 20_000 || q.Output != 80_000 || q.CacheRead != 20_000 || q.ContextWindow != 32_768 || q.CacheTTL != 0 {
			t.Errorf("electricity override = %+v", q)
		}
		if q.Source != "matched ollama/*; "+path+", dated 2027-01-15" {
			t.Errorf("override source = %q", q.Source)
		}
		// 12,000 in × $0.02 + 1,500 out × $0.08 = 240 + 120 µ$.
		if got := q.Cost(frugal.Usage{Input: 12_000, Output: 1_500}); got != 360 {
			t.Errorf("electricity cost = %d µ$; want 360", got)
		}
		s := lookup(t, c, "anthropic/claude-sonnet-4-5")
		want := frugal.Price{Model: "anthropic/claude-sonnet-4-5", Rates: frugal.Rates{Input: 2_500_000, CacheRead: 2_500_000, CacheWrite5m: 2_500_000, CacheWrite1h: 2_500_000, Output: 12_000_000}, Source: "our enterprise contract"}
		if s != want {
			t.Errorf("replaced entry = %+v\nwant %+v (nothing inherited from the built-in entry)", s, want)
		}
		if _, err := c.Lookup("acme/house-model"); err != nil {
			t.Error(err)
		}
		// The embedded catalog is untouched.
		if p := lookup(t, base, "anthropic/claude-sonnet-4-5"); p.Input != 3_000_000 || p.LongContext == nil {
			t.Errorf("Default changed: %+v", p)
		}
	})

	t.Run("bad file", func(t *testing.T) {
		home := t.TempDir()
		path := filepath.Join(home, "prices.yaml")
		write(t, path, "models:\n  - model: x/y\n    input: 1\n")
		_, err := pricing.Load(home)
		if frugal.ErrorCode(err) != frugal.EINVALID || err.Error() != path+`:2: model "x/y": field output: missing` {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("unreadable", func(t *testing.T) {
		home := t.TempDir()
		if err := os.Mkdir(filepath.Join(home, "prices.yaml"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := pricing.Load(home)
		if frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), "prices.yaml") {
			t.Errorf("err = %v; want EINVALID naming prices.yaml", err)
		}
	})
}

func TestMerge(t *testing.T) {
	a, err := pricing.Parse("a.yaml", []byte("date: 2026-12-01\nmodels:\n  - {model: x/a, input: 1, output: 2}\n  - {model: x/b, input: 1, output: 2, long_context: {threshold_tokens: 5, input: 2, output: 4}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := pricing.Parse("b.yaml", []byte("models:\n  - {model: x/b, input: 3, output: 4}\n  - {model: x/c, input: 5, output: 6}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := a.Merge(b)
	if m.Date() != "2026-12-01" {
		t.Errorf("Date = %q", m.Date())
	}
	var names []string
	for _, p := range m.Models() {
		names = append(names, p.Model)
	}
	if strings.Join(names, ",") != "x/a,x/b,x/c" {
		t.Errorf("models = %v", names)
	}
	if p := lookup(t, m, "x/b"); p.Input != 3_000_000 || p.LongContext != nil {
		t.Errorf("x/b = %+v; want the override whole, without the base long_context", p)
	}
	if p := lookup(t, a, "x/b"); p.Input != 1_000_000 || p.LongContext == nil {
		t.Errorf("Merge changed its receiver: %+v", p)
	}
	if _, err := a.Lookup("x/c"); frugal.ErrorCode(err) != frugal.ENOTFOUND {
		t.Errorf("Merge changed its receiver: x/c found")
	}
	if n := len(a.Merge(nil).Models()); n != 2 {
		t.Errorf("Merge(nil) has %d models", n)
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := pricing.Default(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	c, err := pricing.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, model := range []string{"anthropic/claude-sonnet-4-5", "ollama/qwen2.5-coder:7b", "sim/anthropic/claude-sonnet-4-5"} {
		b.Run(model, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Lookup(model); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
