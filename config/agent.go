package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// Tier names the runtime knows; an agent file may add its own.
const (
	TierPlanner = "planner"
	TierWorker  = "worker"
	TierJudge   = "judge"
)

var (
	// nameRe is what an agent name may be: it becomes a directory name.
	nameRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	tierRe     = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	providerRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// Bounds on limits: far above any sane value, low enough to catch a typo
// (an extra zero, minutes meant as hours).
const (
	maxAttempts       = 100
	maxContextTokens  = 10_000_000
	maxOutputTokens   = 1_000_000
	maxToolTurns      = 10_000
	maxWallTime       = 30 * 24 * time.Hour
	maxCommandTimeout = 24 * time.Hour
	maxSchemaSize     = 4 << 20
)

var (
	agentKeys  = []string{"name", "goal", "workspace", "schedule", "budget", "brains", "ladder", "verify", "limits", "isolation"}
	budgetKeys = []string{"run", "day", "month"}
	limitKeys  = []string{"attempts_per_rung", "context_tokens", "digest_tokens", "tool_turns", "max_output", "wall_time", "command_timeout"}
	gateKinds  = []string{"run", "jsonschema", "regex", "contains", "file_exists", "file_changed"}
	gateKeys   = append(slices.Clone(gateKinds), "file", "timeout")
)

// ValidName reports whether s may name an agent: 1 to 64 characters of
// a-z, 0-9, '.', '_' and '-', starting with a letter or digit.
func ValidName(s string) bool { return nameRe.MatchString(s) }

// AgentOptions adds checks that need more than the file itself.
type AgentOptions struct {
	// CheckModel, when set, is called for every model in brains; an error
	// becomes a problem on that model's line (e.g. a model without a
	// price, which could not be capped).
	CheckModel func(frugal.ModelRef) error
	// ContextWindow, when set, returns a model's context window in tokens
	// (0: unknown); a model whose window cannot hold limits.context_tokens
	// of input plus limits.max_output is a problem on its line.
	ContextWindow func(frugal.ModelRef) int64
}

// LoadAgent reads and validates the agent file at path. Relative paths in
// it (workspace, jsonschema gates) are resolved against the file's
// directory. A missing file is ENOTFOUND; every problem in the file is
// reported at once in an EINVALID error whose cause is a *Problems.
func LoadAgent(path string) (*frugal.Agent, error) {
	return LoadAgentWith(path, AgentOptions{})
}

// LoadAgentWith is LoadAgent with extra checks.
func LoadAgentWith(path string, opts AgentOptions) (*frugal.Agent, error) {
	data, err := readFile(path, "agent file")
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("agent file %s: %w", path, err)
	}
	a, err := ParseAgentWith(path, data, filepath.Dir(abs), opts)
	if err != nil {
		return nil, err
	}
	a.File = abs
	return a, nil
}

// readFile reads a config file, refusing directories and huge files.
func readFile(path, what string) ([]byte, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, frugal.Errorf(frugal.ENOTFOUND, "%s %s does not exist", what, path)
	}
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s %s: %w", what, path, err)
	}
	if st.IsDir() {
		return nil, frugal.Errorf(frugal.EINVALID, "%s %s is a directory", what, path)
	}
	if st.Size() > maxFileSize {
		return nil, frugal.Errorf(frugal.EINVALID, "%s %s is %d bytes; a config file is at most %d", what, path, st.Size(), maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s %s: %w", what, path, err)
	}
	return data, nil
}

// ParseAgent decodes and validates an agent file. filename is used in
// messages and kept in Agent.File; baseDir is the directory relative paths
// are resolved against ("" for the working directory). The workspace must
// exist and be a directory; jsonschema gates must name a readable, valid
// JSON Schema. Paths in the result are absolute, limits left out are
// filled from frugal.DefaultLimits, and the ladder defaults to the tiers
// worker, planner and judge that are present. The error is EINVALID and
// lists every problem (up to 20), each with its line and field.
func ParseAgent(filename string, data []byte, baseDir string) (*frugal.Agent, error) {
	return ParseAgentWith(filename, data, baseDir, AgentOptions{})
}

// ParseAgentWith is ParseAgent with extra checks.
func ParseAgentWith(filename string, data []byte, baseDir string, opts AgentOptions) (*frugal.Agent, error) {
	if baseDir == "" {
		baseDir = "."
	}
	if abs, err := filepath.Abs(baseDir); err == nil {
		baseDir = abs
	}
	d := newDecoder(filename)
	d.checkModel = opts.CheckModel
	d.contextWindow = opts.ContextWindow
	a := d.agent(data, baseDir)
	if err := d.err(); err != nil {
		return nil, err
	}
	a.File = filename
	return a, nil
}

