package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/frugal-dev/frugal"
)

// Cassette is a scripted behaviour: an ordered list of rules, of which the
// first that matches a request (and is not used up) answers it. A Cassette
// is immutable; each server counts rule uses itself.
type Cassette struct {
	Name  string // the file it came from, for messages
	Rules []Rule
}

// Rule answers the requests its When matches, with Reply or Seeded.
type Rule struct {
	When   When
	Reply  Reply
	Seeded *Seeded // when set, Reply is unused
	Times  int     // the rule answers at most Times requests; 0: no limit
	Line   int     // line of the rule in its file
}

// When holds a rule's conditions; all the set ones must hold.
type When struct {
	Model              string // glob over the model name ("*" any run, "?" one character)
	Endpoint           string // "openai", "anthropic" or "ollama"
	SystemContains     string
	UserContains       string // in the last user text
	ToolResultContains string // in the last tool result
	AnyContains        string // anywhere: tools, schema, system, messages
	HasTool            string // a tool of this name is offered
	HasSchema          *bool  // a JSON-schema answer is (not) asked
	Turn               *int   // number of assistant turns so far
}

// Seeded answers OK with a per-model probability, Fail otherwise. The draw
// is a hash of the server's seed, the rule, the request and how many times
// that same request was drawn for, so it is deterministic for a seed and a
// request sequence even under concurrency.
type Seeded struct {
	PSuccess []ModelP // first matching glob wins; no match: always OK
	OK, Fail Reply
}

// ModelP is the success probability of the models matching a glob.
type ModelP struct {
	Model string
	P     float64 // in [0, 1]
}

// LoadCassette reads and parses a cassette file. Errors are EINVALID and
// name the file, line and field.
func LoadCassette(path string) (*Cassette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "cassette: %w", err)
	}
	return ParseCassette(filepath.Base(path), data)
}

// ParseCassette parses cassette YAML; name is used in error messages.
// Errors are EINVALID and read "name:line: field: problem".
func ParseCassette(name string, data []byte) (c *Cassette, err error) {
	defer func() {
		// The YAML library is third-party code fed arbitrary input: a panic
		// in it must surface as a parse error, never crash a test run.
		if r := recover(); r != nil {
			c, err = nil, frugal.Errorf(frugal.EINVALID, "%s: unreadable YAML (%v)", name, r)
		}
	}()
	p := &cassetteParser{name: name}
	file, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		var se *yaml.SyntaxError
		if errors.As(perr, &se) && se.Token != nil && se.Token.Position != nil {
			return nil, frugal.Errorf(frugal.EINVALID, "%s:%d: %s", name, se.Token.Position.Line, se.Message)
		}
		return nil, frugal.Errorf(frugal.EINVALID, "%s: %v", name, perr)
	}
	var body ast.Node
	for _, d := range file.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if body != nil {
			return nil, p.errf(d.Body, "", "one YAML document expected, found several")
		}
		body = d.Body
	}
	if body == nil {
		return nil, frugal.Errorf(frugal.EINVALID, "%s: empty cassette (want a mapping with rules:)", name)
	}
	c = &Cassette{Name: name}
	err = p.mapping(body, "", func(key string, v ast.Node) error {
		switch key {
		case "name", "description":
			_, err := p.str(v, key)
			return err
		case "rules":
			return p.seq(v, "rules", func(i int, n ast.Node) error {
				r, err := p.rule(n, fmt.Sprintf("rules[%d]", i))
				c.Rules = append(c.Rules, r)
				return err
			})
		}
		return p.errf(v, key, "unknown field (want name, description or rules)")
	})
	if err != nil {
		return nil, err
	}
	if len(c.Rules) == 0 {
		return nil, p.errf(body, "rules", "no rules")
	}
	return c, nil
}

type cassetteParser struct {
	name string
}

func (p *cassetteParser) errf(n ast.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
	}
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return frugal.Errorf(frugal.EINVALID, "%s:%d: %s", p.name, line, msg)
}

// unwrap looks through anchors, tags and comments to the value node.
func (p *cassetteParser) unwrap(n ast.Node, field string) (ast.Node, error) {
	for range 16 {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		case *ast.AliasNode:
			return nil, p.errf(n, field, "YAML aliases are not supported")
		default:
			return n, nil
		}
	}
	return nil, p.errf(n, field, "nesting too deep")
}

