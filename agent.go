package frugal

import (
	"fmt"
	"time"
)

// Agent is a parsed, validated agent file: a goal, a workspace, caps, the
// brains of each tier and the gates its work must pass.
type Agent struct {
	Name      string      `json:"name"`
	Goal      string      `json:"goal"`
	Workspace string      `json:"workspace"` // absolute once loaded; every tool is confined here
	Schedule  string      `json:"schedule,omitempty"`
	Budget    AgentBudget `json:"budget"`
	// Brains maps a tier ("planner", "worker", "judge", …) to its models:
	// the first is used, the next ones are fallbacks when it is down.
	Brains    map[string][]ModelRef `json:"brains"`
	Ladder    []string              `json:"ladder"` // escalation order on verify failure
	Verify    []Gate                `json:"verify,omitempty"`
	Limits    Limits                `json:"limits"`
	Isolation Isolation             `json:"isolation"`
	File      string                `json:"file,omitempty"` // where it was loaded from
}

// AgentBudget holds an agent's caps in micro-dollars; 0 means no cap of
// that window.
type AgentBudget struct {
	Run   Money `json:"run_micro_usd,omitempty"`
	Day   Money `json:"day_micro_usd,omitempty"`
	Month Money `json:"month_micro_usd,omitempty"`
}

// Budgets returns the agent's caps as ledger budgets.
func (a *Agent) Budgets() []Budget {
	var bs []Budget
	for _, c := range []struct {
		w Window
		m Money
	}{{WindowRun, a.Budget.Run}, {WindowDay, a.Budget.Day}, {WindowMonth, a.Budget.Month}} {
		if c.m > 0 {
			bs = append(bs, Budget{Scope: ScopeAgent, Name: a.Name, Window: c.w, Limit: c.m})
		}
	}
	return bs
}

// Limits bound what an agent may do in one run.
type Limits struct {
	AttemptsPerRung int           `json:"attempts_per_rung"` // tries on one rung before escalating
	ContextTokens   int64         `json:"context_tokens"`    // max input tokens of any call
	DigestTokens    int64         `json:"digest_tokens"`     // max size of memory.md
	ToolTurns       int           `json:"tool_turns"`        // tool-loop turns per session
	MaxOutput       int64         `json:"max_output"`        // output tokens per call
	WallTime        time.Duration `json:"wall_time"`         // per run
	CommandTimeout  time.Duration `json:"command_timeout"`   // per command or gate
}

// DefaultLimits are used for every limit an agent file leaves out.
var DefaultLimits = Limits{
	AttemptsPerRung: 2,
	ContextTokens:   12_000,
	DigestTokens:    1_500,
	ToolTurns:       12,
	MaxOutput:       2_048,
	WallTime:        30 * time.Minute,
	CommandTimeout:  2 * time.Minute,
}

// Isolation is how commands are confined.
type Isolation string

// Isolation modes. IsolationAuto uses bwrap where it is installed and the
// process sandbox (own process group, scrubbed environment, timeout)
// otherwise; both confine file tools to the workspace.
const (
	IsolationAuto    Isolation = "auto"
	IsolationProcess Isolation = "process"
	IsolationBwrap   Isolation = "bwrap"
)

// Gate is one deterministic check. Exactly one of Run, JSONSchema, Regex,
// Contains, FileExists and FileChanged is set.
type Gate struct {
	Run         string        `json:"run,omitempty"`          // a command that must exit 0
	JSONSchema  string        `json:"jsonschema,omitempty"`   // path of a schema the target must satisfy
	Regex       string        `json:"regex,omitempty"`        // the target must match
	Contains    string        `json:"contains,omitempty"`     // the target must contain
	FileExists  string        `json:"file_exists,omitempty"`  // a workspace path that must exist
	FileChanged string        `json:"file_changed,omitempty"` // a workspace path that must differ from the step's start
	File        string        `json:"file,omitempty"`         // target of jsonschema/regex/contains; "": the step's output
	Timeout     time.Duration `json:"timeout,omitempty"`      // for run; 0: Limits.CommandTimeout
}

// Kind names the check a gate makes: "run", "jsonschema", "regex",
// "contains", "file_exists", "file_changed", or "" when none or several
// are set.
func (g Gate) Kind() string {
	kind := ""
	for _, k := range []struct {
		name string
		set  bool
	}{
		{"run", g.Run != ""}, {"jsonschema", g.JSONSchema != ""}, {"regex", g.Regex != ""},
		{"contains", g.Contains != ""}, {"file_exists", g.FileExists != ""}, {"file_changed", g.FileChanged != ""},
	} {
		if k.set {
			if kind != "" {
				return ""
			}
			kind = k.name
		}
	}
	return kind
}

func (g Gate) String() string {
	switch g.Kind() {
	case "run":
		return "run: " + g.Run
	case "jsonschema":
		return fmt.Sprintf("jsonschema: %s on %s", g.JSONSchema, g.target())
	case "regex":
		return fmt.Sprintf("regex: %q on %s", g.Regex, g.target())
	case "contains":
		return fmt.Sprintf("contains: %q on %s", g.Contains, g.target())
	case "file_exists":
		return "file_exists: " + g.FileExists
	case "file_changed":
		return "file_changed: " + g.FileChanged
	}
	return "invalid gate"
}

func (g Gate) target() string {
	if g.File == "" {
		return "step output"
	}
	return g.File
}

// GateResult is the verdict of one gate. Feedback is bounded text for the
// next attempt (the tail of a failing command's output, a schema error).
type GateResult struct {
	Gate     Gate   `json:"gate"`
	Passed   bool   `json:"passed"`
	Feedback string `json:"feedback,omitempty"`
}
