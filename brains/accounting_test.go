package brains_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/openai"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
)

// longReply makes the sim answer with many stream chunks.
const longReply = `
rules:
  - when: {user_contains: "story"}
    reply:
      text: "Once upon a time there was a small agent that counted every token it read and every token it wrote, and it never spent a cent it had not reserved first. The end of the story comes much later."
`

func TestTruncatedStreamChargedConservatively(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, longReply)}})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultTruncate})
	var got collect
	res, err := w.client.Call(context.Background(), refs(haiku, mini), ask("tell me a story"), attr, got.add)
	if err == nil {
		t.Fatal("a truncated stream returned no error")
	}
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || !pe.Billed {
		t.Errorf("error %v, want the adapter's billed ProviderError", err)
	}
	if got.n == 0 || got.text() == "" {
		t.Fatalf("no delta reached the caller before the cut; the test needs a longer reply")
	}
	// Deltas reached the caller: no retry, no fallback (it would repeat them).
	if len(res.Attempts) != 1 || len(w.srv.Calls()) != 1 {
		t.Errorf("%d attempts, %d sim calls, want 1 and 1", len(res.Attempts), len(w.srv.Calls()))
	}
	rows := w.rows()
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if !r.Estimated || r.Outcome != frugal.OutcomeInterrupted || r.Cost != r.Worst || r.Worst != res.Attempts[0].Worst || res.Cost != r.Cost {
		t.Errorf("row %+v: want the hold %s charged, estimated, interrupted", r, res.Attempts[0].Worst)
	}
	// The input the sim read is known from message_start; output is unknown.
	if billed := w.srv.Calls()[0].Usage; r.Usage.InputTotal() != billed.InputTotal() || r.Usage.Output != 200 || r.Usage.Output < billed.Output {
		t.Errorf("row usage %+v; sim billed %+v; want the reported input and max output", r.Usage, billed)
	}
}

func TestTruncatedBodyRetried(t *testing.T) {
	w := newWorld(t, setup{})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultTruncate})
	res, err := w.client.Call(context.Background(), refs(mini), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	rows := w.rows()
	if len(res.Attempts) != 2 || len(rows) != 2 {
		t.Fatalf("%d attempts, rows %+v", len(res.Attempts), rows)
	}
	if !rows[0].Estimated || rows[0].Outcome != frugal.OutcomeInterrupted || rows[0].Cost != rows[0].Worst {
		t.Errorf("cut attempt row %+v", rows[0])
	}
	if rows[1].Estimated || rows[1].Outcome != frugal.OutcomeOK || rows[1].Usage != w.srv.Calls()[1].Usage {
		t.Errorf("second attempt row %+v", rows[1])
	}
	if res.Cost != rows[0].Cost+rows[1].Cost {
		t.Errorf("result cost %s, rows %s + %s", res.Cost, rows[0].Cost, rows[1].Cost)
	}
}

func TestMissingUsageChargesTheHold(t *testing.T) {
	var w *world
	// A server that sends no usage in streams unless asked, asked by an
	// adapter configured not to ask (some compatible servers reject
	// stream_options).
	w = newWorld(t, setup{resolver: resolverFunc(func(ref frugal.ModelRef) (brains.Target, error) {
		return brains.Target{
			Brain:    openai.New(openai.Options{BaseURL: w.srv.URL + "/v1", Provider: "sim", Quirks: openai.Quirks{NoStreamOptions: true}}),
			Model:    "gpt-5-mini",
			Provider: "sim",
			Family:   "openai",
		}, nil
	})})
	var got collect
	res, err := w.client.Call(context.Background(), refs(mini), ask("hello"), attr, got.add)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if res.UsageKnown || got.text() != res.Message.Content || res.Message.Content == "" {
		t.Fatalf("UsageKnown %v, streamed %q, answer %q", res.UsageKnown, got.text(), res.Message.Content)
	}
	rows := w.rows()
	if len(rows) != 1 || !rows[0].Estimated || rows[0].Outcome != frugal.OutcomeOK || rows[0].Cost != res.Attempts[0].Worst {
		t.Fatalf("rows %+v, want the hold %s charged and flagged", rows, res.Attempts[0].Worst)
	}
	if rows[0].Usage.Input != res.Attempts[0].InputEst || rows[0].Usage.Output != 200 {
		t.Errorf("row usage %+v, want the estimate the hold was sized on", rows[0].Usage)
	}
}

