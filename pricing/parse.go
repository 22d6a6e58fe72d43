package pricing

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/frugal-dev/frugal"
)

// Parse reads a price file: a top-level `date:` (YYYY-MM-DD, optional) and
// `models:`, a list of entries (see catalog.yaml and docs/pricing.md).
// Numbers are read from their YAML text as exact decimals, never through a
// float. Errors have code EINVALID and read "file:line: model "x/y": field
// f: what is wrong"; unknown keys, duplicate models, negative prices, more
// than six decimals, bad durations and non-positive thresholds are errors.
// cache_read, cache_write_5m and cache_write_1h default to input when
// omitted; input and output are required.
func Parse(filename string, data []byte) (*Catalog, error) {
	d := decoder{file: filename}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, d.yamlError(err)
	}
	c := &Catalog{prices: map[string]frugal.Price{}}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc == nil || isNull(doc.Body) {
			continue
		}
		if body != nil {
			return nil, d.errf(doc.Body, "more than one YAML document")
		}
		body = doc.Body
	}
	if body == nil {
		return c, nil // an empty file prices nothing
	}
	pairs, ok := mapping(body)
	if !ok {
		return nil, d.errf(body, "want a mapping with date and models, not %s", kind(body))
	}
	// The YAML parser itself refuses a key repeated in one mapping.
	for _, kv := range pairs {
		switch key := keyText(kv); key {
		case "date":
			s, ok := scalar(kv.Value)
			if !ok {
				return nil, d.errf(kv.Value, "field date: want YYYY-MM-DD, not %s", kind(kv.Value))
			}
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return nil, d.errf(kv.Value, "field date: %q is not a date (want YYYY-MM-DD)", s)
			}
			c.date = s
		case "models":
			if err := d.models(c, kv.Value); err != nil {
				return nil, err
			}
		default:
			return nil, d.errf(kv.Key, "unknown field %q (want date or models)", key)
		}
	}
	return c, nil
}

// decoder turns YAML nodes into prices, naming file and line in errors.
type decoder struct{ file string }

func (d decoder) models(c *Catalog, n ast.Node) error {
	if isNull(n) {
		return nil
	}
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		return d.errf(n, "field models: want a list of models, not %s", kind(n))
	}
	first := map[string]int{}
	for i, item := range seq.Values {
		p, at, err := d.model(i, item)
		if err != nil {
			return err
		}
		if l, dup := first[p.Model]; dup {
			return d.errf(at, "model %q: duplicate (first at line %d)", p.Model, l)
		}
		first[p.Model] = line(at)
		c.prices[p.Model] = p
	}
	return nil
}

// model decodes one entry of models; at is the node that names it.
func (d decoder) model(i int, n ast.Node) (frugal.Price, ast.Node, error) {
	pairs, ok := mapping(n)
	if !ok {
		return frugal.Price{}, n, d.errf(n, "models[%d]: want a mapping, not %s", i, kind(n))
	}
	// Errors name the model once its name is readable, wherever the bad
	// field sits in the entry.
	ctx := fmt.Sprintf("models[%d]", i)
	for _, kv := range pairs {
		if keyText(kv) == "model" {
			if s, ok := scalar(kv.Value); ok {
				ctx = fmt.Sprintf("model %q", s)
			}
			break
		}
	}
	f, err := d.fields(pairs, ctx, modelFields)
	if err != nil {
		return frugal.Price{}, n, err
	}
	mv, ok := f["model"]
	if !ok {
		return frugal.Price{}, n, d.errf(n, "%s: field model: missing", ctx)
	}
	at := mv.Key
	name, ok := scalar(mv.Value)
	if !ok {
		return frugal.Price{}, at, d.errf(mv.Value, "%s: field model: want provider/name, not %s", ctx, kind(mv.Value))
	}
	if err := checkModelName(name); err != nil {
		return frugal.Price{}, at, d.errf(mv.Value, "%s: field model: %v", ctx, err)
	}
	p := frugal.Price{Model: name}
	if p.Rates, err = d.rates(n, f, ctx, ""); err != nil {
		return p, at, err
	}
	if p.ContextWindow, err = d.count(f, ctx, "context_window", 1); err != nil {
		return p, at, err
	}
	if p.MinCacheableTokens, err = d.count(f, ctx, "min_cacheable_tokens", 0); err != nil {
		return p, at, err
	}
	if kv, ok := f["cache_ttl"]; ok {
		if p.CacheTTL, err = d.duration(kv, ctx); err != nil {
			return p, at, err
		}
	}
	if kv, ok := f["long_context"]; ok {
		if p.LongContext, err = d.longContext(kv, ctx); err != nil {
			return p, at, err
		}
	}
	if kv, ok := f["source"]; ok {
		if p.Source, ok = text(kv.Value); !ok {
			return p, at, d.errf(kv.Value, "%s: field source: want text, not %s", ctx, kind(kv.Value))
		}
	}
	return p, at, nil
}