func (p *cassetteParser) mapping(n ast.Node, field string, fn func(key string, v ast.Node) error) error {
	n, err := p.unwrap(n, field)
	if err != nil {
		return err
	}
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		return p.errf(n, field, "want a mapping, got %s", describe(n))
	}
	seen := map[string]bool{}
	for _, mv := range values {
		key := ""
		if mv.Key != nil {
			key = strings.TrimSpace(mv.Key.String())
			if tk := mv.Key.GetToken(); tk != nil {
				key = tk.Value
			}
		}
		path := joinField(field, key)
		if seen[key] {
			return p.errf(mv.Key, path, "duplicate field")
		}
		seen[key] = true
		v := mv.Value
		if v == nil {
			return p.errf(mv.Key, path, "missing value")
		}
		if err := fn(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *cassetteParser) seq(n ast.Node, field string, fn func(i int, v ast.Node) error) error {
	n, err := p.unwrap(n, field)
	if err != nil {
		return err
	}
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		return p.errf(n, field, "want a list, got %s", describe(n))
	}
	for i, v := range s.Values {
		if err := fn(i, v); err != nil {
			return err
		}
	}
	return nil
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func describe(n ast.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "null"
	}
	return fmt.Sprintf("%q", n.String())
}

func (p *cassetteParser) str(n ast.Node, field string) (string, error) {
	n, err := p.unwrap(n, field)
	if err != nil {
		return "", err
	}
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, nil
	case *ast.LiteralNode:
		if x.Value == nil {
			return "", nil
		}
		return x.Value.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return x.GetToken().Value, nil
	}
	return "", p.errf(n, field, "want a string, got %s", describe(n))
}

func (p *cassetteParser) integer(n ast.Node, field string) (int64, error) {
	n, err := p.unwrap(n, field)
	if err != nil {
		return 0, err
	}
	if x, ok := n.(*ast.IntegerNode); ok {
		switch v := x.Value.(type) {
		case int64:
			return v, nil
		case uint64:
			if v <= math.MaxInt64 {
				return int64(v), nil
			}
		}
	}
	return 0, p.errf(n, field, "want an integer, got %s", describe(n))
}

func (p *cassetteParser) boolean(n ast.Node, field string) (bool, error) {
	n, err := p.unwrap(n, field)
	if err != nil {
		return false, err
	}
	if x, ok := n.(*ast.BoolNode); ok {
		return x.Value, nil
	}
	return false, p.errf(n, field, "want true or false, got %s", describe(n))
}

func (p *cassetteParser) number(n ast.Node, field string) (float64, error) {
	n, err := p.unwrap(n, field)
	if err != nil {
		return 0, err
	}
	switch x := n.(type) {
	case *ast.FloatNode:
		return x.Value, nil
	case *ast.IntegerNode:
		i, err := p.integer(x, field)
		return float64(i), err
	}
	return 0, p.errf(n, field, "want a number, got %s", describe(n))
}

// duration reads "1.5s", "250ms" or a plain number of seconds.
func (p *cassetteParser) duration(n ast.Node, field string) (time.Duration, error) {
	n, err := p.unwrap(n, field)
	if err != nil {
		return 0, err
	}
	var d time.Duration
	switch x := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		secs, err := p.number(x, field)
		if err != nil {
			return 0, err
		}
		if secs > 86400*365 {
			return 0, p.errf(n, field, "duration too long")
		}
		d = time.Duration(secs * float64(time.Second))
	case *ast.StringNode:
		d, err = time.ParseDuration(x.Value)
		if err != nil {
			return 0, p.errf(n, field, "want a duration such as 250ms or 2s, got %q", x.Value)
		}
	default:
		return 0, p.errf(n, field, "want a duration such as 250ms or 2s, got %s", describe(n))
	}
	if d < 0 {
		return 0, p.errf(n, field, "negative duration")
	}
	return d, nil
}

func (p *cassetteParser) rule(n ast.Node, field string) (Rule, error) {
	r := Rule{}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		r.Line = tk.Position.Line
	}
	hasReply := false
	err := p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		switch key {
		case "when":
			return p.when(v, f, &r.When)
		case "reply":
			hasReply = true
			var err error
			r.Reply, err = p.reply(v, f)
			return err
		case "seeded":
			s, err := p.seeded(v, f)
			r.Seeded = s
			return err
		case "times":
			t, err := p.integer(v, f)
			if err == nil && (t < 1 || t > math.MaxInt32) {
				err = p.errf(v, f, "must be at least 1 (leave it out for no limit)")
			}
			r.Times = int(t)
			return err
		case "note":
			_, err := p.str(v, f)
			return err
		}
		return p.errf(v, f, "unknown field (want when, reply, seeded, times or note)")
	})
	if err != nil {
		return r, err
	}
	switch {
	case hasReply && r.Seeded != nil:
		return r, p.errf(n, field, "reply and seeded are exclusive")
	case !hasReply && r.Seeded == nil:
		return r, p.errf(n, field, "needs reply or seeded")
	}
	return r, nil
}