func TestCancelMidStream(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, longReply)}})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultSlow, ChunkDelay: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var deltas atomic.Int32
	var first time.Time
	res, err := w.client.Call(ctx, refs(haiku, mini), ask("tell me a story"), attr, func(d frugal.Delta) error {
		if deltas.Add(1) == 1 {
			first = time.Now()
			time.AfterFunc(50*time.Millisecond, cancel)
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Call = %v, want context.Canceled", err)
	}
	// The stream's events come 1s apart: only a prompt return ends
	// before the next one.
	if elapsed := time.Since(first); elapsed > 900*time.Millisecond || deltas.Load() != 1 {
		t.Errorf("Call returned %s after the first delta, after %d deltas", elapsed, deltas.Load())
	}
	rows := w.rows()
	if len(rows) != 1 || !rows[0].Estimated || rows[0].Outcome != frugal.OutcomeInterrupted || rows[0].Cost != res.Attempts[0].Worst {
		t.Fatalf("rows %+v: the cancelled stream must be settled at its hold", rows)
	}
	if len(res.Attempts) != 1 || res.Cost != rows[0].Cost {
		t.Errorf("attempts %d, cost %s", len(res.Attempts), res.Cost)
	}
}

func TestCallbackErrorStopsTheStream(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, longReply)}})
	stop := errors.New("stdout closed")
	res, err := w.client.Call(context.Background(), refs(mini, haiku), ask("tell me a story"), attr, func(frugal.Delta) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("Call = %v, want the callback's error", err)
	}
	rows := w.rows()
	if len(res.Attempts) != 1 || len(rows) != 1 || rows[0].Outcome != frugal.OutcomeInterrupted || !rows[0].Estimated {
		t.Errorf("%d attempts, rows %+v", len(res.Attempts), rows)
	}
}

