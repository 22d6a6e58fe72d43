package brains_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

// formats are the same logical call's four usage shapes: OpenAI
// (prompt_tokens with cached_tokens inside), Anthropic (disjoint input,
// cache read and cache creation with its 5m/1h split), DeepSeek (cache
// hit/miss) and Ollama (prompt_eval_count, eval_count).
var formats = []struct {
	ref      frugal.ModelRef
	endpoint string
	caches   bool
}{
	{"sim/openai/gpt-5-mini", "openai", true},
	{"sim/anthropic/claude-haiku-4-5", "anthropic", true},
	{"sim/deepseek/deepseek-chat", "openai", true},
	{"sim/ollama/qwen2.5-coder:7b", "ollama", false},
}

const answer = "The capital of France is Paris."

// handCost prices u at p's rates, rounded up to a micro-dollar, without
// going through frugal.Price.Cost.
func handCost(p frugal.Price, u frugal.Usage) frugal.Money {
	pico := u.Input*int64(p.Input) + u.CacheRead*int64(p.CacheRead) + u.CacheWrite5m*int64(p.CacheWrite5m) +
		u.CacheWrite1h*int64(p.CacheWrite1h) + u.Output*int64(p.Output)
	return frugal.Money((pico + 999_999) / 1_000_000)
}

func TestUsageNormalisedAcrossWireFormats(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, `
rules:
  - when: {user_contains: "capital"}
    reply: {text: "`+answer+`"}
`)}})
	req := frugal.Request{
		System:    "You answer in one short sentence.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "What is the capital of France?"}},
		MaxOutput: 100,
	}
	want := frugal.Usage{Input: tokenizer.CountRequest(req), Output: int64(tokenizer.Count(answer))}
	if want.Input < 10 || want.Output < 5 {
		t.Fatalf("implausible expected usage %+v", want)
	}
	n := 0
	for _, f := range formats {
		price, err := w.cat.Lookup(string(f.ref))
		if err != nil {
			t.Fatal(err)
		}
		for _, stream := range []bool{false, true} {
			var onDelta func(frugal.Delta) error
			if stream {
				onDelta = func(frugal.Delta) error { return nil }
			}
			res, err := w.client.Call(context.Background(), []frugal.ModelRef{f.ref}, req, attr, onDelta)
			if err != nil {
				t.Fatalf("%s (stream %v): %v", f.ref, stream, err)
			}
			n++
			if !res.UsageKnown || res.Usage != want || res.Message.Content != answer {
				t.Errorf("%s (stream %v): usage %+v known %v, answer %q; want %+v", f.ref, stream, res.Usage, res.UsageKnown, res.Message.Content, want)
			}
			if res.Cost != handCost(price, want) || res.Cost != price.Cost(want) {
				t.Errorf("%s (stream %v): cost %s, want %s", f.ref, stream, res.Cost, handCost(price, want))
			}
			calls := w.srv.Calls()
			if last := calls[len(calls)-1]; last.Endpoint != f.endpoint || last.Stream != stream || last.Usage != want {
				t.Errorf("%s: the sim saw %s stream=%v billing %+v", f.ref, last.Endpoint, last.Stream, last.Usage)
			}
		}
	}
	rows := w.rows()
	if len(rows) != n {
		t.Fatalf("%d rows for %d calls", len(rows), n)
	}
	for _, r := range rows {
		if r.Usage != want || r.Estimated || r.Outcome != frugal.OutcomeOK {
			t.Errorf("row %s: %+v estimated %v", r.Model, r.Usage, r.Estimated)
		}
	}
	// Pin the arithmetic once by hand: Haiku 4.5 is $1 in, $5 out per
	// million tokens, so a call costs input + 5 × output micro-dollars,
	// rounded up; Ollama is free.
	haikuPrice, _ := w.cat.Lookup(haiku)
	if got := haikuPrice.Cost(want); got != frugal.Money(want.Input+5*want.Output) {
		t.Errorf("haiku cost %s for %+v", got, want)
	}
	for _, r := range rows {
		if strings.HasPrefix(r.Model, "sim/ollama/") && r.Cost != 0 {
			t.Errorf("ollama call cost %s", r.Cost)
		}
	}
}

func TestCachedUsageNormalisedAcrossWireFormats(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, `
rules:
  - when: {user_contains: "capital"}
    reply: {text: "`+answer+`"}
`)}})
	// A stable prefix long enough for every cache (Haiku 4.5: 4096 tokens).
	var sys strings.Builder
	for i := range 700 {
		sys.WriteString("Rule ")
		sys.WriteString(strings.Repeat("x", i%7+1))
		sys.WriteString(": be brief. ")
	}
	req := frugal.Request{
		System:    sys.String(),
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "What is the capital of France?"}},
		MaxOutput: 100,
		CacheTTL:  5 * time.Minute,
	}
	total := tokenizer.CountRequest(req)
	if total < 4200 {
		t.Fatalf("prefix of %d tokens is too short to be cached by Haiku", total)
	}
	out := int64(tokenizer.Count(answer))
	for _, f := range formats[:3] {
		price, _ := w.cat.Lookup(string(f.ref))
		var usages []frugal.Usage
		for i := range 2 {
			res, err := w.client.Call(context.Background(), []frugal.ModelRef{f.ref}, req, attr, nil)
			if err != nil {
				t.Fatalf("%s call %d: %v", f.ref, i, err)
			}
			calls := w.srv.Calls()
			billed := calls[len(calls)-1].Usage
			if res.Usage != billed || !res.UsageKnown {
				t.Errorf("%s call %d: normalised %+v, the sim billed %+v", f.ref, i, res.Usage, billed)
			}
			if res.Usage.InputTotal() != total || res.Usage.Output != out {
				t.Errorf("%s call %d: read %d tokens and wrote %d, want %d and %d", f.ref, i, res.Usage.InputTotal(), res.Usage.Output, total, out)
			}
			if res.Cost != handCost(price, res.Usage) {
				t.Errorf("%s call %d: cost %s, want %s", f.ref, i, res.Cost, handCost(price, res.Usage))
			}
			if res.Cost > res.Attempts[0].Worst {
				t.Errorf("%s call %d: cost %s over the worst case %s", f.ref, i, res.Cost, res.Attempts[0].Worst)
			}
			usages = append(usages, res.Usage)
		}
		first, second := usages[0], usages[1]
		if first.CacheRead != 0 || second.CacheRead < 1024 || second.Input+second.CacheWrite() >= first.Input+first.CacheWrite() {
			t.Errorf("%s: no cache read on the second call: %+v then %+v", f.ref, first, second)
		}
		switch f.ref {
		case haiku:
			// Anthropic bills the write apart, at 1.25× input.
			if first.CacheWrite5m != second.CacheRead || second.CacheWrite() != 0 {
				t.Errorf("anthropic: wrote %d then read %d (and wrote %d)", first.CacheWrite5m, second.CacheRead, second.CacheWrite())
			}
		default:
			if first.CacheWrite() != 0 || second.CacheWrite() != 0 {
				t.Errorf("%s: cache writes %+v, %+v; automatic caches do not bill writes", f.ref, first, second)
			}
		}
	}
}