func (p *cassetteParser) when(n ast.Node, field string, w *When) error {
	return p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		strField := map[string]*string{
			"model": &w.Model, "endpoint": &w.Endpoint, "system_contains": &w.SystemContains,
			"user_contains": &w.UserContains, "tool_result_contains": &w.ToolResultContains,
			"any_contains": &w.AnyContains, "has_tool": &w.HasTool,
		}
		if dst, ok := strField[key]; ok {
			s, err := p.str(v, f)
			*dst = s
			if err == nil && key == "endpoint" && s != endpointOpenAI && s != endpointAnthropic && s != endpointOllama {
				err = p.errf(v, f, "unknown endpoint %q (want openai, anthropic or ollama)", s)
			}
			return err
		}
		switch key {
		case "has_schema":
			b, err := p.boolean(v, f)
			w.HasSchema = &b
			return err
		case "turn":
			t, err := p.integer(v, f)
			if err == nil && (t < 0 || t > math.MaxInt32) {
				err = p.errf(v, f, "must be 0 or more")
			}
			ti := int(t)
			w.Turn = &ti
			return err
		}
		return p.errf(v, f, "unknown condition (want model, endpoint, system_contains, user_contains, tool_result_contains, any_contains, has_schema, has_tool or turn)")
	})
}

func (p *cassetteParser) reply(n ast.Node, field string) (Reply, error) {
	var r Reply
	set := false
	err := p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		var err error
		switch key {
		case "text":
			r.Text, err = p.str(v, f)
			set = true
		case "json":
			r.JSON, err = p.json(v, f)
			set = true
		case "tool_calls":
			set = true
			err = p.seq(v, f, func(i int, c ast.Node) error {
				tc, err := p.toolCall(c, fmt.Sprintf("%s[%d]", f, i))
				r.ToolCalls = append(r.ToolCalls, tc)
				return err
			})
		case "error":
			set = true
			r.Error, err = p.replyError(v, f)
		case "delay":
			r.Delay, err = p.duration(v, f)
		case "reasoning_tokens":
			r.ReasoningTokens, err = p.integer(v, f)
			if err == nil && r.ReasoningTokens < 0 {
				err = p.errf(v, f, "must be 0 or more")
			}
		default:
			err = p.errf(v, f, "unknown field (want text, json, tool_calls, error, delay or reasoning_tokens)")
		}
		return err
	})
	if err == nil && !set {
		err = p.errf(n, field, "needs text, json, tool_calls or error")
	}
	return r, err
}

func (p *cassetteParser) toolCall(n ast.Node, field string) (ToolCall, error) {
	var tc ToolCall
	err := p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		var err error
		switch key {
		case "name":
			tc.Name, err = p.str(v, f)
		case "arguments":
			tc.Arguments, err = p.json(v, f)
			if err == nil && !strings.HasPrefix(string(tc.Arguments), "{") {
				err = p.errf(v, f, "want a mapping of arguments")
			}
		default:
			err = p.errf(v, f, "unknown field (want name or arguments)")
		}
		return err
	})
	if err == nil && tc.Name == "" {
		err = p.errf(n, field+".name", "required")
	}
	if err == nil && len(tc.Arguments) == 0 {
		tc.Arguments = json.RawMessage(`{}`)
	}
	return tc, err
}

func (p *cassetteParser) replyError(n ast.Node, field string) (*ReplyError, error) {
	e := &ReplyError{}
	err := p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		var err error
		switch key {
		case "status":
			var s int64
			s, err = p.integer(v, f)
			if err == nil && (s < 400 || s > 599) {
				err = p.errf(v, f, "want an HTTP error status (400-599), got %d", s)
			}
			e.Status = int(s)
		case "type":
			e.Type, err = p.str(v, f)
		case "message":
			e.Message, err = p.str(v, f)
		case "retry_after":
			e.RetryAfter, err = p.duration(v, f)
		default:
			err = p.errf(v, f, "unknown field (want status, type, message or retry_after)")
		}
		return err
	})
	if err == nil && e.Status == 0 {
		err = p.errf(n, field+".status", "required")
	}
	return e, err
}

