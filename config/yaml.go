package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/frugal-dev/frugal"
)

// maxFileSize bounds what the YAML parser is given: config files are small,
// and a bigger one is a mistake (the wrong file) rather than a config.
const maxFileSize = 1 << 20

// decoder turns a goccy/go-yaml AST into values while it records, for every
// problem, the line and field path where it sits. Decoding goes through the
// AST rather than yaml.Unmarshal so that each value's position is known and
// numbers keep their exact source text.
type decoder struct {
	problems
	anchors    map[string]ast.Node
	checkModel func(frugal.ModelRef) error // agent files only; may be nil
	// contextWindow, agent files only, may be nil: a model's window.
	contextWindow func(frugal.ModelRef) int64
	models        []modelAt // each brain, where it was written
}

// modelAt is a brain of an agent file and where it sits.
type modelAt struct {
	ref   frugal.ModelRef
	node  ast.Node
	field string
}

func newDecoder(file string) *decoder {
	return &decoder{problems: problems{file: file}, anchors: map[string]ast.Node{}}
}

// document parses data and returns its single document's body, or nil
// after recording why there is none.
func (d *decoder) document(data []byte) (body ast.Node) {
	if len(data) > maxFileSize {
		d.add(0, 0, "", "file is %d bytes; a config file is at most %d", len(data), maxFileSize)
		return nil
	}
	f, err := parseYAML(data)
	if err != nil {
		line, col, msg := 0, 0, err.Error()
		if ye, ok := err.(yaml.Error); ok {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				line, col = tk.Position.Line, tk.Position.Column
			}
		}
		d.add(line, col, "", "YAML syntax: %s", msg)
		return nil
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc.Body)
		}
	}
	switch {
	case len(docs) == 0:
		d.add(0, 0, "", "file is empty")
		return nil
	case len(docs) > 1:
		line, col := pos(docs[1])
		d.add(line, col, "", "a second YAML document; one file holds one document")
		return nil
	}
	ast.Walk(anchorCollector(d.anchors), docs[0])
	return docs[0]
}

// parseYAML runs the third-party parser, turning a panic on hostile input
// into an error: a malformed file must never take the process down.
func parseYAML(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parser failed on this input: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

type anchorCollector map[string]ast.Node

func (c anchorCollector) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil && a.Value != nil {
		if tk := a.Name.GetToken(); tk != nil {
			c[tk.Value] = a.Value
		}
	}
	if n == nil {
		return nil
	}
	return c
}

