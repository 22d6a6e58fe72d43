package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/sqlite"
)

// ledgerCalls reads the calls settled in home's ledger, oldest first.
func ledgerCalls(t *testing.T, home string) []frugal.Call {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(home, "frugal.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := db.Calls(context.Background(), sqlite.CallFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs
}

var costLineRe = regexp.MustCompile(`^(\S+) · in (\d+) \(\+(\d+) cached, (\d+) written\) · out (\d+) · (\$\d+\.\d{6}) \(worst case reserved (\$\d+\.\d{6})\)\n$`)

func TestAskSimOffline(t *testing.T) {
	home := t.TempDir()
	code, stdout, stderr := cliStdin(t, "", "--home", home, "ask", "sim/anthropic/claude-haiku-4-5", "hi")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !regexp.MustCompile(`^sim reply from claude-haiku-4-5: read \d+ input tokens\.\n$`).MatchString(stdout) {
		t.Errorf("stdout %q", stdout)
	}
	m := costLineRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr %q is not the cost line", stderr)
	}
	calls := ledgerCalls(t, home)
	if len(calls) != 1 {
		t.Fatalf("ledger holds %d calls", len(calls))
	}
	c := calls[0]
	if c.Agent != "ask" || c.Tier != "ask" || c.Model != "sim/anthropic/claude-haiku-4-5" || c.Provider != "sim" || c.Estimated || c.Outcome != frugal.OutcomeOK {
		t.Errorf("ledger row %+v", c)
	}
	want := []string{c.Model, fmt.Sprint(c.Usage.Input), "0", "0", fmt.Sprint(c.Usage.Output), c.Cost.String(), c.Worst.String()}
	for i, w := range want {
		if m[i+1] != w {
			t.Errorf("cost line field %d = %q, the ledger says %q (%s)", i+1, m[i+1], w, stderr)
		}
	}
	if c.Cost <= 0 || c.Cost > c.Worst {
		t.Errorf("cost %s, worst %s", c.Cost, c.Worst)
	}
}

