// Package providers turns "provider/model" references into adapters: it
// holds the built-in presets (base URL, key env var, wire format, quirks),
// merges the user's frugal.yaml over them, reads keys from the environment
// and routes "sim/…" models to the in-process simulator. It is the only
// package besides cmd/frugal that knows every adapter.
package providers

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/brains"
	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/ollama"
	"github.com/frugal-dev/frugal/openai"
)

// SimProvider is the provider name of simulated models: "sim/<provider>/<model>"
// is served by the in-process sim with the wire format of <provider>.
const SimProvider = "sim"

// Provider is one configured provider after presets and frugal.yaml are
// merged.
type Provider struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"` // config.TypeOpenAI, TypeAnthropic or TypeOllama
	BaseURL   string            `json:"base_url"`
	KeyEnv    string            `json:"api_key_env,omitempty"`
	KeySet    bool              `json:"api_key_set"`
	Headers   map[string]string `json:"headers,omitempty"`
	Timeout   time.Duration     `json:"-"`
	Local     bool              `json:"local"`  // runs without a key
	Source    string            `json:"source"` // "preset", "frugal.yaml" or both
	quirks    openai.Quirks
	hasQuirks bool
}

// Options configure a Registry.
type Options struct {
	Config *config.Config      // nil: presets only
	Getenv func(string) string // nil: no keys at all
	// Sim returns the base URL of the in-process sim server, starting it
	// on first use; nil: sim models are unavailable.
	Sim func() (string, error)
	// MinCacheableTokens feeds the Anthropic adapter's breakpoint
	// placement (the price catalog's value); nil: the adapter's default.
	MinCacheableTokens func(model string) int64
	CountTokens        func(string) int
	HTTPClient         *http.Client
	// KeepAlive is passed to Ollama's native API.
	KeepAlive time.Duration
	// ContextWindow returns a model's context window (the price
	// catalog's); Ollama's native API is asked for that num_ctx, since
	// Ollama otherwise cuts longer prompts silently at its default. nil or
	// 0: the server's default.
	ContextWindow func(ref frugal.ModelRef) int64
}

// Registry resolves model references. It is safe for concurrent use and
// builds each provider's client once.
type Registry struct {
	o         Options
	providers map[string]Provider
	mu        sync.Mutex
	clients   map[string]frugal.Brain
}

var _ brains.Resolver = (*Registry)(nil)

// New merges the presets with o.Config.
func New(o Options) *Registry {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	r := &Registry{o: o, providers: map[string]Provider{}, clients: map[string]frugal.Brain{}}
	for _, p := range presets() {
		r.providers[p.Name] = p
	}
	if o.Config != nil {
		for name, cp := range o.Config.Providers {
			p, ok := r.providers[name]
			if ok {
				p.Source = "preset+frugal.yaml"
			} else {
				// A provider of frugal.yaml alone needs a key only when it
				// names the variable that holds one.
				p = Provider{Name: name, Type: config.TypeOpenAI, Source: "frugal.yaml", Local: cp.APIKeyEnv == ""}
			}
			if cp.Type != "" {
				p.Type = cp.Type
			}
			if cp.BaseURL != "" {
				p.BaseURL = cp.BaseURL
			}
			if cp.APIKeyEnv != "" {
				p.KeyEnv = cp.APIKeyEnv
				p.Local = false
			}
			if cp.Timeout > 0 {
				p.Timeout = cp.Timeout
			}
			if len(cp.Headers) > 0 {
				h := map[string]string{}
				for k, v := range p.Headers {
					h[k] = v
				}
				for k, v := range cp.Headers {
					h[k] = v
				}
				p.Headers = h
			}
			r.providers[name] = p
		}
	}
	for name, p := range r.providers {
		p.KeySet = p.KeyEnv != "" && o.Getenv(p.KeyEnv) != ""
		r.providers[name] = p
	}
	return r
}

