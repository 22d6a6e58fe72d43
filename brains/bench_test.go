package brains_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/pricing"
	"github.com/frugal-dev/frugal/providers"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
	"github.com/frugal-dev/frugal/tokenizer"
)

// benchWorld is a sim, a ledger with the given durability and a client.
func benchWorld(b *testing.B, sync string) (*sim.Server, *providers.Registry, *brains.Client) {
	b.Helper()
	srv := sim.New(sim.Options{})
	b.Cleanup(srv.Close)
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "frugal.db"), sqlite.Options{Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cat, err := pricing.Default()
	if err != nil {
		b.Fatal(err)
	}
	reg := providers.New(providers.Options{Sim: func() (string, error) { return srv.URL, nil }})
	c := brains.New(brains.Options{Ledger: db, Prices: cat, Resolver: reg, Estimate: tokenizer.EstimateRequest})
	return srv, reg, c
}

func benchRequest() frugal.Request {
	return frugal.Request{
		System:    "You are a careful assistant. Answer briefly.",
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: "What is the capital of France? Explain in one sentence."}},
		MaxOutput: 100,
	}
}

// BenchmarkAdapterChat is the unmetered baseline: one adapter call to the
// sim over loopback HTTP.
func BenchmarkAdapterChat(b *testing.B) {
	_, reg, _ := benchWorld(b, "NORMAL")
	t, err := reg.Resolve(haiku)
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest()
	req.Model = t.Model
	ctx := context.Background()
	for b.Loop() {
		if _, err := t.Brain.Chat(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCall is the same call metered: estimate, reserve, call,
// settle (fsynced: the default durability).
func BenchmarkCall(b *testing.B) {
	benchCall(b, "FULL", nil)
}

// BenchmarkCallNormalSync settles without fsync (survives a killed
// process, not a power cut), to separate the fsync from the rest.
func BenchmarkCallNormalSync(b *testing.B) {
	benchCall(b, "NORMAL", nil)
}

// BenchmarkCallStream streams the answer to a callback.
func BenchmarkCallStream(b *testing.B) {
	benchCall(b, "NORMAL", func(frugal.Delta) error { return nil })
}

func benchCall(b *testing.B, sync string, onDelta func(frugal.Delta) error) {
	_, _, c := benchWorld(b, sync)
	req := benchRequest()
	ctx := context.Background()
	models := refs(haiku)
	for b.Loop() {
		if _, err := c.Call(ctx, models, req, attr, onDelta); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallParallel measures metered calls from many goroutines
// sharing one ledger (group commit batches their settlements).
func BenchmarkCallParallel(b *testing.B) {
	_, _, c := benchWorld(b, "FULL")
	req := benchRequest()
	models := refs(haiku)
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Call(context.Background(), models, req, attr, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