func (d *decoder) agent(data []byte, baseDir string) *frugal.Agent {
	root := d.document(data)
	if root == nil {
		return nil
	}
	fields, ok := d.mapping(root, "", agentKeys...)
	if !ok {
		return nil
	}
	a := &frugal.Agent{Limits: frugal.DefaultLimits, Isolation: frugal.IsolationAuto}
	var tiers []string // every tier key in brains, valid or not
	required := func(key, hint string) (field, bool) {
		f, ok := fields[key]
		if !ok {
			d.errorf(root, key, "missing (%s)", hint)
		}
		return f, ok
	}
	if f, ok := required("name", "the agent's name, e.g. name: keep-tests-green"); ok {
		if s, ok := d.nonEmpty(f, "name"); ok {
			if ValidName(s) {
				a.Name = s
			} else {
				d.errorf(f.at(), "name", "%s is not a valid name: 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit (it becomes a directory name)", quote(s))
			}
		}
	}
	if f, ok := required("goal", "what the agent must achieve, in a sentence or two"); ok {
		a.Goal, _ = d.nonEmpty(f, "goal")
	}
	if f, ok := required("workspace", "the directory the agent works in, relative to this file"); ok {
		a.Workspace = d.workspace(f, baseDir)
	}
	if f, ok := fields["schedule"]; ok {
		if s, ok := d.nonEmpty(f, "schedule"); ok {
			if _, err := ParseSchedule(s); err != nil {
				d.errorf(f.at(), "schedule", "%v", err)
			} else {
				a.Schedule = s
			}
		}
	}
	if f, ok := required("budget", "caps in USD, e.g. budget: { run: 0.50, day: 2.00, month: 20.00 }"); ok {
		a.Budget = d.budget(f)
	}
	if f, ok := required("brains", "the model of each tier, e.g. planner: deepseek/deepseek-chat and worker: ollama/qwen2.5-coder:7b"); ok {
		a.Brains, tiers = d.brains(f)
	}
	a.Ladder = d.ladder(fields, a.Brains, tiers)
	if f, ok := fields["limits"]; ok {
		d.limits(f, &a.Limits)
	}
	d.checkWindows(a.Limits)
	if f, ok := fields["verify"]; ok {
		a.Verify = d.gates(f, baseDir, a.Limits)
	}
	if f, ok := fields["isolation"]; ok {
		if s, ok := d.nonEmpty(f, "isolation"); ok {
			switch iso := frugal.Isolation(s); iso {
			case frugal.IsolationAuto, frugal.IsolationProcess, frugal.IsolationBwrap:
				a.Isolation = iso
			default:
				d.errorf(f.at(), "isolation", "%s is not an isolation mode (want auto, process or bwrap)", quote(s))
			}
		}
	}
	return a
}

// workspace resolves the workspace against baseDir (and ~ against the
// home directory) and checks that it is an existing directory.
func (d *decoder) workspace(f field, baseDir string) string {
	s, ok := d.nonEmpty(f, "workspace")
	if !ok {
		return ""
	}
	p, err := resolvePath(s, baseDir)
	if err != nil {
		d.errorf(f.at(), "workspace", "%v", err)
		return ""
	}
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.errorf(f.at(), "workspace", "directory %s does not exist", p)
		return ""
	case err != nil:
		d.errorf(f.at(), "workspace", "%v", err)
		return ""
	case !st.IsDir():
		d.errorf(f.at(), "workspace", "%s is not a directory", p)
		return ""
	}
	// Tools confine themselves to the workspace by path prefix, so the
	// workspace itself must not hide behind a symlink.
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	if filepath.Dir(p) == p {
		d.errorf(f.at(), "workspace", "%s is the file system root; give the agent a directory of its own", p)
		return ""
	}
	return p
}

// resolvePath makes p absolute: "~/x" under the home directory, a
// relative path under baseDir.
func resolvePath(p, baseDir string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~: %w", err)
		}
		p = filepath.Join(home, p[1:])
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	return filepath.Clean(p), nil
}