// pos returns the 1-based line and column of n, 0 when unknown.
func pos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0] != nil && m.Values[0].Key != nil {
		return pos(m.Values[0].Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// errorf records a problem at node n.
func (d *decoder) errorf(n ast.Node, field, format string, args ...any) {
	line, col := pos(n)
	d.add(line, col, field, format, args...)
}

// resolve looks through anchors, aliases and standard tags to the node
// that holds the value. It returns nil (after recording a problem) for an
// unknown alias or a custom tag.
func (d *decoder) resolve(n ast.Node, field string) ast.Node {
	for range 16 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			tag := ""
			if v.Start != nil {
				tag = v.Start.Value
			}
			if !strings.HasPrefix(tag, "!!") {
				d.errorf(v, field, "custom tag %s is not supported", tag)
				return nil
			}
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil && v.Value.GetToken() != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(v, field, "alias *%s names no anchor", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.errorf(n, field, "aliases nest too deeply")
	return nil
}

// kind describes a node for "want X, got Y" messages.
func kind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode, nil:
		return "no value"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	}
	return "a string"
}

// field is one key of a mapping with its value node.
type field struct {
	key   string
	keyAt ast.Node
	value ast.Node // nil for `key:` with nothing after it
}

// mapping checks that n is a mapping whose keys are all in allowed, and
// returns its entries by key. ok is false when n is not a mapping.
func (d *decoder) mapping(n ast.Node, path string, allowed ...string) (map[string]field, bool) {
	n = d.resolve(n, path)
	if n == nil {
		return nil, false
	}
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode: // a one-key mapping
		values = []*ast.MappingValueNode{m}
	default:
		d.errorf(n, path, "want a mapping, got %s", describe(n))
		return nil, false
	}
	out := make(map[string]field, len(values))
	for _, kv := range values {
		if kv == nil || kv.Key == nil {
			continue
		}
		if kv.Key.IsMergeKey() {
			d.errorf(kv.Key, path, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		keyNode := d.resolve(kv.Key, path)
		key, isScalar := scalarText(keyNode)
		if !isScalar {
			d.errorf(kv.Key, path, "a key must be a plain word, got %s", kind(keyNode))
			continue
		}
		fp := join(path, key)
		if _, dup := out[key]; dup {
			d.errorf(kv.Key, fp, "key given twice")
			continue
		}
		if !slices.Contains(allowed, key) {
			d.errorf(kv.Key, fp, "unknown key (allowed: %s)%s", strings.Join(allowed, ", "), suggest(key, allowed))
			continue
		}
		v := kv.Value
		if _, null := v.(*ast.NullNode); null {
			v = nil
		}
		out[key] = field{key: key, keyAt: kv.Key, value: v}
	}
	return out, true
}

// entries returns the keys and values of a mapping whose keys are names
// (tiers, providers, models), in file order.
func (d *decoder) entries(n ast.Node, path string) ([]field, bool) {
	n = d.resolve(n, path)
	if n == nil {
		return nil, false
	}
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		d.errorf(n, path, "want a mapping, got %s", describe(n))
		return nil, false
	}
	var out []field
	seen := map[string]bool{}
	for _, kv := range values {
		if kv == nil || kv.Key == nil {
			continue
		}
		if kv.Key.IsMergeKey() {
			d.errorf(kv.Key, path, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		keyNode := d.resolve(kv.Key, path)
		key, isScalar := scalarText(keyNode)
		if !isScalar || key == "" {
			d.errorf(kv.Key, path, "a key must be a non-empty word, got %s", kind(keyNode))
			continue
		}
		if seen[key] {
			d.errorf(kv.Key, join(path, key), "key given twice")
			continue
		}
		seen[key] = true
		v := kv.Value
		if _, null := v.(*ast.NullNode); null {
			v = nil
		}
		out = append(out, field{key: key, keyAt: kv.Key, value: v})
	}
	return out, true
}

// sequence returns the items of a list; a lone scalar is a list of one
// when scalarOK is set.
func (d *decoder) sequence(n ast.Node, path string, scalarOK bool) ([]ast.Node, bool) {
	r := d.resolve(n, path)
	if r == nil {
		return nil, false
	}
	if s, ok := r.(*ast.SequenceNode); ok {
		return s.Values, true
	}
	if _, isScalar := scalarText(r); scalarOK && isScalar {
		return []ast.Node{n}, true
	}
	d.errorf(r, path, "want a list, got %s", describe(r))
	return nil, false
}

// at returns the node to blame for field f: its value, or its key when
// the value is missing.
func (f field) at() ast.Node {
	if f.value != nil {
		return f.value
	}
	return f.keyAt
}

// scalarText returns the source text of a scalar (unquoted for strings,
// exactly as written for numbers). ok is false for mappings, lists and
// null.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

// describe says what a node is, quoting short scalars, for messages.
func describe(n ast.Node) string {
	if s, ok := scalarText(n); ok {
		return fmt.Sprintf("%s %s", kind(n), quote(s))
	}
	return kind(n)
}

// quote quotes s for a message, cut to a readable length.
func quote(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return strconv.Quote(s)
}

// str decodes a string field; missing or null values are an error.
func (d *decoder) str(f field, path string) (string, bool) {
	if f.value == nil {
		d.errorf(f.keyAt, path, "no value")
		return "", false
	}
	n := d.resolve(f.value, path)
	if n == nil {
		return "", false
	}
	s, ok := scalarText(n)
	if !ok {
		d.errorf(n, path, "want a string, got %s", kind(n))
		return "", false
	}
	return s, true
}

// nonEmpty decodes a string field that must not be blank.
func (d *decoder) nonEmpty(f field, path string) (string, bool) {
	s, ok := d.str(f, path)
	if ok && strings.TrimSpace(s) == "" {
		d.errorf(f.at(), path, "is empty")
		return "", false
	}
	return strings.TrimSpace(s), ok
}

// money decodes a USD amount exactly from its source text: 0.1 stays one
// tenth of a dollar, never a float approximation.
func (d *decoder) money(f field, path string) (frugal.Money, bool) {
	s, ok := d.str(f, path)
	if !ok {
		return 0, false
	}
	m, err := frugal.ParseUSD(s)
	if err != nil {
		d.errorf(f.at(), path, "%s is not a USD amount (e.g. 0.50 or 20)", quote(s))
		return 0, false
	}
	if m < 0 {
		d.errorf(f.at(), path, "%s is negative", quote(s))
		return 0, false
	}
	return m, true
}

// rate decodes a price in USD per million tokens exactly.
func (d *decoder) rate(f field, path string) (frugal.Rate, bool) {
	s, ok := d.str(f, path)
	if !ok {
		return 0, false
	}
	r, err := frugal.ParseRate(s)
	if err != nil {
		d.errorf(f.at(), path, "%s is not a price in USD per million tokens (e.g. 0.14 or 15)", quote(s))
		return 0, false
	}
	if r < 0 {
		d.errorf(f.at(), path, "%s is negative", quote(s))
		return 0, false
	}
	return r, true
}

// positiveInt decodes an integer in [1, max].
func (d *decoder) positiveInt(f field, path string, max int64) (int64, bool) {
	if f.value == nil {
		d.errorf(f.keyAt, path, "no value")
		return 0, false
	}
	n := d.resolve(f.value, path)
	if n == nil {
		return 0, false
	}
	in, ok := n.(*ast.IntegerNode)
	if !ok {
		if s, _ := scalarText(n); s != "" && strings.Trim(s, "0123456789") == "" {
			d.errorf(n, path, "%s is out of range (1 to %d)", s, max)
			return 0, false
		}
		d.errorf(n, path, "want a whole number, got %s", describe(n))
		return 0, false
	}
	var v int64
	switch x := in.Value.(type) {
	case int64:
		v = x
	case uint64:
		v = math.MaxInt64
		if x <= math.MaxInt64 {
			v = int64(x)
		}
	default:
		d.errorf(n, path, "want a whole number, got %s", describe(n))
		return 0, false
	}
	if v <= 0 || v > max {
		d.errorf(n, path, "%s is out of range (1 to %d)", in.GetToken().Value, max)
		return 0, false
	}
	return v, true
}

// duration decodes a positive duration no longer than max.
func (d *decoder) duration(f field, path string, max time.Duration) (time.Duration, bool) {
	s, ok := d.str(f, path)
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.errorf(f.at(), path, "%v", err)
		return 0, false
	}
	if v <= 0 {
		d.errorf(f.at(), path, "%s is not positive", quote(s))
		return 0, false
	}
	if v > max {
		d.errorf(f.at(), path, "%s is longer than %s", quote(s), fmtDuration(max))
		return 0, false
	}
	return v, true
}

var daysRe = regexp.MustCompile(`^(\d{1,4})d(.*)$`)

// ParseDuration parses a Go duration ("90s", "5m", "1h30m") with an
// optional leading count of days ("7d", "1d12h"). A bare number has no
// unit and is an error.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	days := time.Duration(0)
	if m := daysRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		days = time.Duration(n) * 24 * time.Hour
		if m[2] == "" {
			return days, nil
		}
		s = m[2]
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return 0, fmt.Errorf("%s has no unit (write e.g. %ss or %sm)", quote(s), s, s)
		}
		return 0, fmt.Errorf("%s is not a duration (e.g. 90s, 5m, 2h, 7d)", quote(s))
	}
	if days > 0 && (v < 0 || days+v < days) {
		return 0, fmt.Errorf("%s is not a duration (e.g. 90s, 5m, 2h, 7d)", quote(s))
	}
	return days + v, nil
}

// fmtDuration prints d without the zero tails of time.Duration.String:
// "30m", "2h", "1h30m", "7d".
func fmtDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// join appends key to a field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a field path.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// suggest returns `; did you mean "x"?` for a key one or two edits away
// from an allowed one.
func suggest(key string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if dist := editDistance(strings.ToLower(key), a); dist < bestDist {
			best, bestDist = a, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance of a and b, for short keys.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
