// Package ledgertest is the conformance and torture suite that every
// frugal spend ledger (SQLite today, PostgreSQL later) must pass. It owns
// the cases that pin down reservations, denials, idempotent settlement,
// lease expiry, calendar-window rollover and run caps, and the concurrent
// cap torture whose invariants must hold under any interleaving.
package ledgertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
)

// Ledger is what the suite needs from a store: the frugal.Ledger plus cap
// management and the reports used to check it.
type Ledger interface {
	frugal.Ledger
	SetBudget(ctx context.Context, b frugal.Budget) error
	DeleteBudget(ctx context.Context, scope frugal.Scope, name string, window frugal.Window) error
	Caps(ctx context.Context) ([]frugal.CapStatus, error)
	Spend(ctx context.Context, f frugal.SpendFilter) ([]frugal.SpendRow, frugal.SpendRow, error)
	Reconcile(ctx context.Context) error
}

// OpenFunc opens a fresh, empty ledger on the clock now, and arranges for
// it to be closed when t ends.
type OpenFunc func(t *testing.T, now func() time.Time) Ledger

// Run runs every conformance case and the in-process torture (64
// goroutines × 500 reserve/settle cycles) against ledgers made by open.
func Run(t *testing.T, open OpenFunc) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := NewClock(Base)
			c.fn(t, open(t, clock.Now), clock)
		})
	}
	t.Run("Torture", func(t *testing.T) {
		clock := NewClock(Base)
		l := open(t, clock.Now)
		cfg := Torture{Procs: 1, Workers: 64, Cycles: 500, Seed: 1}
		SetCaps(t, l, cfg.Caps())
		tally, err := cfg.Run(context.Background(), l)
		if err != nil {
			t.Fatal(err)
		}
		CheckTorture(t, l, cfg, tally)
	})
}

// Base is the suite's starting time: a Wednesday, mid-day UTC.
var Base = time.Date(2025, time.March, 12, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// SetCaps sets every budget of bs on l, failing t on error.
func SetCaps(t testing.TB, l Ledger, bs []frugal.Budget) {
	t.Helper()
	for _, b := range bs {
		if err := l.SetBudget(context.Background(), b); err != nil {
			t.Fatalf("SetBudget(%v): %v", b, err)
		}
	}
}
