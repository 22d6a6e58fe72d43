package brains_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/sim"
)

const (
	haiku = "sim/anthropic/claude-haiku-4-5"
	mini  = "sim/openai/gpt-5-mini"
)

func TestDeniedCallOpensNoConnection(t *testing.T) {
	w := newWorld(t, setup{})
	w.capAt(10 * frugal.Microdollar) // far below any worst case
	before := w.srv.Requests()
	res, err := w.client.Call(context.Background(), refs(haiku, mini), ask("hello"), attr, nil)
	var d *frugal.Denial
	if !errors.As(err, &d) || frugal.ErrorCode(err) != frugal.EBUDGET {
		t.Fatalf("Call = %v, want a *frugal.Denial", err)
	}
	if d.Requested != res.Attempts[0].Worst || d.Requested <= 10 {
		t.Errorf("denial requested %s, attempt reserved %s", d.Requested, res.Attempts[0].Worst)
	}
	after := w.srv.Requests()
	if after.Requests != before.Requests || after.Connections != before.Connections {
		t.Errorf("a denied call reached the sim: %+v -> %+v", before, after)
	}
	if len(res.Attempts) != 1 || res.Attempts[0].Call != nil || res.Cost != 0 {
		t.Errorf("attempts %+v, cost %s: want one denied attempt, no fallback, nothing charged", res.Attempts, res.Cost)
	}
	if rows := w.rows(); len(rows) != 0 {
		t.Errorf("ledger rows %+v", rows)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	w := newWorld(t, setup{})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultRateLimit, RetryAfter: 2 * time.Second, Times: 2})
	res, err := w.client.Call(context.Background(), refs(haiku), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	waits := w.sleeps()
	if len(waits) != 2 || waits[0] < 2*time.Second || waits[1] < 2*time.Second {
		t.Errorf("waits %v, want two of at least the 2s Retry-After", waits)
	}
	if len(res.Attempts) != 3 || res.Attempts[0].Call != nil || res.Attempts[1].Call != nil || res.Attempts[2].Call == nil {
		t.Fatalf("attempts %+v: want two released (429 bills nothing) and one settled", res.Attempts)
	}
	var pe *frugal.ProviderError
	if !errors.As(res.Attempts[0].Err, &pe) || pe.Status != 429 || pe.RetryAfter != 2*time.Second {
		t.Errorf("first attempt error %v", res.Attempts[0].Err)
	}
	rows := w.rows()
	if len(rows) != 1 || rows[0].HoldID != res.Attempts[2].Call.HoldID || rows[0].Outcome != frugal.OutcomeOK || rows[0].Estimated {
		t.Fatalf("rows %+v", rows)
	}
	if res.Cost != rows[0].Cost || res.Model != haiku {
		t.Errorf("result cost %s model %s; row cost %s", res.Cost, res.Model, rows[0].Cost)
	}
	calls := w.srv.Calls()
	if len(calls) != 3 || calls[0].Status != 429 || calls[1].Status != 429 || calls[2].Status != 200 {
		t.Errorf("sim calls %+v", calls)
	}
	if rows[0].Usage != calls[2].Usage {
		t.Errorf("settled usage %+v, sim billed %+v", rows[0].Usage, calls[2].Usage)
	}
}

func TestRetryAfterBeyondMaxDelayFallsBack(t *testing.T) {
	w := newWorld(t, setup{opts: func(o *brains.Options) { o.Retry.MaxDelay = time.Second }})
	w.srv.Inject(sim.Fault{Kind: sim.FaultRateLimit, Model: "claude-*", RetryAfter: 5 * time.Second})
	res, err := w.client.Call(context.Background(), refs(haiku, mini), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if res.Model != mini || len(w.sleeps()) != 0 {
		t.Errorf("answered by %s after waits %v; want %s at once", res.Model, w.sleeps(), mini)
	}
}

func TestRetriesBoundedInTime(t *testing.T) {
	w := newWorld(t, setup{opts: func(o *brains.Options) {
		o.Retry = brains.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: 10 * time.Second, MaxElapsed: 3 * time.Second}
	}})
	w.srv.Inject(sim.Fault{Kind: sim.FaultOverloaded, Model: "claude-*", RetryAfter: 2 * time.Second, Times: 10})
	res, err := w.client.Call(context.Background(), refs(haiku, mini), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	// 0s: 529, wait 2s; 2s: 529, another 2s would pass 3s: fall back.
	if waits := w.sleeps(); len(waits) != 1 {
		t.Errorf("waits %v, want 1 within the 3s budget", waits)
	}
	if res.Model != mini || len(res.Attempts) != 3 {
		t.Errorf("model %s after %d attempts, want %s after 3", res.Model, len(res.Attempts), mini)
	}
}

func TestBadRequestNeitherRetriedNorFallenBack(t *testing.T) {
	w := newWorld(t, setup{sim: sim.Options{Cassette: cassette(t, `
rules:
  - when: {user_contains: "malformed"}
    reply:
      error: {status: 400, type: invalid_request_error, message: "messages.0: bad thing"}
`)}})
	res, err := w.client.Call(context.Background(), refs(haiku, mini), ask("a malformed request"), attr, nil)
	if frugal.ErrorCode(err) != frugal.EINVALID {
		t.Fatalf("Call = %v (%s), want EINVALID", err, frugal.ErrorCode(err))
	}
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Status != 400 || !strings.Contains(err.Error(), "bad thing") {
		t.Errorf("error %q should keep the provider's 400 and message", err)
	}
	if n := len(w.srv.Calls()); n != 1 || len(res.Attempts) != 1 || len(w.sleeps()) != 0 {
		t.Errorf("sim saw %d calls, %d attempts, waits %v: want one of each, no wait", n, len(res.Attempts), w.sleeps())
	}
	if rows := w.rows(); len(rows) != 0 {
		t.Errorf("a refused request was charged: %+v", rows)
	}
}

func TestServerErrorsFallBackToNextModel(t *testing.T) {
	w := newWorld(t, setup{})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultServerError, Model: "gpt-5-mini", Times: 3})
	var seen []brains.Attempt
	w.client = brains.New(brains.Options{
		Ledger: w.db, Prices: w.cat, Resolver: w.reg, Estimate: estimate,
		Sleep: w.sleep, Observe: func(a brains.Attempt) { seen = append(seen, a) },
	})
	res, err := w.client.Call(context.Background(), refs(mini, haiku), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if res.Model != haiku || len(res.Attempts) != 4 || len(seen) != 4 {
		t.Fatalf("answered by %s after %d attempts (%d observed)", res.Model, len(res.Attempts), len(seen))
	}
	for i, a := range res.Attempts[:3] {
		var pe *frugal.ProviderError
		if a.Model != mini || a.Call != nil || !errors.As(a.Err, &pe) || pe.Status != 500 {
			t.Errorf("attempt %d = %+v, want a released 500 of %s", i, a, mini)
		}
	}
	if waits := w.sleeps(); len(waits) != 2 {
		t.Errorf("waits %v, want 2 backoffs before falling back", waits)
	}
	rows := w.rows()
	if len(rows) != 1 || rows[0].Model != haiku || rows[0].Provider != "sim" || rows[0].Attribution != attr {
		t.Errorf("rows %+v", rows)
	}
	if !strings.Contains(res.Message.Content, "claude-haiku-4-5") {
		t.Errorf("answer %q is not the fallback model's", res.Message.Content)
	}
}

