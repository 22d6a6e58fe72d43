package brains_test

import (
	"context"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/pricing"
	"github.com/frugal-dev/frugal/providers"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
	"github.com/frugal-dev/frugal/tokenizer"
)

// Every stream, connection and renewal goroutine must end with its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// world is one test's real components: a sim server, a SQLite ledger in
// a temporary directory, the built-in price catalog, the provider
// registry routing sim/… to the server, and a brains.Client over them.
// Sleeps are recorded instead of slept, and advance the client's clock.
type world struct {
	t      *testing.T
	srv    *sim.Server
	db     *sqlite.DB
	cat    *pricing.Catalog
	reg    *providers.Registry
	client *brains.Client

	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

type setup struct {
	sim      sim.Options
	config   string // frugal.yaml; "{{sim}}" stands for the sim's URL
	resolver brains.Resolver
	opts     func(*brains.Options)
	ledger   func(*sqlite.DB) frugal.Ledger
}

func newWorld(t *testing.T, s setup) *world {
	t.Helper()
	w := &world{t: t, now: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	w.srv = sim.New(s.sim)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "frugal.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	w.db = db
	// One cleanup, in this order: the checks read the ledger the test
	// ends with (it may have replaced w.db).
	t.Cleanup(func() {
		w.checkLedger()
		w.db.Close()
		w.srv.Close()
	})
	w.cat, err = pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	var cfg *config.Config
	if s.config != "" {
		cfg, err = config.Parse("frugal.yaml", []byte(strings.ReplaceAll(s.config, "{{sim}}", w.srv.URL)))
		if err != nil {
			t.Fatalf("config: %v", err)
		}
	}
	w.reg = providers.New(providers.Options{
		Config: cfg,
		Sim:    func() (string, error) { return w.srv.URL, nil },
		MinCacheableTokens: func(model string) int64 {
			if p, err := w.cat.Lookup("anthropic/" + model); err == nil {
				return p.MinCacheableTokens
			}
			return 0
		},
		CountTokens: tokenizer.Count,
	})
	var ledger frugal.Ledger = db
	if s.ledger != nil {
		ledger = s.ledger(db)
	}
	var resolver brains.Resolver = w.reg
	if s.resolver != nil {
		resolver = s.resolver
	}
	o := brains.Options{
		Ledger:   ledger,
		Prices:   w.cat,
		Resolver: resolver,
		Estimate: tokenizer.EstimateRequest,
		Now:      w.clock,
		Sleep:    w.sleep,
		Rand:     rand.New(rand.NewPCG(1, 2)),
	}
	if s.opts != nil {
		s.opts(&o)
	}
	w.client = brains.New(o)
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waits = append(w.waits, d)
	w.now = w.now.Add(d)
	return ctx.Err()
}

func (w *world) sleeps() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.waits...)
}

// rows returns the settled calls, oldest first.
func (w *world) rows() []frugal.Call {
	w.t.Helper()
	cs, err := w.db.Calls(context.Background(), sqlite.CallFilter{Limit: 10000})
	if err != nil {
		w.t.Fatalf("Calls: %v", err)
	}
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs
}

// capAt puts a global total cap on the ledger.
func (w *world) capAt(limit frugal.Money) {
	w.t.Helper()
	if err := w.db.SetBudget(context.Background(), frugal.Budget{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: limit}); err != nil {
		w.t.Fatal(err)
	}
}

// checkLedger holds after every test: no hold outlives its call, and no
// settled call cost more than the worst case reserved for it.
func (w *world) checkLedger() {
	t := w.t
	ctx := context.Background()
	caps, err := w.db.Caps(ctx)
	if err != nil {
		t.Errorf("Caps: %v", err)
	}
	for _, c := range caps {
		if c.Reserved != 0 {
			t.Errorf("%s still has %s reserved after the calls ended", c.Budget, c.Reserved)
		}
	}
	for _, c := range w.rows() {
		if c.Cost > c.Worst {
			t.Errorf("call %d (%s) cost %s, more than its worst case %s", c.ID, c.Model, c.Cost, c.Worst)
		}
		if c.Estimated && c.Cost != c.Worst {
			t.Errorf("call %d (%s) is estimated but charged %s, not its hold %s", c.ID, c.Model, c.Cost, c.Worst)
		}
	}
}

func ask(text string) frugal.Request {
	return frugal.Request{Messages: []frugal.Message{{Role: frugal.RoleUser, Content: text}}, MaxOutput: 200}
}

var attr = frugal.Attribution{Agent: "tester", Run: "run-1", Step: "s1", Tier: "worker"}

func refs(ms ...string) []frugal.ModelRef {
	out := make([]frugal.ModelRef, len(ms))
	for i, m := range ms {
		out[i] = frugal.ModelRef(m)
	}
	return out
}

// cassette parses a sim cassette.
func cassette(t *testing.T, yaml string) *sim.Cassette {
	t.Helper()
	c, err := sim.ParseCassette("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedURL is an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// collect is an onDelta that keeps the streamed text.
type collect struct {
	mu sync.Mutex
	b  strings.Builder
	n  int
}

func (c *collect) add(d frugal.Delta) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.b.WriteString(d.Text)
	c.n++
	return nil
}

func (c *collect) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

// resolverFunc adapts a function to brains.Resolver.
type resolverFunc func(frugal.ModelRef) (brains.Target, error)

func (f resolverFunc) Resolve(ref frugal.ModelRef) (brains.Target, error) { return f(ref) }

var estimate = tokenizer.EstimateRequest
