package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
)

// capsJSON is the --json contract of shared/DESIGN.md plus "run".
type capsJSON struct {
	Caps []struct {
		Scope     string  `json:"scope"`
		Name      string  `json:"name"`
		Window    string  `json:"window"`
		Limit     int64   `json:"limit_micro_usd"`
		Spent     int64   `json:"spent_micro_usd"`
		Reserved  int64   `json:"reserved_micro_usd"`
		Remaining int64   `json:"remaining_micro_usd"`
		ResetsAt  *string `json:"resets_at"`
		Run       *string `json:"run"`
	} `json:"caps"`
}

func decodeCaps(t *testing.T, out string) capsJSON {
	t.Helper()
	var got capsJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
	if got.Caps == nil {
		t.Fatalf("caps missing (must be [] when empty): %s", out)
	}
	return got
}

func TestBudgetEmptyHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "new")
	code, out, errOut := cli(t, "--home", home, "budget", "--json")
	if code != exitOK || errOut != "" || strings.TrimSpace(out) != "{\n  \"caps\": []\n}" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = cli(t, "--home", home, "budget")
	if code != exitOK || !strings.Contains(out, "No spend caps") || !strings.Contains(out, "frugal budget set") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
}

func TestBudgetSetShowRemove(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{
		{"budget", "set", "--window", "day", "--limit", "5"},
		{"budget", "set", "--scope", "agent", "--name", "coder", "--window", "month", "--limit", "$20.000001"},
		{"budget", "set", "--scope", "agent", "--name", "coder", "--window", "run", "--limit", "1.50"},
		{"budget", "set", "--scope", "run", "--name", "r3", "--window", "total", "--limit", "0.0015"},
	} {
		if code, _, errOut := cli(t, append([]string{"--home", home}, args...)...); code != exitOK {
			t.Fatalf("%v: exit %d, %s", args, code, errOut)
		}
	}
	// Calls made now, so that they fall in the current day and month.
	now := time.Now().UTC()
	calls := sampleCalls()
	for i := range calls {
		calls[i].at = now
	}
	settleCalls(t, home, calls)

	code, out, errOut := cli(t, "--home", home, "budget", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := decodeCaps(t, out)
	type line struct {
		cap                               string
		limit, spent, reserved, remaining int64
		resets, run                       string
	}
	str := func(p *string) string {
		if p == nil {
			return "<null>"
		}
		return *p
	}
	var lines []line
	for _, c := range got.Caps {
		lines = append(lines, line{c.Scope + "/" + c.Name + "/" + c.Window, c.Limit, c.Spent, c.Reserved, c.Remaining, str(c.ResetsAt), str(c.Run)})
	}
	_, dayEnd := frugal.WindowDay.Bounds(now)
	_, monthEnd := frugal.WindowMonth.Bounds(now)
	want := []line{
		{"global//day", 5_000_000, 1_236_667, 0, 3_763_333, dayEnd.Format(time.RFC3339), "<null>"},
		{"agent/coder/run", 1_500_000, 2_001, 0, 1_497_999, "<null>", "r2"},
		{"agent/coder/month", 20_000_001, 1_236_568, 0, 18_763_433, monthEnd.Format(time.RFC3339), "<null>"},
		{"run/r3/total", 1500, 99, 0, 1401, "<null>", "r3"},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("caps =\n%v\nwant\n%v", lines, want)
	}

	code, out, _ = cli(t, "--home", home, "budget")
	if code != exitOK || !strings.Contains(out, "per run (latest: r2)") || !strings.Contains(out, "$3.763333") {
		t.Fatalf("table:\n%s", out)
	}

	code, out, _ = cli(t, "--home", home, "budget", "rm", "--scope", "agent", "--name", "coder", "--window", "run")
	if code != exitOK || !strings.Contains(out, `removed the agent "coder"/run cap`) {
		t.Fatalf("rm: exit %d, %q", code, out)
	}
	code, _, errOut = cli(t, "--home", home, "budget", "rm", "--scope", "agent", "--name", "coder", "--window", "run")
	if code != exitInvalid || !strings.Contains(errOut, "no agent") {
		t.Fatalf("removing it again: exit %d, %q", code, errOut)
	}
	if _, out, _ = cli(t, "--home", home, "budget", "--json"); len(decodeCaps(t, out).Caps) != 3 {
		t.Fatalf("after rm: %s", out)
	}
}

func TestBudgetBadFlags(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{
		{"budget", "set", "--window", "day"},
		{"budget", "set", "--window", "day", "--limit", "lots"},
		{"budget", "set", "--window", "day", "--limit", "1.0000001"},
		{"budget", "set", "--window", "day", "--limit", "-1"},
		{"budget", "set", "--window", "fortnight", "--limit", "1"},
		{"budget", "set", "--limit", "1"},
		{"budget", "set", "--scope", "agent", "--window", "day", "--limit", "1"},
		{"budget", "set", "--scope", "global", "--name", "x", "--window", "day", "--limit", "1"},
		{"budget", "set", "--scope", "run", "--name", "r", "--window", "day", "--limit", "1"},
		{"budget", "set", "--scope", "planet", "--window", "day", "--limit", "1"},
		{"budget", "rm", "--scope", "agent"},
		{"budget", "--bogus"},
		{"budget", "show"},
	} {
		code, out, errOut := cli(t, append([]string{"--home", home}, args...)...)
		if code != exitInvalid || out != "" || !strings.HasPrefix(errOut, "frugal: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and an error", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "frugal.db")); err == nil {
		t.Errorf("bad flags opened the database")
	}
}
