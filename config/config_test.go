package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
)

func rate(t *testing.T, s string) *frugal.Rate {
	t.Helper()
	r, err := frugal.ParseRate(s)
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestLoadConfig(t *testing.T) {
	c, err := config.Load("testdata/config/frugal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{
		File: "testdata/config/frugal.yaml",
		Providers: map[string]config.Provider{
			"deepseek": {
				Type: "openai", BaseURL: "https://api.deepseek.com", APIKeyEnv: "DEEPSEEK_API_KEY",
				Headers: map[string]string{"X-Title": "frugal"}, Timeout: 120 * time.Second,
				Prices: map[string]config.PriceOverride{
					"deepseek-v4-flash": {Input: rate(t, "0.14"), Output: rate(t, "0.28")},
					"deepseek-reasoner": {Input: rate(t, "0.1"), CacheRead: rate(t, "0.028"), ContextWindow: 128000},
				},
			},
			"local": {Type: "ollama", BaseURL: "http://127.0.0.1:11434"},
		},
		Defaults: config.Defaults{MaxOutput: 4096, Lease: 10 * time.Minute},
		Budgets: []frugal.Budget{
			{Scope: frugal.ScopeGlobal, Window: frugal.WindowDay, Limit: 5 * frugal.Dollar},
			{Scope: frugal.ScopeAgent, Name: "nightly", Window: frugal.WindowMonth, Limit: 12_500_000},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got\n%+v\nwant\n%+v", c, want)
	}
	// Exact: 0.14 per million is 140000 pico-dollars per token, no float.
	if got := *c.Providers["deepseek"].Prices["deepseek-v4-flash"].Input; got != 140_000 {
		t.Errorf("input rate %d", got)
	}
}

func TestConfigMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frugal.yaml")
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, config.Default()) {
		t.Errorf("missing file gave %+v, want the defaults", c)
	}
	if c.Defaults.MaxOutput != frugal.DefaultLimits.MaxOutput || c.Defaults.Lease != 15*time.Minute || c.Providers == nil {
		t.Errorf("defaults %+v", c)
	}
	if _, err := config.LoadExisting(path); frugal.ErrorCode(err) != frugal.ENOTFOUND {
		t.Errorf("LoadExisting of a missing file: %v, want ENOTFOUND", err)
	}
}