func TestAskJSONStreamStdinAndFlags(t *testing.T) {
	home := t.TempDir()
	code, stdout, stderr := cliStdin(t, "", "--home", home, "ask", "--json", "--max-output", "5", "--system", "Be brief.", "sim/openai/gpt-5-mini", "write a long story")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got struct {
		Model      string       `json:"model"`
		Text       string       `json:"text"`
		Usage      frugal.Usage `json:"usage"`
		Cost       int64        `json:"cost_micro_usd"`
		Estimated  bool         `json:"estimated"`
		Worst      int64        `json:"worst_micro_usd"`
		Attempts   int          `json:"attempts"`
		StopReason string       `json:"stop_reason"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	c := ledgerCalls(t, home)[0]
	if got.Model != "sim/openai/gpt-5-mini" || got.Usage != c.Usage || got.Cost != int64(c.Cost) || got.Worst != int64(c.Worst) ||
		got.Estimated || got.Attempts != 1 || got.StopReason != frugal.StopMaxTokens || got.Usage.Output != 5 || got.Text == "" {
		t.Errorf("JSON %+v; ledger %+v", got, c)
	}
	if stderr != "" {
		t.Errorf("--json wrote %q on stderr", stderr)
	}

	// --stream prints the same answer as it arrives; stdin holds the prompt.
	code, streamed, stderr := cliStdin(t, "hello from stdin", "--home", home, "ask", "--stream", "sim/ollama/qwen2.5-coder:7b")
	if code != 0 || !strings.HasPrefix(streamed, "sim reply from qwen2.5-coder:7b: read ") || !strings.HasSuffix(streamed, ".\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, streamed, stderr)
	}
	if !costLineRe.MatchString(stderr) || !strings.Contains(stderr, "$0.000000") {
		t.Errorf("stderr %q: want the cost line of a free local model", stderr)
	}
	if calls := ledgerCalls(t, home); len(calls) != 2 || calls[1].Usage.Input < 5 {
		t.Errorf("the stdin prompt was not sent: %+v", calls)
	}
}

func TestAskBadInput(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ask"}, "takes MODEL and a PROMPT"},
		{[]string{"ask", "sim/openai/gpt-5", "a", "b"}, "takes MODEL and a PROMPT"},
		{[]string{"ask", "sim/openai/gpt-5"}, "the prompt is empty"},
		{[]string{"ask", "sim/openai/gpt-5", "  "}, "the prompt is empty"},
		{[]string{"ask", "--stream", "--no-stream", "sim/openai/gpt-5", "hi"}, "contradict"},
		{[]string{"ask", "--stream", "--json", "sim/openai/gpt-5", "hi"}, "do not mix"},
		{[]string{"ask", "--max-output", "-3", "sim/openai/gpt-5", "hi"}, "--max-output -3"},
		{[]string{"ask", "--max-output", "lots", "sim/openai/gpt-5", "hi"}, "invalid argument"},
		{[]string{"ask", "no-slash", "hi"}, "want provider/"},
	} {
		code, stdout, stderr := cliStdin(t, "", append([]string{"--home", home}, tc.args...)...)
		if code != exitInvalid || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestAskErrorsNameTheFix(t *testing.T) {
	const secret = "sk-THE-REAL-SECRET-0123456789"
	srv := sim.New(sim.Options{APIKey: "another-key-abcdefghij"})
	defer srv.Close()
	home := t.TempDir()
	down := "http://" + closedAddr(t) + "/v1"
	cfg := filepath.Join(home, "frugal.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`
providers:
  homelab:
    base_url: %s
    models:
      llama-3: {input: 0.1, output: 0.2}
  refuser:
    base_url: %s/v1
    api_key_env: REFUSER_KEY
    models:
      m: {input: 1, output: 2}
`, down, srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEEPSEEK_API_KEY", "")
	t.Setenv("REFUSER_KEY", secret)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"missing key", []string{"ask", "deepseek/deepseek-chat", "hi"}, exitInvalid, []string{"set DEEPSEEK_API_KEY"}},
		{"unknown model", []string{"ask", "sim/anthropic/claude-nonesuch", "hi"}, exitInvalid, []string{`unknown model "sim/anthropic/claude-nonesuch"`, "frugal prices", "prices.yaml"}},
		{"unknown provider", []string{"ask", "nowhere-ai/wise-1", "hi"}, exitInvalid, []string{`unknown provider "nowhere-ai"`, "frugal.yaml"}},
		{"unreachable", []string{"ask", "homelab/llama-3", "hi"}, exitFailed, []string{down, "connection refused", "providers.homelab.base_url in " + cfg}},
		{"refused key", []string{"ask", "refuser/m", "hi"}, exitInvalid, []string{"HTTP 401", "REFUSER_KEY"}},
	} {
		code, stdout, stderr := cliStdin(t, "", append([]string{"--home", home}, tc.args...)...)
		if code != tc.code || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "frugal: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and one line", tc.name, code, stdout, stderr, tc.code)
		}
		for _, w := range tc.wants {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: %q does not say %q", tc.name, stderr, w)
			}
		}
		if strings.Contains(stderr, secret) || strings.Contains(stderr, "REAL-SECRET") {
			t.Errorf("%s: the key leaked: %s", tc.name, stderr)
		}
	}
	if calls := ledgerCalls(t, home); len(calls) != 0 {
		t.Errorf("failed calls were charged: %+v", calls)
	}
}

func TestAskDeniedByCap(t *testing.T) {
	home := t.TempDir()
	if code, _, stderr := cliStdin(t, "", "--home", home, "budget", "set", "--window", "day", "--limit", "0.0001"); code != 0 {
		t.Fatalf("budget set: %s", stderr)
	}
	code, stdout, stderr := cliStdin(t, "", "--home", home, "ask", "sim/anthropic/claude-haiku-4-5", "hi")
	if code != exitDeferred || stdout != "" || !strings.Contains(stderr, "global/day cap $0.000100") || !strings.Contains(stderr, "frugal budget") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 3 naming the cap", code, stdout, stderr)
	}
	if calls := ledgerCalls(t, home); len(calls) != 0 {
		t.Errorf("a denied call was recorded: %+v", calls)
	}
}

func TestAskChargedFailuresAreReported(t *testing.T) {
	srv := sim.New(sim.Options{Cassette: mustCassette(t, `
rules:
  - when: {user_contains: "story"}
    reply:
      text: "Once upon a time there was a small agent that counted every token it read and every token it wrote, and it never spent a cent it had not reserved first."
`)})
	defer srv.Close()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "frugal.yaml"), []byte(fmt.Sprintf(`
providers:
  lab:
    type: anthropic
    base_url: %s
    models:
      m: {input: 1, output: 5}
`, srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}

	// Cut mid-stream after text was printed: the partial answer ends its
	// line, the charged hold is reported, then the error.
	srv.Inject(sim.Fault{Kind: sim.FaultTruncate})
	code, stdout, stderr := cliStdin(t, "", "--home", home, "ask", "--stream", "lab/m", "tell me a story")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code != exitFailed || !strings.HasPrefix(stdout, "Once upon") || !strings.HasSuffix(stdout, "\n") || len(lines) != 2 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	calls := ledgerCalls(t, home)
	if len(calls) != 1 || !calls[0].Estimated || calls[0].Outcome != frugal.OutcomeInterrupted {
		t.Fatalf("ledger %+v", calls)
	}
	if !strings.Contains(lines[0], "· "+calls[0].Cost.String()+" (worst case reserved "+calls[0].Worst.String()+")") || !strings.Contains(lines[0], "charged although the call failed") ||
		!strings.HasPrefix(lines[1], "frugal: lab/m: ") || !(strings.Contains(lines[1], "truncated") || strings.Contains(lines[1], "unexpected EOF")) {
		t.Errorf("stderr %q", stderr)
	}

	// Cut before any text reached the terminal: retried, and the cut
	// attempt's cost is part of what the line reports.
	srv.Inject(sim.Fault{Kind: sim.FaultTruncate})
	code, stdout, stderr = cliStdin(t, "", "--home", home, "ask", "--no-stream", "lab/m", "tell me a story")
	calls = ledgerCalls(t, home)
	if code != 0 || !strings.HasPrefix(stdout, "Once upon") || len(calls) != 3 {
		t.Fatalf("exit %d, stdout %q, stderr %q, %d calls", code, stdout, stderr, len(calls))
	}
	total := calls[1].Cost + calls[2].Cost
	if !strings.Contains(stderr, "· "+total.String()+" (worst case reserved") || !strings.Contains(stderr, "incl. "+calls[1].Cost.String()+" for failed attempts") {
		t.Errorf("stderr %q; rows %s + %s", stderr, calls[1].Cost, calls[2].Cost)
	}
}

func mustCassette(t *testing.T, yaml string) *sim.Cassette {
	t.Helper()
	c, err := sim.ParseCassette("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