func (p *cassetteParser) seeded(n ast.Node, field string) (*Seeded, error) {
	s := &Seeded{}
	var hasOK, hasFail bool
	err := p.mapping(n, field, func(key string, v ast.Node) error {
		f := joinField(field, key)
		var err error
		switch key {
		case "p_success":
			err = p.mapping(v, f, func(glob string, pv ast.Node) error {
				prob, err := p.number(pv, joinField(f, glob))
				if err == nil && (prob < 0 || prob > 1 || math.IsNaN(prob)) {
					err = p.errf(pv, joinField(f, glob), "probability must be between 0 and 1")
				}
				s.PSuccess = append(s.PSuccess, ModelP{Model: glob, P: prob})
				return err
			})
		case "ok":
			hasOK = true
			s.OK, err = p.reply(v, f)
		case "fail":
			hasFail = true
			s.Fail, err = p.reply(v, f)
		default:
			err = p.errf(v, f, "unknown field (want p_success, ok or fail)")
		}
		return err
	})
	if err == nil && (!hasOK || !hasFail) {
		err = p.errf(n, field, "needs both ok and fail replies")
	}
	return s, err
}

// json converts a YAML value to compact JSON, keeping mapping order.
func (p *cassetteParser) json(n ast.Node, field string) (json.RawMessage, error) {
	var b strings.Builder
	if err := p.writeJSON(&b, n, field, 0); err != nil {
		return nil, err
	}
	return json.RawMessage(b.String()), nil
}

func (p *cassetteParser) writeJSON(b *strings.Builder, n ast.Node, field string, depth int) error {
	if depth > 64 {
		return p.errf(n, field, "nesting too deep")
	}
	n, err := p.unwrap(n, field)
	if err != nil {
		return err
	}
	put := func(v any) error {
		js, err := json.Marshal(v)
		if err != nil {
			return p.errf(n, field, "not representable in JSON: %v", err)
		}
		b.Write(js)
		return nil
	}
	switch x := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		b.WriteByte('{')
		first := true
		err := p.mapping(x, field, func(key string, v ast.Node) error {
			if !first {
				b.WriteByte(',')
			}
			first = false
			if err := put(key); err != nil {
				return err
			}
			b.WriteByte(':')
			return p.writeJSON(b, v, joinField(field, key), depth+1)
		})
		b.WriteByte('}')
		return err
	case *ast.SequenceNode:
		b.WriteByte('[')
		for i, v := range x.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := p.writeJSON(b, v, fmt.Sprintf("%s[%d]", field, i), depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case *ast.NullNode:
		b.WriteString("null")
		return nil
	case *ast.BoolNode:
		return put(x.Value)
	case *ast.IntegerNode:
		return put(x.Value)
	case *ast.FloatNode:
		if math.IsInf(x.Value, 0) || math.IsNaN(x.Value) {
			return p.errf(n, field, "not a JSON number")
		}
		return put(x.Value)
	case *ast.StringNode, *ast.LiteralNode:
		s, err := p.str(x, field)
		if err != nil {
			return err
		}
		return put(s)
	}
	return p.errf(n, field, "not representable in JSON: %s", describe(n))
}

// matches reports whether every condition of w holds for c.
func (w When) matches(c *conv) bool {
	switch {
	case w.Model != "" && !globMatch(w.Model, c.model),
		w.Endpoint != "" && w.Endpoint != c.endpoint,
		w.SystemContains != "" && !strings.Contains(c.systemText(), w.SystemContains),
		w.UserContains != "" && !strings.Contains(c.lastUserText(), w.UserContains),
		w.AnyContains != "" && !strings.Contains(c.allText(), w.AnyContains),
		w.HasTool != "" && !c.hasTool(w.HasTool),
		w.HasSchema != nil && *w.HasSchema != (len(c.schema) > 0),
		w.Turn != nil && *w.Turn != c.turns():
		return false
	}
	if w.ToolResultContains != "" {
		res, ok := c.lastToolResult()
		if !ok || !strings.Contains(res, w.ToolResultContains) {
			return false
		}
	}
	return true
}

// globMatch matches s against pattern, where "*" matches any run of
// characters (slashes included) and "?" any one character.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	nextP, nextS := -1, -1
	pr, sr := []rune(pattern), []rune(s)
	for px < len(pr) || sx < len(sr) {
		if px < len(pr) {
			switch pr[px] {
			case '*':
				nextP, nextS = px, sx+1
				px++
				continue
			case '?':
				if sx < len(sr) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(sr) && sr[sx] == pr[px] {
					px++
					sx++
					continue
				}
			}
		}
		if nextS > 0 && nextS <= len(sr) {
			px, sx = nextP, nextS
			continue
		}
		return false
	}
	return true
}