func TestConfigEmpty(t *testing.T) {
	for _, src := range []string{"", "# only comments\n\n", "---\n"} {
		c, err := config.Parse("f.yaml", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if len(c.Providers) != 0 || c.Defaults != config.Default().Defaults {
			t.Errorf("%q: %+v", src, c)
		}
	}
}

// TestConfigRejectsLiteralKeys: a key in frugal.yaml is refused, and the
// error never repeats it.
func TestConfigRejectsLiteralKeys(t *testing.T) {
	const secret = "sk-proj-abcdefghijklmnop1234567890"
	cases := []struct {
		src, field, substr string
	}{
		{"providers:\n  openai:\n    api_key: " + secret + "\n", "providers.openai.api_key", "put it in an environment variable and name that variable in api_key_env (e.g. api_key_env: OPENAI_API_KEY)"},
		{"providers:\n  openai:\n    api_key_env: " + secret + "\n", "providers.openai.api_key_env", "this looks like an API key, not the name of an environment variable"},
		{"providers:\n  hf:\n    api_key_env: hf_aBcDeFgHiJkLmNoP12345\n", "providers.hf.api_key_env", "this looks like an API key"},
		{"providers:\n  groq:\n    api_key_env: gsk_abc\n", "providers.groq.api_key_env", "this looks like an API key"},
		{"providers:\n  x:\n    api_key_env: lowercase0123456789abcdef\n", "providers.x.api_key_env", "this looks like an API key"},
		{"providers:\n  deepseek:\n    api_key_env: ${DEEPSEEK_API_KEY}\n", "providers.deepseek.api_key_env", "without $ or braces"},
		{"providers:\n  x:\n    api_key_env: MY KEY\n", "providers.x.api_key_env", "not an environment variable name"},
		{"providers:\n  x:\n    headers: { Authorization: Bearer " + secret + " }\n", "providers.x.headers.Authorization", "credentials do not belong in frugal.yaml"},
		{"providers:\n  x:\n    headers: { x-api-key: " + secret + " }\n", "providers.x.headers.x-api-key", "credentials do not belong"},
		{"providers:\n  x:\n    base_url: https://user:" + secret + "@host/v1\n", "providers.x.base_url", "credentials in the URL"},
		{"providers:\n  x:\n    base_url: ftp://user:" + secret + "@host/v1\n", "providers.x.base_url", "credentials in the URL"},
		{"providers:\n  x:\n    base_url: \"https://u:" + secret + "@ho st\"\n", "providers.x.base_url", "credentials in the URL"},
	}
	for _, c := range cases {
		_, err := config.Parse("f.yaml", []byte(c.src))
		ps := problemsOf(t, err)
		found := false
		for _, p := range ps {
			if p.Field == c.field && strings.Contains(p.Message, c.substr) && p.Line == 3 {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no problem on line 3 at %s containing %q in:\n%v", c.src, c.field, c.substr, err)
		}
		for _, s := range []string{secret, "hf_aBcDeFgHiJkLmNoP12345", "gsk_abc", "lowercase0123456789abcdef"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error repeats the secret %q: %v", s, err)
			}
		}
	}
	// An ordinary env var name is fine.
	if _, err := config.Parse("f.yaml", []byte("providers:\n  x:\n    api_key_env: MY_PROVIDER_KEY_2\n")); err != nil {
		t.Error(err)
	}
}

func TestConfigProblems(t *testing.T) {
	cases := []struct {
		name, src, at, field, substr string
	}{
		{"unknown top", "provider: {}\n", "provider:", "provider", `unknown key (allowed: providers, defaults, budgets); did you mean "providers"?`},
		{"unknown provider key", "providers:\n  x:\n    url: http://a\n", "url:", "providers.x.url", "unknown key (allowed: type, base_url, api_key_env, headers, timeout, models, api_key)"},
		{"bad type", "providers:\n  x:\n    type: grpc\n", "type:", "providers.x.type", `"grpc" is not a wire format (want openai, anthropic or ollama)`},
		{"bad url", "providers:\n  x:\n    base_url: api.example.com\n", "base_url:", "providers.x.base_url", "is not an http(s) URL"},
		{"bad provider name", "providers:\n  My Provider:\n    type: openai\n", "My Provider", "providers.My Provider", "is not a provider name"},
		{"bad timeout", "providers:\n  x:\n    timeout: 120\n", "timeout:", "providers.x.timeout", `"120" has no unit`},
		{"bad price", "providers:\n  x:\n    models:\n      m: { input: 0.1234567 }\n", "m:", "providers.x.models.m.input", "is not a price in USD per million tokens"},
		{"negative price", "providers:\n  x:\n    models:\n      m: { output: -1 }\n", "m:", "providers.x.models.m.output", "is negative"},
		{"unknown price key", "providers:\n  x:\n    models:\n      m: { inptu: 1 }\n", "m:", "providers.x.models.m.inptu", `did you mean "input"?`},
		{"no prices", "providers:\n  x:\n    models:\n      m: {}\n", "m:", "providers.x.models.m", "no prices"},
		{"header newline", "providers:\n  x:\n    headers:\n      X-A: \"a\\nb\"\n", "X-A", "providers.x.headers.X-A", "one line"},
		{"defaults zero", "defaults: { max_output: 0 }\n", "defaults", "defaults.max_output", "out of range"},
		{"defaults lease", "defaults: { lease: forever }\n", "defaults", "defaults.lease", "is not a duration"},
		{"budget scope", "budgets:\n  - { scope: team, window: day, limit: 1 }\n", "scope: team", "budgets[0].scope", `"team" is not a scope`},
		{"budget window", "budgets:\n  - { scope: global, window: year, limit: 1 }\n", "window: year", "budgets[0].window", `"year" is not a window`},
		{"budget limit", "budgets:\n  - { scope: global, window: day, limit: lots }\n", "limit: lots", "budgets[0].limit", `"lots" is not a USD amount`},
		{"budget missing limit", "budgets:\n  - { scope: global, window: day }\n", "scope:", "budgets[0].limit", "missing"},
		{"budget needs name", "budgets:\n  - { scope: agent, window: day, limit: 1 }\n", "scope:", "budgets[0]", "scope agent needs a name"},
		{"budget twice", "budgets:\n  - { scope: global, window: day, limit: 1 }\n  - { scope: global, window: day, limit: 2 }\n", "limit: 2", "budgets[1]", "a second cap for scope global, window day"},
		{"budgets a map", "budgets: { scope: global }\n", "budgets:", "budgets", "want a list"},
		{"syntax", "providers:\n  x: [\n", "x:", "", "YAML syntax"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse("f.yaml", []byte(c.src))
			ps := problemsOf(t, err)
			wantLine := strings.Count(c.src[:strings.Index(c.src, c.at)], "\n") + 1
			for _, p := range ps {
				if p.Field == c.field && strings.Contains(p.Message, c.substr) {
					if p.Line != wantLine {
						t.Errorf("problem %q on line %d, want %d", p, p.Line, wantLine)
					}
					return
				}
			}
			t.Errorf("no problem at %q containing %q in:\n%v", c.field, c.substr, err)
		})
	}
}

func TestPriceOverrideApply(t *testing.T) {
	base := frugal.Price{Model: "deepseek/deepseek-chat", Rates: frugal.Rates{Input: 270_000, CacheRead: 70_000, Output: 1_100_000}, ContextWindow: 64_000}
	o := config.PriceOverride{Input: rate(t, "0.14"), ContextWindow: 128_000}
	got := o.Apply(base)
	want := base
	want.Input, want.ContextWindow = 140_000, 128_000
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply = %+v, want %+v", got, want)
	}
	if base.Input != 270_000 {
		t.Error("Apply changed its argument")
	}
}

func TestLoadExistingDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := config.LoadExisting(dir); frugal.ErrorCode(err) != frugal.EINVALID || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("err %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := config.LoadExisting(big); frugal.ErrorCode(err) != frugal.EINVALID {
		t.Errorf("2 MiB file: %v", err)
	}
}

func BenchmarkParseConfig(b *testing.B) {
	data, err := os.ReadFile("testdata/config/frugal.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Parse("frugal.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