func (d *decoder) budget(f field) frugal.AgentBudget {
	var b frugal.AgentBudget
	if f.value == nil {
		d.errorf(f.keyAt, "budget", "no value (give at least one of run, day, month in USD)")
		return b
	}
	m, ok := d.mapping(f.value, "budget", budgetKeys...)
	if !ok {
		return b
	}
	amounts := map[string]*frugal.Money{"run": &b.Run, "day": &b.Day, "month": &b.Month}
	bad := false
	for _, k := range budgetKeys {
		if g, ok := m[k]; ok {
			v, ok := d.money(g, "budget."+k)
			*amounts[k] = v
			bad = bad || !ok
		}
	}
	if bad {
		return b
	}
	if b.Run == 0 && b.Day == 0 && b.Month == 0 {
		d.errorf(f.value, "budget", "no cap set: give at least one of run, day, month above 0 (every agent runs under a cap)")
		return b
	}
	// A smaller cap over a longer window makes the shorter one a lie.
	order := []struct {
		name string
		v    frugal.Money
	}{{"run", b.Run}, {"day", b.Day}, {"month", b.Month}}
	for i := range order {
		for j := i + 1; j < len(order); j++ {
			lo, hi := order[i], order[j]
			if lo.v > 0 && hi.v > 0 && lo.v > hi.v {
				d.errorf(m[hi.name].at(), "budget."+hi.name, "%s is below the %s cap %s; a %s cap must be at least the %s cap", USD(hi.v), lo.name, USD(lo.v), hi.name, lo.name)
			}
		}
	}
	return b
}

// USD formats an amount for people with as few decimals as it needs
// ("$0.50", "$20", "$0.001234"); machines get micro-dollars instead.
func USD(m frugal.Money) string {
	s := strings.TrimLeft(m.String(), "-$")
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 && frac != "" {
		frac += "0"
	}
	sign := ""
	if m < 0 {
		sign = "-"
	}
	if frac == "" {
		return sign + "$" + whole
	}
	return sign + "$" + whole + "." + frac
}

// brains decodes tier -> models. keys lists every tier the file names,
// including those whose models were invalid (and already reported).
func (d *decoder) brains(f field) (out map[string][]frugal.ModelRef, keys []string) {
	if f.value == nil {
		d.errorf(f.keyAt, "brains", "no value (map each tier to provider/model)")
		return nil, nil
	}
	tiers, ok := d.entries(f.value, "brains")
	if !ok {
		return nil, nil
	}
	out = make(map[string][]frugal.ModelRef, len(tiers))
	for _, t := range tiers {
		keys = append(keys, t.key)
		path := "brains." + t.key
		if !tierRe.MatchString(t.key) {
			d.errorf(t.keyAt, path, "%s is not a tier name (a-z, 0-9, _ and -, starting with a letter)", quote(t.key))
			continue
		}
		if t.value == nil {
			d.errorf(t.keyAt, path, "no value (write provider/model, or a list of them for fallbacks)")
			continue
		}
		items, ok := d.sequence(t.value, path, true)
		if !ok {
			continue
		}
		if len(items) == 0 {
			d.errorf(t.value, path, "empty list (give at least one provider/model)")
			continue
		}
		var refs []frugal.ModelRef
		for i, it := range items {
			ip := path
			if len(items) > 1 {
				ip = index(path, i)
			}
			s, ok := d.str(field{keyAt: t.keyAt, value: it}, ip)
			if !ok {
				continue
			}
			ref := frugal.ModelRef(strings.TrimSpace(s))
			prov, name, ok := ref.Split()
			switch {
			case !ok:
				d.errorf(it, ip, "%s is not provider/model (e.g. deepseek/deepseek-chat, ollama/qwen2.5-coder:7b)", quote(s))
				continue
			case !providerRe.MatchString(prov):
				d.errorf(it, ip, "%s: provider %s is not a provider name (a-z, 0-9, . _ -)", quote(s), quote(prov))
				continue
			case strings.ContainsAny(name, " \t\r\n"):
				d.errorf(it, ip, "%s: a model name has no spaces", quote(s))
				continue
			case slices.Contains(refs, ref):
				d.errorf(it, ip, "%s is listed twice", quote(s))
				continue
			}
			if d.checkModel != nil {
				if err := d.checkModel(ref); err != nil {
					d.errorf(it, ip, "%v", err)
					continue
				}
			}
			refs = append(refs, ref)
			d.models = append(d.models, modelAt{ref: ref, node: it, field: ip})
		}
		if len(refs) == len(items) {
			out[t.key] = refs
		}
	}
	for _, need := range []string{TierPlanner, TierWorker} {
		if !slices.Contains(keys, need) {
			d.errorf(f.value, "brains", "no %s tier (planner and worker are required; judge is optional)", need)
		}
	}
	return out, keys
}

