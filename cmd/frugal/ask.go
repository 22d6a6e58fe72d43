package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/providers"
)

// maxPromptBytes bounds a prompt read from stdin.
const maxPromptBytes = 8 << 20

// askAttribution is whom `frugal ask` charges: its own agent and tier, so
// that `frugal spend --by agent` shows ad-hoc calls apart.
var askAttribution = frugal.Attribution{Agent: "ask", Tier: "ask"}

type askFlags struct {
	system    string
	maxOutput int64
	stream    bool
	noStream  bool
	json      bool
}

func newAskCmd(a *app) *cobra.Command {
	var f askFlags
	cmd := &cobra.Command{
		Use:   "ask MODEL [PROMPT]",
		Short: "Make one metered model call: the answer on stdout, its cost on stderr",
		Long: `Send PROMPT to MODEL (provider/model, e.g. deepseek/deepseek-v4-flash, or
sim/anthropic/claude-haiku-4-5 for the offline simulator) as one metered call:
its worst case is reserved against your spend caps before any connection,
and what the provider reports is settled in the ledger, attributed to agent
"ask", tier "ask". Transient failures (429, 5xx, connection errors) are
retried with backoff. Without PROMPT, or with "-", the prompt is read from
stdin.

The answer goes to stdout, streamed as it arrives when stdout is a terminal
or with --stream; then one line on stderr gives the tokens by kind and the
cost. --json prints {"model", "text", "usage": {...}, "cost_micro_usd",
"estimated", "worst_micro_usd", "attempts", "stop_reason"} instead.

Exit codes: 0 answered, 1 the provider failed, 2 bad input or configuration
(unknown model, missing key), 3 a spend cap would be crossed.`,
		Example: `  frugal ask sim/anthropic/claude-haiku-4-5 "hi"
  frugal ask deepseek/deepseek-v4-flash "Summarise this diff" < change.diff
  frugal ask --json --max-output 200 openai/gpt-5-mini "One word for fast"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return frugal.Errorf(frugal.EINVALID, "%s takes MODEL and a PROMPT (or the prompt on stdin), got %d argument(s) (see %s --help)", cmd.CommandPath(), len(args), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.ask(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.system, "system", "", "system prompt")
	fl.Int64Var(&f.maxOutput, "max-output", 0, "most output tokens to pay for (default: frugal.yaml defaults.max_output, else 2048)")
	fl.BoolVar(&f.stream, "stream", false, "stream the answer as it arrives (default when stdout is a terminal)")
	fl.BoolVar(&f.noStream, "no-stream", false, "print the answer only once it is whole")
	fl.BoolVar(&f.json, "json", false, "print the answer, usage and cost as one JSON object")
	return cmd
}

func (a *app) ask(cmd *cobra.Command, args []string, f askFlags) error {
	ctx := cmd.Context()
	switch {
	case f.stream && f.noStream:
		return frugal.Errorf(frugal.EINVALID, "--stream and --no-stream contradict each other")
	case f.stream && f.json:
		return frugal.Errorf(frugal.EINVALID, "--stream and --json do not mix: JSON is printed once the answer is whole")
	case f.maxOutput < 0:
		return frugal.Errorf(frugal.EINVALID, "--max-output %d: want a positive number of tokens", f.maxOutput)
	}
	model := frugal.ModelRef(args[0])
	prompt, err := a.prompt(args[1:])
	if err != nil {
		return err
	}
	client, err := a.brains(ctx)
	if err != nil {
		return err
	}
	req := frugal.Request{
		System:    f.system,
		Messages:  []frugal.Message{{Role: frugal.RoleUser, Content: prompt}},
		MaxOutput: f.maxOutput,
	}
	stream := f.stream || (!f.noStream && !f.json && isTerminal(a.stdout))
	var onDelta func(frugal.Delta) error
	printed := false
	endsInNewline := true
	if stream {
		onDelta = func(d frugal.Delta) error {
			if d.Text == "" {
				return nil
			}
			printed = true
			endsInNewline = strings.HasSuffix(d.Text, "\n")
			_, err := io.WriteString(a.stdout, d.Text)
			return err
		}
	}
	res, err := client.Call(ctx, []frugal.ModelRef{model}, req, askAttribution, onDelta)
	if err != nil {
		if printed && !endsInNewline {
			fmt.Fprintln(a.stdout)
		}
		if res.Cost > 0 {
			fmt.Fprintln(a.stderr, costLine(model, res, true))
		}
		return a.explain(err)
	}
	if f.json {
		return a.writeAskJSON(res)
	}
	text := res.Message.Content
	switch {
	case !stream:
		if _, err := io.WriteString(a.stdout, text); err != nil {
			return err
		}
		endsInNewline = text == "" || strings.HasSuffix(text, "\n")
	case !printed:
		endsInNewline = true
	}
	if !endsInNewline {
		fmt.Fprintln(a.stdout)
	}
	_, err = fmt.Fprintln(a.stderr, costLine(res.Model, res, false))
	return err
}

// prompt returns the prompt argument, or stdin's text for none or "-".
func (a *app) prompt(args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		if strings.TrimSpace(args[0]) == "" {
			return "", frugal.Errorf(frugal.EINVALID, "the prompt is empty")
		}
		return args[0], nil
	}
	if f, ok := a.stdin.(*os.File); ok && isTerminal(f) {
		return "", frugal.Errorf(frugal.EINVALID, "give a PROMPT argument, or pipe the prompt to stdin")
	}
	b, err := io.ReadAll(io.LimitReader(a.stdin, maxPromptBytes+1))
	if err != nil {
		return "", frugal.Errorf(frugal.EINVALID, "reading the prompt from stdin: %w", err)
	}
	if len(b) > maxPromptBytes {
		return "", frugal.Errorf(frugal.EINVALID, "the prompt on stdin is larger than %d MiB", maxPromptBytes>>20)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", frugal.Errorf(frugal.EINVALID, "the prompt is empty: give a PROMPT argument or pipe it to stdin")
	}
	return string(b), nil
}

// answering is the attempt that produced the answer (the last one), or
// the last attempt that was charged when the call failed.
func answering(res brains.Result) brains.Attempt {
	for i := len(res.Attempts) - 1; i >= 0; i-- {
		if res.Attempts[i].Call != nil {
			return res.Attempts[i]
		}
	}
	return brains.Attempt{}
}

// costLine is the stderr summary: "model · in N (+C cached, W written) ·
// out M · $0.000123 (worst case reserved $x)", plus what failed attempts
// cost and whether the usage was estimated.
func costLine(model frugal.ModelRef, res brains.Result, failed bool) string {
	at := answering(res)
	var u frugal.Usage
	var worst, cost frugal.Money
	estimated := false
	if at.Call != nil {
		u, worst, cost, estimated = at.Call.Usage, at.Call.Worst, at.Call.Cost, at.Call.Estimated
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s · in %d (+%d cached, %d written) · out %d · %s (worst case reserved %s)",
		model, u.Input, u.CacheRead, u.CacheWrite(), u.Output, res.Cost, worst)
	if extra := res.Cost - cost; extra > 0 {
		fmt.Fprintf(&b, " · incl. %s for failed attempts", extra)
	}
	switch {
	case failed:
		b.WriteString(" · charged although the call failed")
	case estimated:
		b.WriteString(" · estimated: no usage reported, the reserve was charged")
	}
	return b.String()
}

type askJSON struct {
	Model      frugal.ModelRef `json:"model"`
	Text       string          `json:"text"`
	Usage      frugal.Usage    `json:"usage"`
	Cost       frugal.Money    `json:"cost_micro_usd"`
	Estimated  bool            `json:"estimated"`
	Worst      frugal.Money    `json:"worst_micro_usd"`
	Attempts   int             `json:"attempts"`
	StopReason string          `json:"stop_reason"`
}

func (a *app) writeAskJSON(res brains.Result) error {
	at := answering(res)
	out := askJSON{
		Model: res.Model, Text: res.Message.Content, Usage: res.Usage, Cost: res.Cost,
		Attempts: len(res.Attempts), StopReason: res.StopReason,
	}
	if at.Call != nil {
		out.Usage, out.Estimated, out.Worst = at.Call.Usage, at.Call.Estimated, at.Call.Worst
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// explain adds the fix to a failed call's one-line error: where an
// unreachable provider was looked for and how to point frugal elsewhere,
// which key a provider refused, how to see the caps.
func (a *app) explain(err error) error {
	code := frugal.ErrorCode(err)
	var me *brains.ModelError
	var pe *frugal.ProviderError
	hint := ""
	switch {
	case code == frugal.EBUDGET:
		hint = "see the caps with frugal budget; raise one with frugal budget set"
	case errors.As(err, &me) && me.Unreachable():
		prov, _, _ := me.Model.Split()
		if prov == providers.SimProvider {
			break
		}
		hint = fmt.Sprintf("is the server running? To reach it elsewhere set providers.%s.base_url in %s", prov, a.configFile())
	case errors.As(err, &pe) && (pe.Status == 401 || pe.Status == 403) && errors.As(err, &me):
		prov, _, _ := me.Model.Split()
		if reg, rerr := a.registry(); rerr == nil {
			if p, ok := reg.Provider(prov); ok && p.KeyEnv != "" {
				hint = fmt.Sprintf("the provider refused the key in %s: check it", p.KeyEnv)
			}
		}
	}
	if hint == "" {
		return err
	}
	if code == frugal.EINTERNAL {
		code = frugal.EUNAVAILABLE
	}
	return &frugal.Error{Code: code, Message: err.Error() + ": " + hint, Err: err}
}

// configFile is the frugal.yaml in force, for messages.
func (a *app) configFile() string {
	if a.configPath != "" {
		return a.configPath
	}
	if home, err := a.homeDir(); err == nil {
		return filepath.Join(home, "frugal.yaml")
	}
	return "$FRUGAL_HOME/frugal.yaml"
}