// Providers lists the configured providers by name.
func (r *Registry) Providers() []Provider {
	out := make([]Provider, 0, len(r.providers))
	for _, p := range r.providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Provider returns one configured provider.
func (r *Registry) Provider(name string) (Provider, bool) {
	p, ok := r.providers[name]
	return p, ok
}

// Resolve returns the adapter for ref. Errors name the fix: an unknown
// provider (ENOTFOUND), a key env var that is not set (EINVALID).
func (r *Registry) Resolve(ref frugal.ModelRef) (brains.Target, error) {
	prov, name, ok := ref.Split()
	if !ok {
		return brains.Target{}, frugal.Errorf(frugal.EINVALID, "model %q: want provider/model, e.g. deepseek/deepseek-v4-flash", ref)
	}
	if prov == SimProvider {
		return r.resolveSim(ref, name)
	}
	p, ok := r.providers[prov]
	if !ok {
		return brains.Target{}, frugal.Errorf(frugal.ENOTFOUND, "model %s: unknown provider %q: configure it under providers: in frugal.yaml (known: %s)", ref, prov, strings.Join(r.names(), ", "))
	}
	key, numCtx := r.perModel(p, ref)
	b, err := r.client(key, func() (frugal.Brain, error) { return r.build(p, p.BaseURL, numCtx) })
	if err != nil {
		return brains.Target{}, err
	}
	return brains.Target{Brain: b, Model: name, Provider: p.Name, Family: family(p, name), BaseURL: p.BaseURL}, nil
}

// perModel returns the client cache key of ref on p, and the num_ctx to
// ask of Ollama: its clients are per model, because the window is.
func (r *Registry) perModel(p Provider, ref frugal.ModelRef) (key string, numCtx int) {
	if p.Type != config.TypeOllama || r.o.ContextWindow == nil {
		return p.Name, 0
	}
	w := r.o.ContextWindow(ref)
	if w <= 0 {
		return p.Name, 0
	}
	return p.Name + "/" + string(ref), int(w)
}

// resolveSim routes sim/<provider>/<model> to the simulator with the wire
// format of <provider>.
func (r *Registry) resolveSim(ref frugal.ModelRef, rest string) (brains.Target, error) {
	inner, model, ok := frugal.ModelRef(rest).Split()
	if !ok {
		return brains.Target{}, frugal.Errorf(frugal.EINVALID, "model %q: simulated models are sim/<provider>/<model>, e.g. sim/anthropic/claude-sonnet-4-5", ref)
	}
	p, ok := r.providers[inner]
	if !ok {
		return brains.Target{}, frugal.Errorf(frugal.ENOTFOUND, "model %s: unknown provider %q: the simulator speaks the wire format of a configured provider (known: %s)", ref, inner, strings.Join(r.names(), ", "))
	}
	if r.o.Sim == nil {
		return brains.Target{}, frugal.Errorf(frugal.EUNAVAILABLE, "model %s: the simulator is not available here", ref)
	}
	b, err := r.client(SimProvider+"/"+inner, func() (frugal.Brain, error) {
		base, err := r.o.Sim()
		if err != nil {
			return nil, fmt.Errorf("start the simulator: %w", err)
		}
		sp := p
		sp.Name = SimProvider
		sp.KeyEnv, sp.Local, sp.Headers = "", true, nil
		if sp.Type == config.TypeOpenAI {
			base += "/v1"
		}
		return r.build(sp, base, 0)
	})
	if err != nil {
		return brains.Target{}, err
	}
	return brains.Target{Brain: b, Model: model, Provider: SimProvider, Family: family(p, model), BaseURL: "the in-process simulator"}, nil
}

func (r *Registry) client(key string, build func() (frugal.Brain, error)) (frugal.Brain, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.clients[key]; ok {
		return b, nil
	}
	b, err := build()
	if err != nil {
		return nil, err
	}
	r.clients[key] = b
	return b, nil
}

// build makes the adapter of provider p talking to base.
func (r *Registry) build(p Provider, base string, numCtx int) (frugal.Brain, error) {
	var key frugal.Secret
	if p.KeyEnv != "" {
		if v := r.o.Getenv(p.KeyEnv); v != "" {
			key = frugal.NewSecret(v)
		} else if !p.Local {
			return nil, frugal.Errorf(frugal.EINVALID, "provider %s: set %s to its API key (or set providers.%s.api_key_env in frugal.yaml)", p.Name, p.KeyEnv, p.Name)
		}
	}
	if base == "" {
		return nil, frugal.Errorf(frugal.EINVALID, "provider %s: no base_url: set providers.%s.base_url in frugal.yaml", p.Name, p.Name)
	}
	switch p.Type {
	case config.TypeAnthropic:
		return anthropic.New(anthropic.Options{
			BaseURL: base, APIKey: key, Headers: p.Headers, HTTPClient: r.o.HTTPClient, Timeout: p.Timeout,
			Provider: p.Name, MinCacheableTokens: r.o.MinCacheableTokens, CountTokens: r.o.CountTokens,
		}), nil
	case config.TypeOllama:
		return ollama.New(ollama.Options{
			BaseURL: base, APIKey: key, Headers: p.Headers, HTTPClient: r.o.HTTPClient, Timeout: p.Timeout,
			Provider: p.Name, KeepAlive: r.o.KeepAlive, NumCtx: numCtx,
		}), nil
	case config.TypeOpenAI, "":
		q := p.quirks
		if !p.hasQuirks {
			q.KeyOptional = p.Local
		}
		return openai.New(openai.Options{
			BaseURL: base, APIKey: key, Headers: p.Headers, HTTPClient: r.o.HTTPClient, Timeout: p.Timeout,
			Provider: p.Name, Quirks: q,
		}), nil
	}
	return nil, frugal.Errorf(frugal.EINVALID, "provider %s: unknown type %q (want openai, anthropic or ollama)", p.Name, p.Type)
}

func (r *Registry) names() []string {
	names := make([]string, 0, len(r.providers))
	for n := range r.providers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// family is the tokenizer family of model served by p, for input
// estimates. A Claude model reached through an aggregator (OpenRouter, a
// proxy) still counts with Claude's tokenizer, whose margin is the widest;
// only OpenAI itself gets o200k's narrow margin, since other servers of
// GPT-named models may frame requests differently.
func family(p Provider, model string) string {
	switch {
	case p.Type == config.TypeAnthropic, strings.Contains(strings.ToLower(model), "claude"):
		return "anthropic"
	case p.Name == "openai":
		return "openai"
	}
	return p.Name
}

// presets are the built-in providers: the OpenAI-compatible presets of
// package openai, plus Anthropic, Ollama's native API and Gemini's
// OpenAI-compatible endpoint.
func presets() []Provider {
	var ps []Provider
	for _, op := range openai.Presets() {
		ps = append(ps, Provider{Name: op.Name, Type: config.TypeOpenAI, BaseURL: op.BaseURL, KeyEnv: op.KeyEnv,
			Local: op.Quirks.KeyOptional, Source: "preset", quirks: op.Quirks, hasQuirks: true})
	}
	ps = append(ps,
		Provider{Name: "anthropic", Type: config.TypeAnthropic, BaseURL: anthropic.DefaultBaseURL, KeyEnv: "ANTHROPIC_API_KEY", Source: "preset"},
		Provider{Name: "ollama", Type: config.TypeOllama, BaseURL: ollama.DefaultBaseURL, Local: true, Source: "preset"},
		Provider{Name: "google", Type: config.TypeOpenAI, BaseURL: "https://generativelanguage.googleapis.com/v1beta/openai", KeyEnv: "GEMINI_API_KEY", Source: "preset"},
	)
	return ps
}
