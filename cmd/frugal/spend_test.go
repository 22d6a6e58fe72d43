package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sqlite"
)

var counterFields = []string{"calls", "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_5m_tokens",
	"cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "cost_micro_usd", "cost_usd"}

// decodeSpend decodes --json output, keeping row keys (strings) apart
// from counters (numbers).
func decodeSpend(t *testing.T, out string, by []string) (rows []map[string]string, total map[string]string) {
	t.Helper()
	var raw struct {
		Rows  []map[string]any `json:"rows"`
		Total map[string]any   `json:"total"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
	if raw.Rows == nil || raw.Total == nil {
		t.Fatalf("rows or total missing (rows must be [] when empty): %s", out)
	}
	conv := func(m map[string]any, keys []string) map[string]string {
		want := append(append([]string{}, keys...), counterFields...)
		if len(m) != len(want) {
			t.Fatalf("object %v has fields %d, want exactly %v", m, len(m), want)
		}
		out := map[string]string{}
		for _, k := range want {
			v, ok := m[k]
			if !ok {
				t.Fatalf("object %v lacks %q", m, k)
			}
			switch x := v.(type) {
			case string:
				if !contains(keys, k) {
					t.Fatalf("counter %q is a string %q, want a number", k, x)
				}
				out[k] = x
			case json.Number:
				if contains(keys, k) {
					t.Fatalf("key %q is a number, want a string", k)
				}
				out[k] = x.String()
			default:
				t.Fatalf("field %q = %#v", k, v)
			}
		}
		return out
	}
	for _, r := range raw.Rows {
		rows = append(rows, conv(r, by))
	}
	return rows, conv(raw.Total, nil)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestSpendEmptyHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	code, out, errOut := cli(t, "--home", home, "spend")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "AGENT  CALLS  INPUT  CACHE READ  CACHE WRITE  OUTPUT       COST\nTOTAL      0      0           0            0       0  $0.000000\n"
	if out != want {
		t.Fatalf("table =\n%s\nwant\n%s", out, want)
	}
	fi, err := os.Stat(home)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("home %s: %v, mode %v; want a 0700 directory", home, err, fi.Mode())
	}
	code, out, _ = cli(t, "--home", home, "spend", "--json", "--by", "agent,day")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	rows, total := decodeSpend(t, out, []string{"agent", "day"})
	if len(rows) != 0 || total["calls"] != "0" || total["cost_micro_usd"] != "0" || total["cost_usd"] != "0" {
		t.Fatalf("rows %v total %v", rows, total)
	}
	code, out, _ = cli(t, "--home", home, "spend", "--csv", "--by", "model")
	if code != exitOK || out != "model,"+strings.Join(counterFields, ",")+"\n" {
		t.Fatalf("exit %d, csv %q", code, out)
	}
}

// settleCalls records calls straight through the sqlite package, as the
// runtime will, at the given times.
func settleCalls(t *testing.T, home string, calls []testCall) {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	var now time.Time
	db, err := sqlite.Open(context.Background(), filepath.Join(home, "frugal.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range calls {
		now = c.at
		h, err := db.Reserve(context.Background(), frugal.ReserveRequest{
			Attribution: frugal.Attribution{Agent: c.agent, Run: c.run, Step: "s", Tier: c.tier},
			Provider:    strings.Split(c.model, "/")[0], Model: c.model, Worst: c.cost + 1000,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Settle(context.Background(), h, frugal.Settlement{Usage: c.usage, Cost: c.cost}); err != nil {
			t.Fatal(err)
		}
	}
}

type testCall struct {
	agent, run, tier, model string
	at                      time.Time
	usage                   frugal.Usage
	cost                    frugal.Money
}

var (
	day1 = time.Date(2025, time.March, 10, 9, 0, 0, 0, time.UTC)
	day2 = time.Date(2025, time.March, 11, 23, 30, 0, 0, time.UTC)
)

func sampleCalls() []testCall {
	u := func(in, cr, w5, w1, out, rs int64) frugal.Usage {
		return frugal.Usage{Input: in, CacheRead: cr, CacheWrite5m: w5, CacheWrite1h: w1, Output: out, Reasoning: rs}
	}
	return []testCall{
		{"coder", "r1", "worker", "ollama/qwen", day1, u(1000, 0, 0, 0, 200, 0), 0},
		{"coder", "r1", "judge", "anthropic/claude-sonnet-4-5", day1, u(2000, 8000, 500, 100, 300, 0), 1_234_567},
		{"coder", "r2", "planner", "deepseek/deepseek-chat", day2, u(4000, 1000, 0, 0, 700, 50), 2_001},
		{"triage", "r3", "worker", "deepseek/deepseek-chat", day2, u(300, 0, 0, 0, 30, 0), 99},
	}
}

func TestSpendAfterCalls(t *testing.T) {
	home := t.TempDir()
	settleCalls(t, home, sampleCalls())

	code, out, errOut := cli(t, "--home", home, "spend", "--by", "agent,day", "--json")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	rows, total := decodeSpend(t, out, []string{"agent", "day"})
	type row struct{ agent, day, calls, input, cacheRead, cacheWrite, output, cost, usd string }
	var got []row
	for _, r := range rows {
		got = append(got, row{r["agent"], r["day"], r["calls"], r["input_tokens"], r["cache_read_tokens"],
			r["cache_write_tokens"], r["output_tokens"], r["cost_micro_usd"], r["cost_usd"]})
	}
	want := []row{
		{"coder", "2025-03-10", "2", "3000", "8000", "600", "500", "1234567", "1.234567"},
		{"coder", "2025-03-11", "1", "4000", "1000", "0", "700", "2001", "0.002001"},
		{"triage", "2025-03-11", "1", "300", "0", "0", "30", "99", "0.000099"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows =\n%v\nwant\n%v", got, want)
	}
	if total["calls"] != "4" || total["cost_micro_usd"] != "1236667" || total["cache_write_5m_tokens"] != "500" ||
		total["cache_write_1h_tokens"] != "100" || total["reasoning_tokens"] != "50" || total["input_tokens"] != "7300" {
		t.Fatalf("total = %v", total)
	}

	// Filters: one agent, one day (a date --until includes its day).
	code, out, _ = cli(t, "--home", home, "spend", "--by", "model", "--agent", "coder", "--since", "2025-03-10", "--until", "2025-03-10", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	rows, total = decodeSpend(t, out, []string{"model"})
	if len(rows) != 2 || rows[0]["model"] != "anthropic/claude-sonnet-4-5" || rows[1]["model"] != "ollama/qwen" || total["cost_micro_usd"] != "1234567" {
		t.Fatalf("coder on 2025-03-10: rows %v total %v", rows, total)
	}
	code, out, _ = cli(t, "--home", home, "spend", "--by", "tier,provider", "--since", "2025-03-11T23:00:00Z", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if rows, total = decodeSpend(t, out, []string{"tier", "provider"}); len(rows) != 2 || total["calls"] != "2" ||
		rows[0]["tier"] != "planner" || rows[1]["tier"] != "worker" || rows[1]["provider"] != "deepseek" {
		t.Fatalf("since an RFC 3339 time: rows %v total %v", rows, total)
	}

	// CSV: a header and one record per row, no total.
	code, out, _ = cli(t, "--home", home, "spend", "--by", "agent", "--csv")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := append([]string{"agent"}, counterFields...)
	if len(recs) != 3 || !reflect.DeepEqual(recs[0], wantHeader) || recs[1][0] != "coder" || recs[1][9] != "1236568" || recs[2][10] != "0.000099" {
		t.Fatalf("csv = %q", recs)
	}

	// The human table: aligned, with thousands separators and a total.
	code, out, _ = cli(t, "--home", home, "spend", "--by", "agent")
	want2 := `AGENT   CALLS  INPUT  CACHE READ  CACHE WRITE  OUTPUT       COST
coder       3  7,000       9,000          600   1,200  $1.236568
triage      1    300           0            0      30  $0.000099
TOTAL       4  7,300       9,000          600   1,230  $1.236667
`
	if code != exitOK || out != want2 {
		t.Fatalf("table =\n%s\nwant\n%s", out, want2)
	}
}

func TestSpendBadFlags(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{
		{"spend", "--by", "colour"},
		{"spend", "--by", "agent,agent"},
		{"spend", "--since", "last tuesday"},
		{"spend", "--until", "-5h"},
		{"spend", "--since", "2025-03-10", "--until", "2025-03-01"},
		{"spend", "--json", "--csv"},
		{"spend", "surplus"},
		{"spend", "--nope"},
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

func TestParseWhen(t *testing.T) {
	now := time.Date(2025, time.March, 12, 15, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in       string
		endOfDay bool
		want     time.Time
	}{
		{"", false, time.Time{}},
		{"2025-03-01", false, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-03-01", true, time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"2025-03-01T12:30:00+02:00", true, time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC)},
		{"7d", false, now.AddDate(0, 0, -7)},
		{"2w", false, now.AddDate(0, 0, -14)},
		{"24h", false, now.Add(-24 * time.Hour)},
		{"90m", false, now.Add(-90 * time.Minute)},
	} {
		got, err := parseWhen("--since", tc.in, now, tc.endOfDay)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseWhen(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"yesterday", "7", "d", "7x", "-3d", "2025-13-01", "1e9d"} {
		if _, err := parseWhen("--since", bad, now, false); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("parseWhen(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestUnwritableHome(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, home := range []string{file, filepath.Join(file, "home")} {
		for _, args := range [][]string{{"spend"}, {"budget"}, {"budget", "set", "--window", "day", "--limit", "1"}} {
			code, out, errOut := cli(t, append([]string{"--home", home}, args...)...)
			if code != exitInvalid || out != "" || !strings.Contains(errOut, home) || !strings.Contains(errOut, "not a directory") {
				t.Errorf("--home %s %v: exit %d, stdout %q, stderr %q; want exit 2 naming the home", home, args, code, out, errOut)
			}
		}
	}
}

func TestDatabaseURLRefused(t *testing.T) {
	t.Setenv("FRUGAL_DATABASE_URL", "postgres://localhost/frugal")
	code, _, errOut := cli(t, "--home", t.TempDir(), "spend")
	if code != exitInvalid || !strings.Contains(errOut, "FRUGAL_DATABASE_URL") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// FuzzParseWhen checks that any --since/--until value is either refused
// as EINVALID or read as a time, never a panic, and that a relative time
// never lands in the future.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"2025-03-01", "2025-03-01T12:30:00+02:00", "7d", "2w", "24h", "90m", "", "x", "-1h", "99999999d"} {
		f.Add(s)
	}
	now := time.Date(2025, time.March, 12, 15, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseWhen("--since", s, now, false)
		if err != nil {
			if frugal.ErrorCode(err) != frugal.EINVALID {
				t.Fatalf("parseWhen(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if strings.HasSuffix(strings.TrimSpace(s), "d") || strings.HasSuffix(strings.TrimSpace(s), "w") || strings.HasSuffix(strings.TrimSpace(s), "h") {
			if got.After(now) {
				t.Fatalf("parseWhen(%q) = %s, after now", s, got)
			}
		}
	})
}