var (
	modelFields = []string{"model", "input", "cache_read", "cache_write_5m", "cache_write_1h", "output",
		"context_window", "cache_ttl", "min_cacheable_tokens", "long_context", "source"}
	longContextFields = []string{"threshold_tokens", "input", "cache_read", "cache_write_5m", "cache_write_1h", "output"}
)

// fields indexes a mapping's pairs by key, rejecting unknown keys
// (repeated ones never get past the YAML parser).
func (d decoder) fields(pairs []*ast.MappingValueNode, ctx string, known []string) (map[string]*ast.MappingValueNode, error) {
	f := make(map[string]*ast.MappingValueNode, len(pairs))
	for _, kv := range pairs {
		key := keyText(kv)
		if !slices.Contains(known, key) {
			return nil, d.errf(kv.Key, "%s: unknown field %q (want one of %s)", ctx, key, strings.Join(known, ", "))
		}
		f[key] = kv
	}
	return f, nil
}

// rates decodes the five prices of a mapping; the three cache prices
// default to input. prefix names the enclosing field in errors
// ("long_context.").
func (d decoder) rates(n ast.Node, f map[string]*ast.MappingValueNode, ctx, prefix string) (frugal.Rates, error) {
	var r frugal.Rates
	for _, req := range []struct {
		name string
		dst  *frugal.Rate
	}{{"input", &r.Input}, {"output", &r.Output}} {
		kv, ok := f[req.name]
		if !ok {
			return r, d.errf(n, "%s: field %s%s: missing", ctx, prefix, req.name)
		}
		v, err := d.rate(kv, ctx, prefix)
		if err != nil {
			return r, err
		}
		*req.dst = v
	}
	for _, opt := range []struct {
		name string
		dst  *frugal.Rate
	}{{"cache_read", &r.CacheRead}, {"cache_write_5m", &r.CacheWrite5m}, {"cache_write_1h", &r.CacheWrite1h}} {
		*opt.dst = r.Input
		if kv, ok := f[opt.name]; ok {
			v, err := d.rate(kv, ctx, prefix)
			if err != nil {
				return r, err
			}
			*opt.dst = v
		}
	}
	return r, nil
}

func (d decoder) rate(kv *ast.MappingValueNode, ctx, prefix string) (frugal.Rate, error) {
	name := prefix + keyText(kv)
	s, ok := scalar(kv.Value)
	if !ok {
		if isNull(kv.Value) {
			return 0, d.errf(kv.Key, "%s: field %s: missing value", ctx, name)
		}
		return 0, d.errf(kv.Value, "%s: field %s: want a decimal price, not %s", ctx, name, kind(kv.Value))
	}
	r, err := frugal.ParseRate(s)
	if err != nil {
		return 0, d.errf(kv.Value, "%s: field %s: %v", ctx, name, err)
	}
	if r < 0 {
		return 0, d.errf(kv.Value, "%s: field %s: price %s is negative", ctx, name, s)
	}
	return r, nil
}

