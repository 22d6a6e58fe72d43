package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/frugal-dev/frugal"
)

// maxProblems bounds how many problems one file reports; the rest are
// counted in a last line.
const maxProblems = 20

// Problem is one thing wrong in a file, located by line (1-based; 0 when
// the problem is the file as a whole) and by field path, e.g.
// "budget.day" or "verify[1].timeout".
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String formats p as "file:line: field: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one file, in file order. It is the
// cause inside the *frugal.Error (code EINVALID) that ParseAgent and Parse
// return, so callers reach it with errors.As.
type Problems struct {
	List    []Problem // at most maxProblems
	Omitted int       // problems found beyond List
	File    string
}

// Error lists the problems one per line.
func (ps *Problems) Error() string {
	lines := make([]string, 0, len(ps.List)+1)
	for _, p := range ps.List {
		lines = append(lines, p.String())
	}
	if ps.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("%s: … and %d more problems", ps.File, ps.Omitted))
	}
	return strings.Join(lines, "\n")
}

// problems collects what a decoder finds.
type problems struct {
	file string
	ps   Problems
}

func (c *problems) add(line, col int, field, format string, args ...any) {
	if len(c.ps.List) >= maxProblems {
		c.ps.Omitted++
		return
	}
	c.ps.List = append(c.ps.List, Problem{File: c.file, Line: line, Column: col, Field: oneLiner.Replace(field), Message: oneLiner.Replace(fmt.Sprintf(format, args...))})
}

// oneLiner keeps each problem on its line whatever text the file holds.
var oneLiner = strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\r`)

func (c *problems) any() bool { return len(c.ps.List) > 0 }

// err returns nil when nothing was found, else an EINVALID *frugal.Error
// whose cause is the *Problems.
func (c *problems) err() error {
	if !c.any() {
		return nil
	}
	ps := c.ps
	ps.File = c.file
	// Checks run in dependency order; people read in file order.
	slices.SortStableFunc(ps.List, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return &frugal.Error{Code: frugal.EINVALID, Message: ps.Error(), Err: &ps}
}
