package frugal

import (
	"fmt"
	"time"
)

// Scope is what a cap limits.
type Scope string

// Scopes of a cap. A cap of scope agent, run or key names one agent, run or
// virtual key; a global cap has an empty name and applies to every call.
const (
	ScopeGlobal Scope = "global"
	ScopeAgent  Scope = "agent"
	ScopeRun    Scope = "run"
	ScopeKey    Scope = "key" // a gateway virtual key
)

// Window is the period over which a cap adds spend up.
type Window string

// Windows of a cap. Calendar windows are UTC; weeks start on Monday (ISO).
// WindowRun limits each run on its own (an agent's per-run cap); WindowTotal
// never resets.
const (
	WindowRun   Window = "run"
	WindowDay   Window = "day"
	WindowWeek  Window = "week"
	WindowMonth Window = "month"
	WindowTotal Window = "total"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool {
	switch s {
	case ScopeGlobal, ScopeAgent, ScopeRun, ScopeKey:
		return true
	}
	return false
}

// Valid reports whether w is a known window.
func (w Window) Valid() bool {
	switch w {
	case WindowRun, WindowDay, WindowWeek, WindowMonth, WindowTotal:
		return true
	}
	return false
}

// Bounds returns the calendar window [start, end) that holds t, in UTC.
// WindowRun and WindowTotal have no calendar bounds: both are zero.
func (w Window) Bounds(t time.Time) (start, end time.Time) {
	t = t.UTC()
	y, m, d := t.Date()
	switch w {
	case WindowDay:
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 1)
	case WindowWeek:
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7))
		return start, start.AddDate(0, 0, 7)
	case WindowMonth:
		start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0)
	}
	return time.Time{}, time.Time{}
}

// Budget is one cap: at most Limit may be spent in each Window by the calls
// that fall in Scope/Name.
type Budget struct {
	Scope  Scope  `json:"scope"`
	Name   string `json:"name"` // agent, run or key name; "" for global
	Window Window `json:"window"`
	Limit  Money  `json:"limit_micro_usd"`
}

// Validate checks the scope, window, name and limit of b.
func (b Budget) Validate() error {
	if !b.Scope.Valid() {
		return Errorf(EINVALID, "budget: unknown scope %q (want global, agent, run or key)", b.Scope)
	}
	if !b.Window.Valid() {
		return Errorf(EINVALID, "budget: unknown window %q (want run, day, week, month or total)", b.Window)
	}
	if (b.Scope == ScopeGlobal) != (b.Name == "") {
		return Errorf(EINVALID, "budget: scope %s needs %s", b.Scope, map[bool]string{true: "no name", false: "a name"}[b.Scope == ScopeGlobal])
	}
	if b.Scope == ScopeRun && b.Window != WindowTotal && b.Window != WindowRun {
		return Errorf(EINVALID, "budget: a run cap's window is run or total, not %s", b.Window)
	}
	if b.Limit < 0 {
		return Errorf(EINVALID, "budget: limit %s is negative", b.Limit)
	}
	return nil
}

func (b Budget) String() string {
	if b.Scope == ScopeGlobal {
		return fmt.Sprintf("global/%s cap %s", b.Window, b.Limit)
	}
	return fmt.Sprintf("%s %q/%s cap %s", b.Scope, b.Name, b.Window, b.Limit)
}

// Attribution says whom a call is charged to.
type Attribution struct {
	Agent string `json:"agent"`
	Run   string `json:"run"`
	Step  string `json:"step"`
	Tier  string `json:"tier"`
	Key   string `json:"key,omitempty"` // gateway virtual key name, never its secret
}

// Applies reports whether a cap of b's scope and name covers a call with
// attribution a.
func (b Budget) Applies(a Attribution) bool {
	switch b.Scope {
	case ScopeGlobal:
		return true
	case ScopeAgent:
		return a.Agent != "" && a.Agent == b.Name
	case ScopeRun:
		return a.Run != "" && a.Run == b.Name
	case ScopeKey:
		return a.Key != "" && a.Key == b.Name
	}
	return false
}

// Denial is the error Reserve returns when a call could cross a cap. Its
// code is EBUDGET.
type Denial struct {
	Budget    Budget    `json:"budget"`
	Spent     Money     `json:"spent_micro_usd"`    // settled in the current window
	Reserved  Money     `json:"reserved_micro_usd"` // held by calls in flight
	Requested Money     `json:"requested_micro_usd"`
	ResetsAt  time.Time `json:"resets_at"` // zero for run and total windows
}

func (d *Denial) Error() string {
	reset := "never resets"
	if !d.ResetsAt.IsZero() {
		reset = "resets " + d.ResetsAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s: spent %s + reserved %s + this call's worst case %s would exceed it (%s)",
		d.Budget, d.Spent, d.Reserved, d.Requested, reset)
}
