package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pricesOut is the --json contract of shared/DESIGN.md, numbers kept as
// their exact text.
type pricesOut struct {
	Date   string `json:"date"`
	Models []struct {
		Model string `json:"model"`
		pricesRates
		ContextWindow      int64 `json:"context_window"`
		CacheTTLSeconds    int64 `json:"cache_ttl_s"`
		MinCacheableTokens int64 `json:"min_cacheable_tokens"`
		LongContext        *struct {
			ThresholdTokens int64 `json:"threshold_tokens"`
			pricesRates
		} `json:"long_context"`
		Source string `json:"source"`
	} `json:"models"`
}

type pricesRates struct {
	Input        json.Number `json:"input"`
	CacheRead    json.Number `json:"cache_read"`
	CacheWrite5m json.Number `json:"cache_write_5m"`
	CacheWrite1h json.Number `json:"cache_write_1h"`
	Output       json.Number `json:"output"`
}

func decodePrices(t *testing.T, stdout string) pricesOut {
	t.Helper()
	var got pricesOut
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding the JSON (%.200q...): %v", stdout, err)
	}
	return got
}

func TestPricesJSON(t *testing.T) {
	home := t.TempDir()
	code, stdout, stderr := cli(t, "--home", home, "prices", "--json")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got := decodePrices(t, stdout)
	if got.Date != "2026-12-04" {
		t.Errorf("date = %q", got.Date)
	}
	if len(got.Models) < 20 {
		t.Fatalf("%d models; want at least 20", len(got.Models))
	}
	found := false
	for i, m := range got.Models {
		if i > 0 && got.Models[i-1].Model >= m.Model {
			t.Errorf("not sorted: %q before %q", got.Models[i-1].Model, m.Model)
		}
		if m.Model != "anthropic/claude-sonnet-4-5" {
			continue
		}
		found = true
		if m.Input != "3" || m.CacheRead != "0.3" || m.CacheWrite5m != "3.75" || m.CacheWrite1h != "6" || m.Output != "15" ||
			m.ContextWindow != 200_000 || m.CacheTTLSeconds != 300 || m.MinCacheableTokens != 1024 {
			t.Errorf("sonnet = %+v", m)
		}
		if m.LongContext == nil || m.LongContext.ThresholdTokens != 200_000 || m.LongContext.Input != "6" || m.LongContext.Output != "22.5" {
			t.Errorf("sonnet long_context = %+v", m.LongContext)
		}
		if !strings.HasPrefix(m.Source, "platform.claude.com") {
			t.Errorf("sonnet source = %q", m.Source)
		}
	}
	if !found {
		t.Error("anthropic/claude-sonnet-4-5 missing")
	}
	// Prices are JSON numbers spelled as exact decimals, not floats.
	if !strings.Contains(stdout, `"cache_read": 0.006,`) || !strings.Contains(stdout, `"cache_write_5m": 0.125,`) {
		t.Error("exact decimals 0.006 and 0.125 missing from the JSON")
	}
}

func TestPricesMissingHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "not", "created")
	code, stdout, stderr := cli(t, "--home", home, "prices")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(stdout, "USD per 1M tokens, built-in prices checked 2026-12-04\nMODEL ") {
		t.Errorf("table header:\n%s", stdout)
	}
	if !strings.Contains(stdout, "\nanthropic/claude-sonnet-4-5 ") || !strings.Contains(stdout, "LONG CONTEXT") {
		t.Errorf("table:\n%s", stdout)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Errorf("frugal prices created the home directory: %v", err)
	}
}

func TestPricesOverrides(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "prices.yaml")
	if err := os.WriteFile(path, []byte("models:\n  - model: ollama/*\n    input: 0.02\n    output: 0.08\n    context_window: 32768\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, "--home", home, "prices", "--json", "ollama/qwen3:8b", "sim/anthropic/claude-sonnet-4-5")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got := decodePrices(t, stdout)
	if len(got.Models) != 2 {
		t.Fatalf("%d models; want the 2 asked for", len(got.Models))
	}
	if m := got.Models[0]; m.Model != "ollama/qwen3:8b" || m.Input != "0.02" || m.Output != "0.08" || m.ContextWindow != 32768 || m.Source != "matched ollama/*; "+path {
		t.Errorf("ollama = %+v", m)
	}
	if m := got.Models[1]; m.Model != "sim/anthropic/claude-sonnet-4-5" || m.Input != "3" || !strings.HasPrefix(m.Source, "simulated; priced as anthropic/claude-sonnet-4-5") {
		t.Errorf("sim = %+v", m)
	}

	code, stdout, _ = cli(t, "--home", home, "prices")
	if code != exitOK || !strings.Contains(stdout, "; overrides from "+path+"\n") {
		t.Errorf("exit %d, table header does not name the override file:\n%s", code, stdout)
	}
}

func TestPricesBadInput(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "prices.yaml")
	if err := os.WriteFile(path, []byte("models:\n  - model: x/y\n    input: 1\n    output: 0.1234567\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, "--home", home, "prices", "--json")
	if code != exitInvalid || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit %d and nothing on stdout", code, stdout, exitInvalid)
	}
	if want := "frugal: " + path + `:4: model "x/y": field output: price "0.1234567": more than 6 decimals` + "\n"; stderr != want {
		t.Errorf("stderr:\n got %q\nwant %q", stderr, want)
	}

	code, _, stderr = cli(t, "--home", t.TempDir(), "prices", "acme/unknown")
	if code != exitInvalid || stderr != "frugal: unknown model \"acme/unknown\": add it to $FRUGAL_HOME/prices.yaml (see frugal prices)\n" {
		t.Errorf("unknown model: exit %d, stderr %q", code, stderr)
	}

	code, _, stderr = cli(t, "--home", t.TempDir(), "prices", "--jsn")
	if code != exitInvalid || !strings.Contains(stderr, "unknown flag: --jsn") {
		t.Errorf("bad flag: exit %d, stderr %q", code, stderr)
	}
}
