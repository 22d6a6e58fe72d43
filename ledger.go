package frugal

import (
	"context"
	"time"
)

// ReserveRequest asks the ledger to hold money for one call before it is
// made.
type ReserveRequest struct {
	Attribution
	Provider string        `json:"provider"`
	Model    string        `json:"model"` // "provider/name"
	Worst    Money         `json:"worst_micro_usd"`
	Lease    time.Duration `json:"-"` // how long the hold lives if never settled; 0: the ledger's default
}

// Hold is money reserved for a call in flight. It ends in exactly one
// Settle or Release, or expires when its lease runs out.
type Hold struct {
	ID string `json:"id"`
	ReserveRequest
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Outcome is how a call ended.
type Outcome string

// Outcomes of a settled call.
const (
	OutcomeOK          Outcome = "ok"
	OutcomeError       Outcome = "error"       // the provider failed after it may have billed
	OutcomeInterrupted Outcome = "interrupted" // a stream broke or was cancelled mid-way
)

// Settlement is what a call really used and cost.
type Settlement struct {
	Usage     Usage         `json:"usage"`
	Cost      Money         `json:"cost_micro_usd"`
	Latency   time.Duration `json:"-"`
	Outcome   Outcome       `json:"outcome"`
	Estimated bool          `json:"estimated"` // usage missing or partial: the hold was charged
	// IdempotencyKey makes settling twice harmless: a second Settle with the
	// same key returns the first call. Empty: the hold ID is the key.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Call is one settled model call with its full attribution.
type Call struct {
	ID     int64     `json:"id"`
	HoldID string    `json:"hold_id"`
	Time   time.Time `json:"time"` // when the hold was taken
	Attribution
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Worst    Money  `json:"worst_micro_usd"`
	Settlement
}

// Ledger reserves money before calls and records what they cost.
// Implementations must check every applicable cap atomically in Reserve
// (across processes sharing the store) and make Settle durable before it
// returns.
type Ledger interface {
	// Reserve holds req.Worst against every cap that applies, or returns a
	// *Denial (code EBUDGET) naming the first cap it would cross.
	Reserve(ctx context.Context, req ReserveRequest) (Hold, error)
	// Settle records the call and frees its hold. Settling an expired hold
	// still records the call: the money was spent.
	Settle(ctx context.Context, h Hold, s Settlement) (Call, error)
	// Release frees a hold whose call was never billed.
	Release(ctx context.Context, h Hold) error
}

// CapStatus is one cap and where it stands now.
type CapStatus struct {
	Budget
	Spent     Money     `json:"spent_micro_usd"`
	Reserved  Money     `json:"reserved_micro_usd"`
	Remaining Money     `json:"remaining_micro_usd"`
	ResetsAt  time.Time `json:"resets_at"` // zero for run and total windows
}

// SpendFilter selects and groups calls for a spend report.
type SpendFilter struct {
	By    []string  // any of "agent", "model", "tier", "provider", "day", "run", "step"
	Since time.Time // inclusive; zero: no bound
	Until time.Time // exclusive; zero: no bound
	Agent string
	Run   string
}

// SpendRow is one group of a spend report. Keys holds one value per
// SpendFilter.By entry, in that order.
type SpendRow struct {
	Keys  []string
	Calls int64
	Usage Usage
	Cost  Money
}
