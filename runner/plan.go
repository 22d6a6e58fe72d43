package runner

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/frugal-dev/frugal"
)

// Step kinds.
const (
	KindMechanical = "mechanical" // a command the runtime runs; no model
	KindWork       = "work"       // the worker tier with workspace tools
	KindJudgment   = "judgment"   // the judge tier, a fresh lean session
)

// Plan is the planner's decomposition of the goal.
type Plan struct {
	Steps []PlanStep `json:"steps"`
}

// PlanStep is one step of a plan.
type PlanStep struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Title        string     `json:"title"`
	Instructions string     `json:"instructions,omitempty"`
	Command      string     `json:"command,omitempty"` // mechanical steps
	Files        []string   `json:"files,omitempty"`   // material the step needs, workspace paths
	Verify       []PlanGate `json:"verify,omitempty"`  // the step's own gates
}

// PlanGate is a gate as a planner writes it.
type PlanGate struct {
	Run         string `json:"run,omitempty"`
	Contains    string `json:"contains,omitempty"`
	Regex       string `json:"regex,omitempty"`
	FileExists  string `json:"file_exists,omitempty"`
	FileChanged string `json:"file_changed,omitempty"`
	File        string `json:"file,omitempty"`
}

// Gate converts g to a domain gate.
func (g PlanGate) Gate() frugal.Gate {
	return frugal.Gate{Run: g.Run, Contains: g.Contains, Regex: g.Regex, FileExists: g.FileExists, FileChanged: g.FileChanged, File: g.File}
}

//go:embed plan.schema.json
var planSchemaJSON []byte

// PlanSchema is the JSON Schema a plan must satisfy; it is sent to the
// planner as the requested answer format.
func PlanSchema() json.RawMessage { return planSchemaJSON }

var planSchema = func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(planSchemaJSON))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		panic(err)
	}
	return c.MustCompile("plan.schema.json")
}()

var stepIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ParsePlan decodes and validates a planner's answer. The error, code
// EINVALID, is written to be fed back to the planner.
func ParsePlan(text string) (*Plan, error) {
	text = strings.TrimSpace(text)
	text = strings.TrimPrefix(text, "```json")
	text = strings.TrimPrefix(text, "```")
	text = strings.TrimSuffix(strings.TrimSpace(text), "```")
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "the plan is not JSON: %v", err)
	}
	if err := planSchema.Validate(doc); err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "the plan does not match the plan schema: %s", oneLine(err.Error(), 1500))
	}
	var p Plan
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "the plan does not decode: %v", err)
	}
	var problems []string
	seen := map[string]bool{}
	for i, s := range p.Steps {
		where := fmt.Sprintf("steps[%d] (%s)", i, s.ID)
		if !stepIDRe.MatchString(s.ID) {
			problems = append(problems, where+": id must match "+stepIDRe.String())
		}
		if seen[s.ID] {
			problems = append(problems, where+": duplicate id")
		}
		seen[s.ID] = true
		if s.Kind == KindMechanical && strings.TrimSpace(s.Command) == "" {
			problems = append(problems, where+": a mechanical step needs a command")
		}
		if s.Kind != KindMechanical && strings.TrimSpace(s.Instructions) == "" {
			problems = append(problems, where+": a "+s.Kind+" step needs instructions")
		}
		for j, g := range s.Verify {
			if g.Gate().Kind() == "" {
				problems = append(problems, fmt.Sprintf("%s: verify[%d]: set exactly one of run, contains, regex, file_exists, file_changed", where, j))
			}
		}
	}
	if len(problems) > 0 {
		return nil, frugal.Errorf(frugal.EINVALID, "the plan is invalid: %s", strings.Join(problems, "; "))
	}
	return &p, nil
}

// oneLine folds s onto one line of at most max bytes (plus "…").
func oneLine(s string, max int) string {
	return clipBytes(strings.Join(strings.Fields(s), " "), max)
}
