package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/openai"
	"github.com/frugal-dev/frugal/sim"
)

type modelsOut struct {
	Providers []struct {
		Name    string   `json:"name"`
		Type    string   `json:"type"`
		BaseURL string   `json:"base_url"`
		KeyEnv  string   `json:"api_key_env"`
		KeySet  bool     `json:"api_key_set"`
		Local   bool     `json:"local"`
		Source  string   `json:"source"`
		Models  []string `json:"models"`
		Check   *struct {
			OK         bool   `json:"ok"`
			Status     string `json:"status"`
			HTTPStatus int    `json:"http_status"`
			Error      string `json:"error"`
		} `json:"check"`
	} `json:"providers"`
}

func decodeModels(t *testing.T, stdout string) modelsOut {
	t.Helper()
	var out modelsOut
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	return out
}

// noKeys clears every preset's key variable so that no test pings a real
// provider or depends on the machine's environment.
func noKeys(t *testing.T) {
	for _, p := range openai.Presets() {
		if p.KeyEnv != "" {
			t.Setenv(p.KeyEnv, "")
		}
	}
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
}

func TestModelsListsPresets(t *testing.T) {
	noKeys(t)
	t.Setenv("DEEPSEEK_API_KEY", "sk-deepseek-secret-value-1234")
	home := t.TempDir()
	code, stdout, stderr := cliStdin(t, "", "--home", home, "models", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "deepseek-secret") {
		t.Fatal("the key was printed")
	}
	out := decodeModels(t, stdout)
	var names []string
	for _, p := range out.Providers {
		names = append(names, p.Name)
		if p.Check != nil {
			t.Errorf("%s: check without --check", p.Name)
		}
		for _, m := range p.Models {
			if !strings.HasPrefix(m, p.Name+"/") {
				t.Errorf("%s lists %s", p.Name, m)
			}
		}
		switch p.Name {
		case "deepseek":
			if p.Type != "openai" || p.BaseURL != "https://api.deepseek.com" || p.KeyEnv != "DEEPSEEK_API_KEY" || !p.KeySet || p.Local || p.Source != "preset" ||
				!slices.Contains(p.Models, "deepseek/deepseek-chat") || !slices.Contains(p.Models, "deepseek/deepseek-v4-flash") {
				t.Errorf("deepseek = %+v", p)
			}
		case "anthropic":
			if p.Type != "anthropic" || p.KeySet || !slices.Contains(p.Models, "anthropic/claude-haiku-4-5") {
				t.Errorf("anthropic = %+v", p)
			}
		case "ollama":
			if p.Type != "ollama" || !p.Local || p.KeyEnv != "" || !slices.Equal(p.Models, []string{"ollama/*"}) {
				t.Errorf("ollama = %+v", p)
			}
		}
	}
	for _, want := range []string{"anthropic", "deepseek", "google", "groq", "ollama", "openai", "openrouter", "together", "vllm", "llamacpp", "lmstudio", "ollama-openai"} {
		if !slices.Contains(names, want) {
			t.Errorf("preset %s missing from %v", want, names)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("providers not sorted: %v", names)
	}

	code, stdout, _ = cliStdin(t, "", "--home", home, "models")
	if code != 0 || !strings.Contains(stdout, "PROVIDER") || !strings.Contains(stdout, "DEEPSEEK_API_KEY (set)") ||
		!strings.Contains(stdout, "ANTHROPIC_API_KEY (NOT SET)") || !strings.Contains(stdout, "sim/<provider>/<model>") {
		t.Errorf("table:\n%s", stdout)
	}
	if code, _, stderr := cliStdin(t, "", "--home", home, "models", "extra"); code != exitInvalid || !strings.Contains(stderr, "takes no arguments") {
		t.Errorf("models extra: exit %d, %s", code, stderr)
	}
}

func TestModelsCheck(t *testing.T) {
	noKeys(t)
	const key = "sk-simlab-secret-key-0987654321"
	srv := sim.New(sim.Options{APIKey: key})
	defer srv.Close()
	home := t.TempDir()
	down := "http://" + closedAddr(t)
	if err := os.WriteFile(filepath.Join(home, "frugal.yaml"), []byte(fmt.Sprintf(`
providers:
  simlab:
    base_url: %[1]s/v1
    api_key_env: SIMLAB_KEY
    models:
      fast-1: {input: 0.5, output: 1}
  simlab-anthropic:
    type: anthropic
    base_url: %[1]s
    api_key_env: SIMLAB_KEY
  simlab-wrong:
    base_url: %[1]s/v1
    api_key_env: SIMLAB_WRONG_KEY
  downlab:
    base_url: %[2]s/v1
  deepseek:
    base_url: %[1]s
`, srv.URL, down)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SIMLAB_KEY", key)
	t.Setenv("SIMLAB_WRONG_KEY", "not-the-key-1234567")
	code, stdout, stderr := cliStdin(t, "", "--home", home, "models", "--json", "--check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, key) || strings.Contains(stdout, "not-the-key") {
		t.Fatal("a key was printed")
	}
	out := decodeModels(t, stdout)
	got := map[string]string{}
	for _, p := range out.Providers {
		if p.Check == nil {
			t.Errorf("%s: no check", p.Name)
			continue
		}
		got[p.Name] = p.Check.Status
		if p.Check.OK != (p.Check.Status == "reachable") {
			t.Errorf("%s: %+v", p.Name, p.Check)
		}
		switch p.Name {
		case "simlab":
			if p.Source != "frugal.yaml" || !p.KeySet || !slices.Equal(p.Models, []string{"simlab/fast-1"}) || p.Check.HTTPStatus != 200 {
				t.Errorf("simlab = %+v", p)
			}
		case "downlab":
			if !p.Local || !strings.Contains(p.Check.Error, "connection refused") {
				t.Errorf("downlab = %+v %+v", p, p.Check)
			}
		case "deepseek":
			if p.Source != "preset+frugal.yaml" || p.BaseURL != srv.URL {
				t.Errorf("deepseek = %+v", p)
			}
		}
	}
	for name, want := range map[string]string{
		"simlab": "reachable", "simlab-anthropic": "reachable", "simlab-wrong": "unauthorized",
		"downlab": "unreachable", "deepseek": "skipped", "anthropic": "skipped", "openai": "skipped",
	} {
		if got[name] != want {
			t.Errorf("check %s = %q, want %q", name, got[name], want)
		}
	}
	if n := srv.Requests().ByEndpoint["models"]; n != 3 {
		t.Errorf("the sim saw %d pings, want 3", n)
	}

	code, stdout, _ = cliStdin(t, "", "--home", home, "models", "--check")
	if code != 0 || !strings.Contains(stdout, "CHECK") || !strings.Contains(stdout, "unauthorized: HTTP 401") || !strings.Contains(stdout, "skipped: DEEPSEEK_API_KEY is not set") {
		t.Errorf("table:\n%s", stdout)
	}
}