func TestConcurrentCallsNeverCrossTheCap(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, longReply)}})
	req := ask("tell me a story")
	price, _ := w.cat.Lookup(haiku)
	est, _ := w.client.Estimate(haiku, req)
	worst := price.WorstCase(est, req.MaxOutput, 0)
	limit := 5*worst + worst/2
	w.capAt(limit)
	w.srv.Inject(sim.Fault{Kind: sim.FaultTruncate, Times: 3}, sim.Fault{Kind: sim.FaultSlow, ChunkDelay: 5 * time.Millisecond, Times: 10})
	var wg sync.WaitGroup
	var ok, denied, failed atomic.Int32
	for i := range 32 {
		wg.Go(func() {
			var onDelta func(frugal.Delta) error
			if i%2 == 0 {
				onDelta = func(frugal.Delta) error { return nil }
			}
			_, err := w.client.Call(context.Background(), refs(haiku), req, attr, onDelta)
			switch {
			case err == nil:
				ok.Add(1)
			case frugal.ErrorCode(err) == frugal.EBUDGET:
				denied.Add(1)
			default:
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	var sum frugal.Money
	for _, r := range w.rows() {
		sum += r.Cost
	}
	if sum > limit {
		t.Errorf("settled %s, over the %s cap", sum, limit)
	}
	if denied.Load() == 0 || ok.Load() == 0 {
		t.Errorf("%d ok, %d denied, %d failed: the cap should admit some and deny others", ok.Load(), denied.Load(), failed.Load())
	}
	t.Logf("%d ok, %d denied, %d failed; settled %s of %s (worst %s each)", ok.Load(), denied.Load(), failed.Load(), sum, limit, worst)
}

func TestContextWindowCheckedBeforeReserving(t *testing.T) {
	w := newWorld(t, setup{})
	req := ask("hello")
	req.MaxOutput = 5000 // ollama/* is priced with a 4096-token window
	_, err := w.client.Call(context.Background(), refs("sim/ollama/qwen2.5-coder:7b", mini), req, attr, nil)
	if frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), "4096-token context window") {
		t.Fatalf("Call = %v, want EINVALID naming the window", err)
	}
	if s := w.srv.Requests(); s.Requests != 0 {
		t.Errorf("the sim saw %d requests", s.Requests)
	}
}

func TestLedgerFailureStopsTheCall(t *testing.T) {
	w := newWorld(t, setup{})
	w.db.Close()
	_, err := w.client.Call(context.Background(), refs(haiku, mini), ask("hello"), attr, nil)
	if err == nil || !strings.HasPrefix(err.Error(), haiku+": ledger: ") {
		t.Fatalf("Call with a closed ledger = %v", err)
	}
	if s := w.srv.Requests(); s.Requests != 0 {
		t.Errorf("a call without a hold reached the sim (%d requests)", s.Requests)
	}
	// Reopened for the end-of-test checks, which it passes: nothing held.
	db, err := sqlite.Open(context.Background(), w.db.Path(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.db = db
}

// renewSpy counts the renewals of a real ledger.
type renewSpy struct {
	*sqlite.DB
	renewed atomic.Int32
	failed  atomic.Int32
}

func (s *renewSpy) Renew(ctx context.Context, h frugal.Hold, lease time.Duration) (frugal.Hold, error) {
	h, err := s.DB.Renew(ctx, h, lease)
	if err != nil {
		s.failed.Add(1)
	} else {
		s.renewed.Add(1)
	}
	return h, err
}

func TestLongCallKeepsItsHold(t *testing.T) {
	var spy *renewSpy
	w := newWorld(t, setup{
		sim:    sim.Options{Cassette: cassette(t, longReply)},
		ledger: func(db *sqlite.DB) frugal.Ledger { spy = &renewSpy{DB: db}; return spy },
		opts:   func(o *brains.Options) { o.Lease = 400 * time.Millisecond },
	})
	w.capAt(frugal.Dollar)
	// About 40 chunks 40ms apart: a stream of ~1.6s, four leases long.
	w.srv.Inject(sim.Fault{Kind: sim.FaultSlow, ChunkDelay: 40 * time.Millisecond})
	res, err := w.client.Call(context.Background(), refs(haiku), ask("tell me a story"), attr, func(frugal.Delta) error { return nil })
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if spy.renewed.Load() < 2 || spy.failed.Load() != 0 {
		t.Errorf("renewed %d times, %d failed: the hold must stay alive for the whole stream", spy.renewed.Load(), spy.failed.Load())
	}
	if rows := w.rows(); len(rows) != 1 || rows[0].Estimated || res.Cost != rows[0].Cost {
		t.Errorf("rows %+v", rows)
	}
}

func TestEstimateAndPrice(t *testing.T) {
	w := newWorld(t, setup{})
	req := ask(strings.Repeat("word ", 100))
	for _, ref := range refs(haiku, mini, "sim/deepseek/deepseek-chat") {
		est, err := w.client.Estimate(ref, req)
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.client.Call(context.Background(), []frugal.ModelRef{ref}, req, attr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Attempts[0].InputEst != est || res.Usage.InputTotal() > est {
			t.Errorf("%s: estimate %d, attempt %d, billed %d", ref, est, res.Attempts[0].InputEst, res.Usage.InputTotal())
		}
		p, err := w.client.Price(ref)
		if err != nil || p.Model != string(ref) || res.Attempts[0].Worst != p.WorstCase(est, req.MaxOutput, 0) {
			t.Errorf("%s: price %+v, %v", ref, p, err)
		}
	}
	if _, err := w.client.Estimate("nowhere/x", req); frugal.ErrorCode(err) != frugal.ENOTFOUND {
		t.Errorf("Estimate of an unknown provider: %v", err)
	}
}

// Usage that does not add up is not trusted, but the answer is used: one
// call, charged its hold and flagged, with no fallback that would pay twice.
func TestInconsistentUsageChargesTheHoldOnce(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		io.WriteString(rw, `{"id":"x","object":"chat.completion","model":"gpt-5-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,"prompt_tokens_details":{"cached_tokens":9}}}`)
	}))
	defer bad.Close()
	w := newWorld(t, setup{resolver: resolverFunc(func(ref frugal.ModelRef) (brains.Target, error) {
		return brains.Target{
			Brain:    openai.New(openai.Options{BaseURL: bad.URL + "/v1", Provider: "sim"}),
			Model:    "gpt-5-mini",
			Provider: "sim",
			Family:   "openai",
		}, nil
	})})
	res, err := w.client.Call(context.Background(), refs(mini, mini), ask("hello"), attr, nil)
	if err != nil || res.Message.Content != "hi" || res.UsageKnown {
		t.Fatalf("res %+v, err %v", res, err)
	}
	rows := w.rows()
	if len(rows) != 1 || !rows[0].Estimated || rows[0].Cost != res.Attempts[0].Worst {
		t.Fatalf("rows %+v, want one call charged its hold %s", rows, res.Attempts[0].Worst)
	}
}