// ladder decodes the escalation order, or builds the default one from the
// tiers present.
func (d *decoder) ladder(fields map[string]field, brains map[string][]frugal.ModelRef, tiers []string) []string {
	f, ok := fields["ladder"]
	if !ok {
		var l []string
		for _, t := range []string{TierWorker, TierPlanner, TierJudge} {
			if _, ok := brains[t]; ok {
				l = append(l, t)
			}
		}
		return l
	}
	if f.value == nil {
		d.errorf(f.keyAt, "ladder", "no value (list tiers in escalation order, e.g. [worker, planner, judge], or leave the key out)")
		return nil
	}
	items, ok := d.sequence(f.value, "ladder", false)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(f.value, "ladder", "empty (list tiers in escalation order, or leave the key out)")
		return nil
	}
	var l []string
	for i, it := range items {
		p := index("ladder", i)
		s, ok := d.str(field{keyAt: f.keyAt, value: it}, p)
		if !ok {
			continue
		}
		switch {
		case slices.Contains(l, s):
			d.errorf(it, p, "tier %s is on the ladder twice", quote(s))
		case tiers != nil && !slices.Contains(tiers, s):
			d.errorf(it, p, "tier %s is not in brains (have: %s)", quote(s), strings.Join(tiers, ", "))
		default:
			l = append(l, s)
		}
	}
	return l
}

func tierNames(brains map[string][]frugal.ModelRef) []string {
	var names []string
	for _, t := range []string{TierPlanner, TierWorker, TierJudge} {
		if _, ok := brains[t]; ok {
			names = append(names, t)
		}
	}
	var rest []string
	for t := range brains {
		if t != TierPlanner && t != TierWorker && t != TierJudge {
			rest = append(rest, t)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// TierNames returns an agent's tiers: planner, worker, judge first, then
// the others in alphabetical order.
func TierNames(a *frugal.Agent) []string { return tierNames(a.Brains) }

func (d *decoder) limits(f field, l *frugal.Limits) {
	if f.value == nil {
		d.errorf(f.keyAt, "limits", "no value (leave the key out for the defaults)")
		return
	}
	m, ok := d.mapping(f.value, "limits", limitKeys...)
	if !ok {
		return
	}
	ints := []struct {
		key string
		max int64
		set func(int64)
	}{
		{"attempts_per_rung", maxAttempts, func(v int64) { l.AttemptsPerRung = int(v) }},
		{"context_tokens", maxContextTokens, func(v int64) { l.ContextTokens = v }},
		{"digest_tokens", maxContextTokens, func(v int64) { l.DigestTokens = v }},
		{"tool_turns", maxToolTurns, func(v int64) { l.ToolTurns = int(v) }},
		{"max_output", maxOutputTokens, func(v int64) { l.MaxOutput = v }},
	}
	for _, it := range ints {
		if g, ok := m[it.key]; ok {
			if v, ok := d.positiveInt(g, "limits."+it.key, it.max); ok {
				it.set(v)
			}
		}
	}
	if g, ok := m["wall_time"]; ok {
		if v, ok := d.duration(g, "limits.wall_time", maxWallTime); ok {
			l.WallTime = v
		}
	}
	if g, ok := m["command_timeout"]; ok {
		if v, ok := d.duration(g, "limits.command_timeout", maxCommandTimeout); ok {
			l.CommandTimeout = v
		}
	}
	if l.DigestTokens >= l.ContextTokens {
		at := m["digest_tokens"].at()
		if _, ok := m["digest_tokens"]; !ok {
			at = m["context_tokens"].at()
		}
		d.errorf(at, "limits.digest_tokens", "%d is not below context_tokens %d; the digest is part of every call's input", l.DigestTokens, l.ContextTokens)
	}
	if l.CommandTimeout > l.WallTime {
		at := m["command_timeout"].at()
		if _, ok := m["command_timeout"]; !ok {
			at = m["wall_time"].at()
		}
		d.errorf(at, "limits.command_timeout", "%s is longer than wall_time %s", fmtDuration(l.CommandTimeout), fmtDuration(l.WallTime))
	}
}

// checkWindows reports each brain whose context window cannot hold a call
// of limits.context_tokens input and limits.max_output output.
func (d *decoder) checkWindows(l frugal.Limits) {
	if d.contextWindow == nil {
		return
	}
	need := l.ContextTokens + l.MaxOutput
	for _, m := range d.models {
		if w := d.contextWindow(m.ref); w > 0 && need > w {
			d.errorf(m.node, m.field, "%s has a %d-token context window, smaller than limits.context_tokens %d + max_output %d: lower the limits, or set its context_window in prices.yaml if the model has more", m.ref, w, l.ContextTokens, l.MaxOutput)
		}
	}
}