func TestEveryModelDown(t *testing.T) {
	w := newWorld(t, setup{})
	w.srv.Inject(sim.Fault{Kind: sim.FaultUnavailable, Times: 6})
	res, err := w.client.Call(context.Background(), refs(mini, haiku), ask("hello"), attr, nil)
	if frugal.ErrorCode(err) != frugal.EUNAVAILABLE {
		t.Fatalf("Call = %v, want EUNAVAILABLE", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, mini+": ") || !strings.Contains(msg, haiku+": ") || !strings.Contains(msg, "HTTP 503") || strings.Contains(msg, "\n") {
		t.Errorf("error %q should name each model's last failure on one line", msg)
	}
	var me *brains.ModelError
	if !errors.As(err, &me) || me.Model != mini || me.Attempts != 3 {
		t.Errorf("first ModelError %+v", me)
	}
	if len(res.Attempts) != 6 || res.Cost != 0 {
		t.Errorf("%d attempts costing %s", len(res.Attempts), res.Cost)
	}
}

func TestUnreachableProvider(t *testing.T) {
	down := closedURL(t)
	w := newWorld(t, setup{config: "providers:\n  homelab: {base_url: " + down + "/v1}\n  homelab-anthropic: {type: anthropic, base_url: " + down + "}\n"})
	// Price the unpriced providers' models through frugal.yaml's route: an
	// override catalog entry.
	w.cat = w.cat.With(frugal.Price{Model: "homelab/llama", Rates: frugal.Rates{Input: 100_000, Output: 200_000}})
	w.client = brains.New(brains.Options{Ledger: w.db, Prices: w.cat, Resolver: w.reg, Estimate: estimate, Sleep: w.sleep})
	res, err := w.client.Call(context.Background(), refs("homelab/llama"), ask("hello"), attr, nil)
	if frugal.ErrorCode(err) != frugal.EUNAVAILABLE {
		t.Fatalf("Call = %v, want EUNAVAILABLE", err)
	}
	var me *brains.ModelError
	if !errors.As(err, &me) || !me.Unreachable() || me.BaseURL != down+"/v1" || me.Attempts != 3 {
		t.Fatalf("ModelError %+v", me)
	}
	if !strings.Contains(err.Error(), "(at "+down+"/v1)") {
		t.Errorf("error %q does not say where the provider was looked for", err)
	}
	if len(res.Attempts) != 3 || len(w.rows()) != 0 {
		t.Errorf("%d attempts, rows %+v: want 3 attempts, none charged", len(res.Attempts), w.rows())
	}
	// An unknown model is a configuration error: no fallback hides it.
	_, err = w.client.Call(context.Background(), refs("homelab-anthropic/unpriced", mini), ask("hello"), attr, nil)
	if frugal.ErrorCode(err) != frugal.ENOTFOUND || !strings.Contains(err.Error(), "prices.yaml") {
		t.Errorf("unpriced model: %v, want ENOTFOUND pointing at prices.yaml", err)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("the fallback was called %d times", n)
	}
}

func TestCallTimeoutIsRetried(t *testing.T) {
	w := newWorld(t, setup{opts: func(o *brains.Options) { o.CallTimeout = 300 * time.Millisecond }})
	w.capAt(frugal.Dollar)
	w.srv.Inject(sim.Fault{Kind: sim.FaultSlow, Delay: 10 * time.Second})
	start := time.Now()
	res, err := w.client.Call(context.Background(), refs(haiku), ask("hello"), attr, nil)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("the per-call timeout did not end the slow attempt (%s)", d)
	}
	if len(res.Attempts) != 2 || !strings.Contains(res.Attempts[0].Err.Error(), "timed out after 300ms") {
		t.Fatalf("attempts %+v", res.Attempts)
	}
	rows := w.rows()
	// The timed-out request was sent: it is charged its hold, flagged.
	if len(rows) != 2 || !rows[0].Estimated || rows[0].Outcome != frugal.OutcomeInterrupted || rows[1].Estimated {
		t.Errorf("rows %+v", rows)
	}
}
