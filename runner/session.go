package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tokenizer"
	"github.com/frugal-dev/frugal/tool"
)

// sessionSpec is one fresh, lean session: a stable prefix (system, tools)
// then the step's own material. Nothing from earlier steps is in it but
// the digest the material carries.
type sessionSpec struct {
	step     string // attribution: "plan", a step ID, "digest"
	tier     string
	system   string
	tools    []frugal.Tool
	material string          // the first user message
	schema   json.RawMessage // answer format, or nil
	turns    int             // model calls allowed; tools need more than 1
	// cache asks for a prompt-cache write of the prefix: worth it only when
	// a read follows within the TTL, that is inside a tool loop.
	cache     bool
	maxOutput int64
}

// errTurns is a work session that used every tool turn without finishing.
var errTurns = errors.New("used every tool turn without finishing")

// session runs spec to its final answer: a bounded tool loop when tools
// are offered. Before every call the input is fitted to the agent's
// context_tokens: when the conversation grows past it the session is
// closed and a new one continues from the material plus a summary of what
// was done, so no call ever carries a growing history.
func (x *execution) session(ctx context.Context, spec sessionSpec) (string, frugal.ModelRef, error) {
	models := x.a.Brains[spec.tier]
	if len(models) == 0 {
		return "", "", frugal.Errorf(frugal.EINVALID, "agent %s has no brain for tier %q", x.a.Name, spec.tier)
	}
	if spec.turns <= 0 {
		spec.turns = 1
	}
	if spec.maxOutput <= 0 {
		spec.maxOutput = x.a.Limits.MaxOutput
	}
	req := frugal.Request{
		System:    spec.system,
		Tools:     spec.tools,
		Schema:    spec.schema,
		MaxOutput: spec.maxOutput,
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: spec.material}},
	}
	if spec.schema != nil {
		req.SchemaName = "answer"
	}
	if spec.cache && spec.turns > 1 {
		req.CacheTTL = 5 * time.Minute
		req.CacheBreakpoints = 1
	}
	attr := frugal.Attribution{Agent: x.a.Name, Run: x.st.RunID, Step: spec.step, Tier: spec.tier}
	var done []string // what earlier turns did, for a rollover summary
	for turn := 0; turn < spec.turns; turn++ {
		if err := x.fit(&req, models, spec.step, spec.material, done); err != nil {
			return "", "", err
		}
		res, err := x.r.o.Brains.Call(ctx, models, req, attr, nil)
		x.spent += res.Cost
		x.record("call", map[string]any{
			"step": spec.step, "tier": spec.tier, "model": res.Model, "turn": turn,
			"request": req, "response": res.Response, "cost_micro_usd": res.Cost, "error": errString(err),
		})
		if err != nil {
			return "", res.Model, err
		}
		x.progress("  %s %s · %s · %s", spec.tier, res.Model, res.Usage, x.capNote())
		msg := res.Message
		msg.Role = frugal.RoleAssistant
		if len(msg.ToolCalls) == 0 || len(spec.tools) == 0 {
			// A session offered no tools runs none, whatever the model asks.
			return msg.Content, res.Model, nil
		}
		req.Messages = append(req.Messages, msg)
		for _, tc := range msg.ToolCalls {
			r, err := x.ws.Call(ctx, tc.Name, tc.Arguments)
			if err != nil {
				return "", res.Model, err
			}
			x.record("tool", map[string]any{"step": spec.step, "name": tc.Name, "arguments": tc.Arguments, "result": r})
			req.Messages = append(req.Messages, frugal.Message{Role: frugal.RoleTool, ToolCallID: tc.ID, Content: r.Text, IsError: r.IsError})
			status := "ok"
			if r.IsError {
				status = "error: " + firstLine(r.Text)
			}
			done = append(done, fmt.Sprintf("- %s(%s) -> %s", tc.Name, oneLine(string(tc.Arguments), 160), oneLine(status, 160)))
		}
	}
	return "", "", fmt.Errorf("%w (%d turns); summary of what it did:\n%s", errTurns, spec.turns, tool.ClipTail(strings.Join(done, "\n"), 1500))
}

// fit keeps req's input within the agent's context_tokens for every model
// of the tier. A conversation that outgrew it is rolled over into a new
// session: the material, a summary of the earlier turns, and the last turn
// when it fits.
func (x *execution) fit(req *frugal.Request, models []frugal.ModelRef, step, material string, done []string) error {
	limit := x.a.Limits.ContextTokens
	est, err := x.estimate(*req, models)
	if err != nil || est <= limit {
		return err
	}
	last := lastTurn(req.Messages)
	summary := "\n\n## Earlier in this step (a previous session, closed to stay within the context limit)\n" + strings.Join(done, "\n")
	for _, keepLast := range []bool{true, false} {
		for _, room := range []int64{limit / 4, limit / 8, limit / 16} {
			msgs := []frugal.Message{{Role: frugal.RoleUser, Content: material + clipTokensTail(summary, room)}}
			if keepLast {
				msgs = append(msgs, last...)
			}
			trial := *req
			trial.Messages = msgs
			if est, err = x.estimate(trial, models); err != nil {
				return err
			}
			if est <= limit {
				x.record("rollover", map[string]any{"turns": len(done), "kept_last_turn": keepLast, "input_estimate": est})
				x.decide("step %s: session closed at ~%d input tokens (context_tokens %d) after %d tool calls; a new one continues from a summary", step, est, limit, len(done))
				x.progress("  session rolled over at %d tokens (limit %d)", est, limit)
				*req = trial
				return nil
			}
		}
	}
	return frugal.Errorf(frugal.EINVALID, "agent %s: context_tokens %d is too small for this step's material (~%d tokens); raise limits.context_tokens", x.a.Name, limit, est)
}

// estimate is the largest input estimate of req among models.
func (x *execution) estimate(req frugal.Request, models []frugal.ModelRef) (int64, error) {
	var most int64
	for _, m := range models {
		n, err := x.r.o.Brains.Estimate(m, req)
		if err != nil {
			return 0, err
		}
		most = max(most, n)
	}
	return most, nil
}

// lastTurn returns the trailing assistant message with its tool results.
func lastTurn(msgs []frugal.Message) []frugal.Message {
	for i := len(msgs) - 1; i > 0; i-- {
		if msgs[i].Role == frugal.RoleAssistant {
			return append([]frugal.Message(nil), msgs[i:]...)
		}
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// clipTokens keeps the head of s within n tokens.
func clipTokens(s string, n int64) string { return clipTokensAt(s, n, false) }

// clipTokensTail keeps the tail of s within n tokens.
func clipTokensTail(s string, n int64) string { return clipTokensAt(s, n, true) }

// clipTokensAt keeps the head of s, or its tail, within n tokens, marking
// the cut with "…".
func clipTokensAt(s string, n int64, tail bool) string {
	if n <= 0 {
		return ""
	}
	if int64(tokenizer.Count(s)) <= n {
		return s
	}
	r := []rune(s)
	piece := func(k int) string {
		if tail {
			return "… " + string(r[len(r)-k:])
		}
		return string(r[:k]) + " …"
	}
	keep := len(r)
	for keep > 0 && int64(tokenizer.Count(piece(keep))) > n {
		keep = keep * 3 / 4
	}
	return piece(keep)
}

// clipBytes keeps at most n bytes of the head of s, never splitting a
// rune, marking the cut with "…".
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