// count decodes an optional whole number of tokens no smaller than min.
func (d decoder) count(f map[string]*ast.MappingValueNode, ctx, name string, min int64) (int64, error) {
	kv, ok := f[name]
	if !ok {
		return 0, nil
	}
	s, ok := scalar(kv.Value)
	if !ok {
		return 0, d.errf(kv.Value, "%s: field %s: want a whole number of tokens, not %s", ctx, name, kind(kv.Value))
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strings.HasPrefix(s, "+") {
		return 0, d.errf(kv.Value, "%s: field %s: %q is not a whole number of tokens", ctx, name, s)
	}
	if v < min {
		return 0, d.errf(kv.Value, "%s: field %s: %d is below %d", ctx, name, v, min)
	}
	return v, nil
}

func (d decoder) duration(kv *ast.MappingValueNode, ctx string) (time.Duration, error) {
	s, ok := scalar(kv.Value)
	if !ok {
		return 0, d.errf(kv.Value, "%s: field cache_ttl: want a duration such as 5m or 1h, not %s", ctx, kind(kv.Value))
	}
	if s == "0" {
		return 0, nil
	}
	ttl, err := time.ParseDuration(s)
	if err != nil || ttl < 0 {
		return 0, d.errf(kv.Value, "%s: field cache_ttl: %q is not a duration such as 5m or 1h (0 for no cache)", ctx, s)
	}
	return ttl, nil
}

func (d decoder) longContext(kv *ast.MappingValueNode, ctx string) (*frugal.LongContext, error) {
	pairs, ok := mapping(kv.Value)
	if !ok {
		return nil, d.errf(kv.Value, "%s: field long_context: want a mapping, not %s", ctx, kind(kv.Value))
	}
	f, err := d.fields(pairs, ctx+": long_context", longContextFields)
	if err != nil {
		return nil, err
	}
	th, ok := f["threshold_tokens"]
	if !ok {
		return nil, d.errf(kv.Key, "%s: field long_context.threshold_tokens: missing", ctx)
	}
	s, ok := scalar(th.Value)
	v, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || strings.HasPrefix(s, "+") {
		return nil, d.errf(th.Value, "%s: field long_context.threshold_tokens: want a whole number of tokens", ctx)
	}
	if v <= 0 {
		return nil, d.errf(th.Value, "%s: field long_context.threshold_tokens: %d must be above 0", ctx, v)
	}
	r, err := d.rates(kv.Key, f, ctx, "long_context.")
	if err != nil {
		return nil, err
	}
	return &frugal.LongContext{ThresholdTokens: v, Rates: r}, nil
}

// checkModelName accepts "provider/name" and the wildcard "provider/*";
// "sim/…" is reserved for simulated models.
func checkModelName(name string) error {
	provider, rest, ok := frugal.ModelRef(name).Split()
	switch {
	case !ok:
		return fmt.Errorf("%q is not provider/name", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("%q contains a space or control character", name)
	case provider == "sim":
		return fmt.Errorf("%q: sim/… names are simulated models, priced as the model they name", name)
	case strings.Contains(provider, "*") || (strings.Contains(rest, "*") && rest != "*"):
		return fmt.Errorf("%q: a wildcard is only allowed as provider/*", name)
	}
	return nil
}

func (d decoder) errf(n ast.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if l := line(n); l > 0 {
		return frugal.Errorf(frugal.EINVALID, "%s:%d: %s", d.file, l, msg)
	}
	return frugal.Errorf(frugal.EINVALID, "%s: %s", d.file, msg)
}

func (d decoder) yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line > 0 {
			return frugal.Errorf(frugal.EINVALID, "%s:%d: malformed YAML: %s", d.file, tk.Position.Line, ye.GetMessage())
		}
		return frugal.Errorf(frugal.EINVALID, "%s: malformed YAML: %s", d.file, ye.GetMessage())
	}
	return frugal.Errorf(frugal.EINVALID, "%s: malformed YAML: %v", d.file, err)
}

// unwrap looks through tags (`!!str 0.30`) to the value they mark.
func unwrap(n ast.Node) ast.Node {
	for {
		t, ok := n.(*ast.TagNode)
		if !ok || t.Value == nil {
			return n
		}
		n = t.Value
	}
}

// mapping returns the pairs of a mapping node; the parser gives a
// one-pair block mapping as a lone MappingValueNode.
func mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := unwrap(n).(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// scalar returns the source text of a plain or quoted scalar: "0.30"
// stays "0.30", exactly as written.
func scalar(n ast.Node) (string, bool) {
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode:
		if v.Token != nil {
			return v.Token.Value, true
		}
	case *ast.FloatNode:
		if v.Token != nil {
			return v.Token.Value, true
		}
	}
	return "", false
}

// text accepts any scalar, block scalars included.
func text(n ast.Node) (string, bool) {
	if l, ok := unwrap(n).(*ast.LiteralNode); ok && l.Value != nil {
		return strings.TrimSpace(l.Value.Value), true
	}
	return scalar(n)
}

func keyText(kv *ast.MappingValueNode) string {
	if kv.Key == nil {
		return ""
	}
	if s, ok := scalar(kv.Key); ok {
		return s
	}
	if tk := kv.Key.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := unwrap(n).(*ast.NullNode)
	return ok
}

func kind(n ast.Node) string {
	switch unwrap(n).(type) {
	case nil:
		return "nothing"
	case *ast.NullNode:
		return "an empty value"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.AnchorNode, *ast.AliasNode:
		return "an anchor or alias (not supported)"
	case *ast.LiteralNode:
		return "a block of text"
	}
	return "a " + strings.ToLower(unwrap(n).Type().String())
}

func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}
