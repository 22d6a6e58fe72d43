package verify

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// checkRegex passes when the target matches the gate's RE2 expression.
// ^ and $ match at the ends of the whole text unless the expression turns
// on multi-line mode with (?m).
func checkRegex(ws *tool.Workspace, g frugal.Gate, output string, max int) (bool, string) {
	re, err := regexp.Compile(g.Regex)
	if err != nil {
		return false, fmt.Sprintf("regex %q does not compile (RE2 syntax): %v", g.Regex, err)
	}
	text, name, err := target(ws, g, output)
	if err != nil {
		return false, fmt.Sprintf("cannot read %s: %v", name, err)
	}
	if loc := re.FindStringIndex(text); loc != nil {
		return true, fmt.Sprintf("%s matches %q at line %d", name, g.Regex, lineAt(text, loc[0]))
	}
	return false, fmt.Sprintf("%s does not match the regular expression %q.\n%s", name, g.Regex, excerpt(text, name, max))
}

// checkContains passes when the target contains the gate's text.
func checkContains(ws *tool.Workspace, g frugal.Gate, output string, max int) (bool, string) {
	text, name, err := target(ws, g, output)
	if err != nil {
		return false, fmt.Sprintf("cannot read %s: %v", name, err)
	}
	if i := strings.Index(text, g.Contains); i >= 0 {
		return true, fmt.Sprintf("%s contains %q at line %d", name, g.Contains, lineAt(text, i))
	}
	return false, fmt.Sprintf("%s does not contain %q.\n%s", name, g.Contains, excerpt(text, name, max))
}

// excerpt shows a bounded view of a text that failed a gate: its start and
// end when long.
func excerpt(text, name string, max int) string {
	if text == "" {
		return name + " is empty."
	}
	room := min(max/2, 2048)
	return fmt.Sprintf("%s (%d bytes) reads:\n%s", name, len(text), tool.Clip(text, room))
}

func lineAt(text string, off int) int { return strings.Count(text[:off], "\n") + 1 }
