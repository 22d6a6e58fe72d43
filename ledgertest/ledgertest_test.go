package ledgertest_test

import (
	"testing"
	"time"

	"github.com/frugal-dev/frugal/ledgertest"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	c := ledgertest.NewClock(start)
	c.Advance(2 * time.Minute)
	if got := c.Now(); !got.Equal(start.Add(2 * time.Minute)) {
		t.Fatalf("Now = %s", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Set did not set")
	}
}

// The torture's caps are valid budgets, each tight enough to deny.
func TestTortureCaps(t *testing.T) {
	caps := ledgertest.Torture{Procs: 3, Workers: 16, Cycles: 300}.Caps()
	if len(caps) == 0 {
		t.Fatal("no caps")
	}
	windows := map[string]bool{}
	for _, b := range caps {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: %v", b, err)
		}
		windows[string(b.Scope)+"/"+string(b.Window)] = true
	}
	for _, w := range []string{"global/total", "agent/day", "run/total"} {
		if !windows[w] {
			t.Errorf("no %s cap among %v", w, caps)
		}
	}
}

// SyntheticCall is deterministic, one call a minute back from end.
func TestSyntheticCall(t *testing.T) {
	end := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	a, b := ledgertest.SyntheticCall(7, end), ledgertest.SyntheticCall(7, end)
	if a.HoldID != b.HoldID || a.Cost != b.Cost || !a.Time.Equal(b.Time) {
		t.Fatalf("not deterministic: %+v vs %+v", a, b)
	}
	if c := ledgertest.SyntheticCall(8, end); c.HoldID == a.HoldID || !c.Time.Before(a.Time) {
		t.Fatalf("call 8 %+v vs call 7 %+v", c, a)
	}
	if a.Cost < 1 || a.Cost > 9000 {
		t.Fatalf("cost %d", a.Cost)
	}
}
