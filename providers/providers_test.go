package providers_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/providers"
	"github.com/frugal-dev/frugal/sim"
	"github.com/frugal-dev/frugal/tokenizer"
)

// Every adapter connection and ping must end with its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a fake environment: the registry reads keys only through Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("frugal.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	return cfg
}

// closedURL is an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func hello() frugal.Request {
	return frugal.Request{Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "hello there"}}, MaxOutput: 50}
}

func TestEveryPresetResolves(t *testing.T) {
	want := map[string]struct{ typ, base, keyEnv, family string }{
		"openai":        {config.TypeOpenAI, "https://api.openai.com/v1", "OPENAI_API_KEY", "openai"},
		"deepseek":      {config.TypeOpenAI, "https://api.deepseek.com", "DEEPSEEK_API_KEY", "deepseek"},
		"openrouter":    {config.TypeOpenAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "openrouter"},
		"groq":          {config.TypeOpenAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY", "groq"},
		"together":      {config.TypeOpenAI, "https://api.together.xyz/v1", "TOGETHER_API_KEY", "together"},
		"vllm":          {config.TypeOpenAI, "http://localhost:8000/v1", "VLLM_API_KEY", "vllm"},
		"llamacpp":      {config.TypeOpenAI, "http://localhost:8080/v1", "LLAMACPP_API_KEY", "llamacpp"},
		"lmstudio":      {config.TypeOpenAI, "http://localhost:1234/v1", "", "lmstudio"},
		"ollama-openai": {config.TypeOpenAI, "http://localhost:11434/v1", "", "ollama-openai"},
		"anthropic":     {config.TypeAnthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY", "anthropic"},
		"ollama":        {config.TypeOllama, "http://localhost:11434", "", "ollama"},
		"google":        {config.TypeOpenAI, "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY", "google"},
	}
	e := env{}
	for _, w := range want {
		if w.keyEnv != "" {
			e[w.keyEnv] = "key-for-" + w.keyEnv
		}
	}
	r := providers.New(providers.Options{Getenv: e.get})
	var names []string
	for _, p := range r.Providers() {
		names = append(names, p.Name)
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected preset %q", p.Name)
			continue
		}
		if p.Type != w.typ || p.BaseURL != w.base || p.KeyEnv != w.keyEnv || p.Source != "preset" {
			t.Errorf("preset %s = type %s, base %s, key %s, source %s; want %s, %s, %s, preset", p.Name, p.Type, p.BaseURL, p.KeyEnv, p.Source, w.typ, w.base, w.keyEnv)
		}
		if p.KeySet != (w.keyEnv != "") {
			t.Errorf("preset %s: KeySet %v", p.Name, p.KeySet)
		}
		tg, err := r.Resolve(frugal.ModelRef(p.Name + "/some-model"))
		if err != nil {
			t.Errorf("Resolve(%s/some-model): %v", p.Name, err)
			continue
		}
		if tg.Brain == nil || tg.Model != "some-model" || tg.Provider != p.Name || tg.Family != w.family || tg.BaseURL != w.base {
			t.Errorf("Resolve(%s/some-model) = %+v", p.Name, tg)
		}
		if _, ok := tg.Brain.(frugal.Streamer); !ok {
			t.Errorf("%s: adapter does not stream", p.Name)
		}
	}
	if len(names) != len(want) || !slices.IsSorted(names) {
		t.Errorf("Providers() = %v, want the %d presets sorted", names, len(want))
	}
	// Local presets need no key at all.
	bare := providers.New(providers.Options{})
	for _, name := range []string{"ollama", "lmstudio", "ollama-openai", "vllm", "llamacpp"} {
		if _, err := bare.Resolve(frugal.ModelRef(name + "/m")); err != nil {
			t.Errorf("%s without a key: %v", name, err)
		}
	}
}

func TestFamilyFollowsTheModel(t *testing.T) {
	r := providers.New(providers.Options{Getenv: env{"OPENROUTER_API_KEY": "k"}.get})
	for ref, want := range map[frugal.ModelRef]string{
		"openrouter/anthropic/claude-sonnet-4-5": "anthropic", // Claude's tokenizer, whoever serves it
		"openrouter/openai/gpt-5":                "openrouter",
		"ollama/qwen2.5-coder:7b":                "ollama",
	} {
		tg, err := r.Resolve(ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", ref, err)
		}
		if tg.Family != want {
			t.Errorf("Resolve(%s).Family = %q, want %q", ref, tg.Family, want)
		}
	}
}

func TestMissingKeyNamesTheVariable(t *testing.T) {
	r := providers.New(providers.Options{Getenv: env{"DEEPSEEK_API_KEY": ""}.get})
	for ref, envName := range map[frugal.ModelRef]string{
		"deepseek/deepseek-chat":       "DEEPSEEK_API_KEY",
		"anthropic/claude-haiku-4-5":   "ANTHROPIC_API_KEY",
		"google/gemini-3.5-flash":      "GEMINI_API_KEY",
		"openrouter/deepseek/deepseek": "OPENROUTER_API_KEY",
	} {
		_, err := r.Resolve(ref)
		if frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("Resolve(%s) = %v, want EINVALID", ref, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "set "+envName) || strings.Contains(msg, "\n") {
			t.Errorf("Resolve(%s) error %q should be one line naming %s", ref, msg, envName)
		}
	}
}

func TestUnknownProvider(t *testing.T) {
	r := providers.New(providers.Options{})
	for _, ref := range []frugal.ModelRef{"nowhere-ai/wise-1", "sim/nowhere-ai/wise-1"} {
		_, err := r.Resolve(ref)
		if frugal.ErrorCode(err) != frugal.ENOTFOUND {
			t.Fatalf("Resolve(%s) = %v, want ENOTFOUND", ref, err)
		}
		if !strings.Contains(err.Error(), `"nowhere-ai"`) {
			t.Errorf("error %q does not name the provider", err)
		}
	}
	_, err := r.Resolve("nowhere-ai/wise-1")
	if !strings.Contains(err.Error(), "frugal.yaml") {
		t.Errorf("error %q does not point at frugal.yaml", err)
	}
	for _, ref := range []frugal.ModelRef{"no-slash", "sim/no-model", "/x", "deepseek/"} {
		if _, err := r.Resolve(ref); frugal.ErrorCode(err) != frugal.EINVALID {
			t.Errorf("Resolve(%q) = %v, want EINVALID", ref, err)
		}
	}
}

func TestConfigOverridesPresetsAndAddsProviders(t *testing.T) {
	const key = "sk-sim-secret-0123456789abcdef"
	tokenizer.Count("warm up") // loads the BPE ranks the sim counts with, before the timed calls
	srv := sim.New(sim.Options{APIKey: key})
	defer srv.Close()
	cfg := parseConfig(t, fmt.Sprintf(`
providers:
  deepseek:
    base_url: %[1]s/v1
    api_key_env: MY_DEEPSEEK_KEY
    headers: {X-Team: platform}
    timeout: 500ms
  acme:
    type: anthropic
    base_url: %[1]s
    api_key_env: ACME_KEY
  homelab:
    base_url: %[1]s/v1
`, srv.URL))
	r := providers.New(providers.Options{Config: cfg, Getenv: env{"MY_DEEPSEEK_KEY": key, "ACME_KEY": key, "DEEPSEEK_API_KEY": "ignored"}.get})

	ds, _ := r.Provider("deepseek")
	if ds.KeyEnv != "MY_DEEPSEEK_KEY" || !ds.KeySet || ds.Source != "preset+frugal.yaml" || ds.Timeout != 500*time.Millisecond || ds.Headers["X-Team"] != "platform" {
		t.Errorf("merged deepseek = %+v", ds)
	}
	acme, ok := r.Provider("acme")
	if !ok || acme.Type != config.TypeAnthropic || acme.Source != "frugal.yaml" || acme.Local {
		t.Errorf("acme = %+v", acme)
	}
	home, ok := r.Provider("homelab")
	if !ok || home.Type != config.TypeOpenAI || !home.Local || home.KeyEnv != "" {
		t.Errorf("homelab (no key env: runs without a key) = %+v", home)
	}

	ctx := context.Background()
	for _, tc := range []struct {
		ref      frugal.ModelRef
		endpoint string
	}{
		{"deepseek/deepseek-chat", "openai"},
		{"acme/claude-haiku-4-5", "anthropic"},
	} {
		tg, err := r.Resolve(tc.ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", tc.ref, err)
		}
		req := hello()
		req.Model = tg.Model
		resp, err := tg.Brain.Chat(ctx, req)
		if err != nil {
			t.Fatalf("%s: Chat: %v", tc.ref, err)
		}
		calls := srv.Calls()
		last := calls[len(calls)-1]
		if last.Status != 200 || last.Endpoint != tc.endpoint || last.Model != tg.Model || resp.Usage != last.Usage {
			t.Errorf("%s: sim saw %+v; response usage %+v", tc.ref, last, resp.Usage)
		}
		if tc.ref == "deepseek/deepseek-chat" && last.Header.Get("X-Team") != "platform" {
			t.Errorf("the frugal.yaml header was not sent: %v", last.Header)
		}
	}
	// A provider with no key env sends none: this sim wants one.
	tg, err := r.Resolve("homelab/llama-3")
	if err != nil {
		t.Fatalf("Resolve(homelab/llama-3): %v", err)
	}
	req := hello()
	req.Model = tg.Model
	_, err = tg.Brain.Chat(ctx, req)
	var pe *frugal.ProviderError
	if !errors.As(err, &pe) || pe.Status != 401 {
		t.Errorf("homelab without a key: %v, want HTTP 401", err)
	}

	// The timeout of frugal.yaml bounds each call.
	srv.Inject(sim.Fault{Kind: sim.FaultSlow, Delay: 5 * time.Second})
	tg, _ = r.Resolve("deepseek/deepseek-chat")
	req.Model = tg.Model
	start := time.Now()
	_, err = tg.Brain.Chat(ctx, req)
	if !errors.As(err, &pe) || !pe.Retryable || !strings.Contains(pe.Message, "timed out") {
		t.Errorf("slow call: %v, want a retryable timeout", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the 500ms timeout let the call run %s", d)
	}
}

func TestKeyNeverInErrors(t *testing.T) {
	const key = "sk-live-THIS-IS-THE-SECRET-1234567890"
	srv := sim.New(sim.Options{APIKey: "a-different-key-abcdefgh"})
	defer srv.Close()
	cfg := parseConfig(t, fmt.Sprintf(`
providers:
  openai: {base_url: %[1]s/v1}
  anthropic: {base_url: %[1]s}
  ollama: {base_url: %[1]s, api_key_env: OLLAMA_API_KEY}
`, srv.URL))
	e := env{"OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key, "OLLAMA_API_KEY": key}
	r := providers.New(providers.Options{Config: cfg, Getenv: e.get})
	var texts []string
	for _, ref := range []frugal.ModelRef{"openai/gpt-5-mini", "anthropic/claude-haiku-4-5", "ollama/qwen2.5-coder:7b"} {
		tg, err := r.Resolve(ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", ref, err)
		}
		req := hello()
		req.Model = tg.Model
		_, err = tg.Brain.Chat(context.Background(), req)
		var pe *frugal.ProviderError
		if !errors.As(err, &pe) || pe.Status != 401 {
			t.Errorf("%s with a wrong key: %v, want 401", ref, err)
		}
		texts = append(texts, fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", tg))
		_, err = tg.Brain.(frugal.Streamer).Stream(context.Background(), req, func(frugal.Delta) error { return nil })
		texts = append(texts, fmt.Sprint(err))
	}
	for name, res := range r.CheckAll(context.Background()) {
		texts = append(texts, fmt.Sprintf("%s %+v", name, res))
	}
	texts = append(texts, fmt.Sprintf("%+v %#v", r.Providers(), r.Providers()))
	// A missing key's error names the variable, never another key.
	_, err := providers.New(providers.Options{Getenv: env{"OPENAI_API_KEY": key}.get}).Resolve("anthropic/claude-haiku-4-5")
	texts = append(texts, err.Error())
	for _, s := range texts {
		if strings.Contains(s, key) || strings.Contains(s, "THIS-IS-THE-SECRET") {
			t.Fatalf("the key leaked: %s", s)
		}
	}
}

func TestSimRouting(t *testing.T) {
	srv := sim.New(sim.Options{})
	defer srv.Close()
	var started atomic.Int32
	r := providers.New(providers.Options{Sim: func() (string, error) {
		started.Add(1)
		return srv.URL, nil
	}})
	ctx := context.Background()
	for _, tc := range []struct {
		ref      frugal.ModelRef
		endpoint string
		family   string
	}{
		{"sim/openai/gpt-5-mini", "openai", "openai"},
		{"sim/anthropic/claude-haiku-4-5", "anthropic", "anthropic"},
		{"sim/ollama/qwen2.5-coder:7b", "ollama", "ollama"},
		{"sim/deepseek/deepseek-chat", "openai", "deepseek"},
		{"sim/openai/gpt-5-nano", "openai", "openai"},
	} {
		tg, err := r.Resolve(tc.ref)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", tc.ref, err)
		}
		_, name, _ := strings.Cut(string(tc.ref), "/")
		_, model, _ := strings.Cut(name, "/")
		if tg.Provider != providers.SimProvider || tg.Model != model || tg.Family != tc.family {
			t.Errorf("Resolve(%s) = provider %q model %q family %q", tc.ref, tg.Provider, tg.Model, tg.Family)
		}
		req := hello()
		req.Model = tg.Model
		if _, err := tg.Brain.Chat(ctx, req); err != nil {
			t.Fatalf("%s: %v", tc.ref, err)
		}
		calls := srv.Calls()
		if last := calls[len(calls)-1]; last.Endpoint != tc.endpoint || last.Model != model || last.Status != 200 {
			t.Errorf("%s reached the sim as %s/%s (%d)", tc.ref, last.Endpoint, last.Model, last.Status)
		}
	}
	if n := started.Load(); n != 4 {
		// One client per wire format and provider (openai twice shares one).
		t.Errorf("Sim() called %d times, want 4", n)
	}
	// Keys and frugal.yaml's base URLs never apply to the sim.
	cfg := parseConfig(t, "providers:\n  anthropic: {base_url: http://127.0.0.1:1}\n")
	r2 := providers.New(providers.Options{Config: cfg, Sim: func() (string, error) { return srv.URL, nil }})
	tg, err := r2.Resolve("sim/anthropic/claude-haiku-4-5")
	if err != nil {
		t.Fatalf("sim without ANTHROPIC_API_KEY: %v", err)
	}
	req := hello()
	req.Model = tg.Model
	if _, err := tg.Brain.Chat(ctx, req); err != nil {
		t.Errorf("sim/anthropic with a frugal.yaml base_url: %v", err)
	}
	if _, err := providers.New(providers.Options{}).Resolve("sim/openai/gpt-5"); frugal.ErrorCode(err) != frugal.EUNAVAILABLE {
		t.Errorf("no simulator: %v, want EUNAVAILABLE", err)
	}
}

func TestCheck(t *testing.T) {
	srv := sim.New(sim.Options{})
	defer srv.Close()
	locked := sim.New(sim.Options{APIKey: "the-right-key-123456"})
	defer locked.Close()
	down := closedURL(t)
	cfg := parseConfig(t, fmt.Sprintf(`
providers:
  up-openai: {base_url: %[1]s/v1}
  up-anthropic: {type: anthropic, base_url: %[1]s, api_key_env: UP_KEY}
  up-ollama: {type: ollama, base_url: %[1]s}
  down: {base_url: %[2]s/v1}
  locked: {base_url: %[3]s/v1, api_key_env: LOCKED_KEY}
`, srv.URL, down, locked.URL))
	r := providers.New(providers.Options{Config: cfg, Getenv: env{"UP_KEY": "k", "LOCKED_KEY": "wrong-key-0987654321"}.get})
	start := time.Now()
	res := r.CheckAll(context.Background())
	if d := time.Since(start); d > providers.DefaultCheckTimeout+2*time.Second {
		t.Errorf("CheckAll took %s", d)
	}
	for name, want := range map[string]string{
		"up-openai":    providers.StatusReachable,
		"up-anthropic": providers.StatusReachable,
		"up-ollama":    providers.StatusReachable,
		"down":         providers.StatusUnreachable,
		"locked":       providers.StatusUnauthorized,
		"anthropic":    providers.StatusSkipped, // ANTHROPIC_API_KEY is not set
		"deepseek":     providers.StatusSkipped,
	} {
		got := res[name]
		if got.Status != want || got.OK != (want == providers.StatusReachable) {
			t.Errorf("check %s = %+v, want %s", name, got, want)
		}
		if want != providers.StatusReachable && got.Error == "" {
			t.Errorf("check %s: no error text", name)
		}
	}
	if !strings.Contains(res["locked"].Error, "LOCKED_KEY") || strings.Contains(res["locked"].Error, "wrong-key") {
		t.Errorf("unauthorized error %q should name LOCKED_KEY and never show the key", res["locked"].Error)
	}
	if !strings.Contains(res["anthropic"].Error, "ANTHROPIC_API_KEY") {
		t.Errorf("skipped error %q should name the variable", res["anthropic"].Error)
	}
	by := srv.Requests().ByEndpoint
	if by["models"] != 3 {
		t.Errorf("the sim saw %d model-list requests, want 3 (openai, anthropic, ollama)", by["models"])
	}
	if r.Check(context.Background(), "no-such").Status != providers.StatusError {
		t.Error("checking an unknown provider should be an error")
	}
}

// Ollama's native API is asked for the model's context window as num_ctx,
// one client per model: otherwise it cuts longer prompts silently.
func TestOllamaAskedForTheContextWindow(t *testing.T) {
	srv := sim.New(sim.Options{})
	defer srv.Close()
	cfg, err := config.Parse("frugal.yaml", []byte("providers:\n  ollama:\n    base_url: "+srv.URL+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	windows := map[frugal.ModelRef]int64{"ollama/small": 4096, "ollama/big": 32768}
	r := providers.New(providers.Options{Config: cfg, ContextWindow: func(ref frugal.ModelRef) int64 { return windows[ref] }})
	for ref, want := range windows {
		tg, err := r.Resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tg.Brain.Chat(context.Background(), frugal.Request{Model: tg.Model, MaxOutput: 16, Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "hi"}}}); err != nil {
			t.Fatal(err)
		}
		calls := srv.Calls()
		body := string(calls[len(calls)-1].Body)
		if !strings.Contains(body, fmt.Sprintf(`"num_ctx":%d`, want)) {
			t.Errorf("%s: request %s lacks num_ctx %d", ref, body, want)
		}
	}
}
