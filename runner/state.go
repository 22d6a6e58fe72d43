package runner

import (
	"time"

	"github.com/frugal-dev/frugal"
)

// Status is where a run stands.
type Status string

// Run statuses. Planning and running are in-flight states: a run found in
// them after a crash is resumed.
const (
	StatusPlanning Status = "planning"
	StatusRunning  Status = "running"
	StatusDeferred Status = "deferred" // a cap denied a call; resume once it allows
	StatusDone     Status = "done"
	StatusFailed   Status = "failed"
	StatusPaused   Status = "paused" // the loop guard stopped it
)

// Finished reports whether a run with status s will not continue.
func (s Status) Finished() bool { return s == StatusDone || s == StatusFailed }

// StepStatus is where one step stands.
type StepStatus string

// Step statuses.
const (
	StepPending StepStatus = "pending"
	StepDone    StepStatus = "done"
	StepFailed  StepStatus = "failed"
)

// State is a run's durable state, state.json in the agent's directory. It
// is saved after the plan, after every attempt and at every status change,
// so a crash loses at most the call in flight.
type State struct {
	Version   int       `json:"version"`
	RunID     string    `json:"run_id"`
	Agent     string    `json:"agent"`
	AgentFile string    `json:"agent_file,omitempty"`
	Status    Status    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Planning progress, while Plan is nil.
	PlanTry  Try         `json:"plan_try"`
	Plan     *Plan       `json:"plan,omitempty"`
	Steps    []StepState `json:"steps,omitempty"` // one per Plan.Steps entry
	Final    bool        `json:"final_passed,omitempty"`
	Digested bool        `json:"digested,omitempty"`

	Deferral *Deferral `json:"deferral,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Try is the position on the escalation ladder of a step (or of planning):
// the rung index and the attempt on that rung, with the feedback the next
// attempt gets.
type Try struct {
	Rung     int    `json:"rung"`
	Attempt  int    `json:"attempt"` // attempts made on this rung
	Feedback string `json:"feedback,omitempty"`
}

// StepState is the progress of one plan step.
type StepState struct {
	ID     string     `json:"id"`
	Status StepStatus `json:"status"`
	Try    Try        `json:"try"`
	Tier   string     `json:"tier,omitempty"`  // tier that produced the accepted work
	Model  string     `json:"model,omitempty"` // model that produced it
	Output string     `json:"output,omitempty"`
}

// Deferral records the cap that stopped a run.
type Deferral struct {
	Cap       string       `json:"cap"`
	Limit     frugal.Money `json:"limit_micro_usd"`
	Spent     frugal.Money `json:"spent_micro_usd"`
	Reserved  frugal.Money `json:"reserved_micro_usd"`
	Requested frugal.Money `json:"requested_micro_usd"`
	ResetsAt  *time.Time   `json:"resets_at,omitempty"`
	Message   string       `json:"message"`
}

// Summary is what a run reports when it stops, in the shape of
// `frugal run --json` (shared/DESIGN.md).
type Summary struct {
	RunID    string                 `json:"run_id"`
	Agent    string                 `json:"agent"`
	Status   Status                 `json:"status"`
	Steps    int                    `json:"steps"`
	Done     int                    `json:"steps_done"`
	Calls    int64                  `json:"calls"`
	Tokens   Tokens                 `json:"tokens"`
	Cost     frugal.Money           `json:"cost_micro_usd"`
	ByTier   map[string]TierSummary `json:"by_tier"`
	Deferral *Deferral              `json:"deferral,omitempty"`
	Error    string                 `json:"error,omitempty"`
	Resumed  bool                   `json:"resumed,omitempty"`
	// Resumable is set when the run stopped without finishing (a signal,
	// or no provider answering): its status reads failed, and frugal run
	// or frugal resume continues it.
	Resumable bool `json:"resumable,omitempty"`
}

// Tokens are a run's token counts by kind; Input is uncached input.
type Tokens struct {
	Input      int64 `json:"input"`
	CacheRead  int64 `json:"cache_read"`
	CacheWrite int64 `json:"cache_write"`
	Output     int64 `json:"output"`
}

// TierSummary is a run's calls and cost on one tier.
type TierSummary struct {
	Calls int64        `json:"calls"`
	Cost  frugal.Money `json:"cost_micro_usd"`
}
