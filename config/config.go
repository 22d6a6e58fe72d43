// Package config owns frugal's two file formats: agent files (one agent's
// goal, workspace, caps, brains, gates and limits) and frugal.yaml
// (providers, defaults, global caps). It decodes them through the YAML
// syntax tree so that every problem is reported with its file, line and
// field, and it rejects unknown keys, inexact money and literal API keys.
package config

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// Wire formats a provider may speak.
const (
	TypeOpenAI    = "openai"    // OpenAI-compatible Chat Completions
	TypeAnthropic = "anthropic" // Anthropic Messages
	TypeOllama    = "ollama"    // Ollama's native API
)

// DefaultLease is how long a hold lease lasts when frugal.yaml sets none.
const DefaultLease = 15 * time.Minute

// Config is a parsed frugal.yaml.
type Config struct {
	File      string              // the file read; "" for the built-in defaults
	Providers map[string]Provider // by provider name, e.g. "deepseek"; never nil
	Defaults  Defaults
	Budgets   []frugal.Budget // global and other caps that apply beside each agent's own
}

// Provider configures one provider: it overrides or extends the built-in
// preset of the same name, field by field (a zero field keeps the preset's).
type Provider struct {
	Type      string            // wire format: TypeOpenAI, TypeAnthropic or TypeOllama; "" keeps the preset's
	BaseURL   string            // e.g. "https://api.deepseek.com"; "" keeps the preset's
	APIKeyEnv string            // NAME of the environment variable that holds the key, never the key
	Headers   map[string]string // extra request headers (never credentials)
	Timeout   time.Duration     // per request; 0 keeps the preset's
	// Prices overrides the catalog's prices of this provider's models, by
	// the provider's own model name (without "provider/").
	Prices map[string]PriceOverride
}

// PriceOverride replaces some prices of one model. A nil rate keeps the
// catalog's; rates are exact, in USD per million tokens (frugal.Rate).
type PriceOverride struct {
	Input         *frugal.Rate
	CacheRead     *frugal.Rate
	CacheWrite5m  *frugal.Rate
	CacheWrite1h  *frugal.Rate
	Output        *frugal.Rate
	ContextWindow int64 // tokens; 0 keeps the catalog's
}

// Apply returns p with the override's set fields replacing its own. Long-
// context rates, when p has them, are left alone.
func (o PriceOverride) Apply(p frugal.Price) frugal.Price {
	for _, f := range []struct {
		src *frugal.Rate
		dst *frugal.Rate
	}{
		{o.Input, &p.Input}, {o.CacheRead, &p.CacheRead}, {o.CacheWrite5m, &p.CacheWrite5m},
		{o.CacheWrite1h, &p.CacheWrite1h}, {o.Output, &p.Output},
	} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if o.ContextWindow > 0 {
		p.ContextWindow = o.ContextWindow
	}
	return p
}

// Defaults apply where a caller or an agent gives no value.
type Defaults struct {
	MaxOutput int64         // output tokens of a call that sets none
	Lease     time.Duration // lifetime of a hold lease
}

// Default returns the configuration in force when there is no frugal.yaml.
func Default() *Config {
	return &Config{
		Providers: map[string]Provider{},
		Defaults:  Defaults{MaxOutput: frugal.DefaultLimits.MaxOutput, Lease: DefaultLease},
	}
}

// Load reads frugal.yaml at path. A missing file is not an error: it
// yields Default(). Problems in the file are EINVALID with a *Problems
// cause.
func Load(path string) (*Config, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	return LoadExisting(path)
}

// LoadExisting is Load for a path the user named (--config): a missing
// file is an error (ENOTFOUND).
func LoadExisting(path string) (*Config, error) {
	data, err := readFile(path, "config file")
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

var (
	configKeys   = []string{"providers", "defaults", "budgets"}
	providerKeys = []string{"type", "base_url", "api_key_env", "headers", "timeout", "models"}
	priceKeys    = []string{"input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "context_window"}
	defaultsKeys = []string{"max_output", "lease"}
	capKeys      = []string{"scope", "name", "window", "limit"}

	envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerRe  = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
)

// Parse decodes and validates frugal.yaml. filename is used in messages.
// An empty document yields Default(). The error is EINVALID and lists
// every problem (up to 20) with its line and field.
func Parse(filename string, data []byte) (*Config, error) {
	c := Default()
	c.File = filename
	if strings.TrimSpace(stripComments(data)) == "" {
		return c, nil
	}
	d := newDecoder(filename)
	d.config(data, c)
	if err := d.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// stripComments drops comment-only lines so that a file of comments
// counts as empty.
func stripComments(data []byte) string {
	var b strings.Builder
	for line := range strings.Lines(string(data)) {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			b.WriteString(line)
		}
	}
	return b.String()
}

func (d *decoder) config(data []byte, c *Config) {
	root := d.document(data)
	if root == nil {
		return
	}
	fields, ok := d.mapping(root, "", configKeys...)
	if !ok {
		return
	}
	if f, ok := fields["providers"]; ok && f.value != nil {
		if ps, ok := d.entries(f.value, "providers"); ok {
			for _, p := range ps {
				path := "providers." + p.key
				if !providerRe.MatchString(p.key) {
					d.errorf(p.keyAt, path, "%s is not a provider name (a-z, 0-9, . _ -)", quote(p.key))
					continue
				}
				if pr, ok := d.provider(p, path); ok {
					c.Providers[p.key] = pr
				}
			}
		}
	}
	if f, ok := fields["defaults"]; ok && f.value != nil {
		if m, ok := d.mapping(f.value, "defaults", defaultsKeys...); ok {
			if g, ok := m["max_output"]; ok {
				if v, ok := d.positiveInt(g, "defaults.max_output", maxOutputTokens); ok {
					c.Defaults.MaxOutput = v
				}
			}
			if g, ok := m["lease"]; ok {
				if v, ok := d.duration(g, "defaults.lease", 24*time.Hour); ok {
					c.Defaults.Lease = v
				}
			}
		}
	}
	if f, ok := fields["budgets"]; ok && f.value != nil {
		c.Budgets = d.caps(f)
	}
}

func (d *decoder) provider(p field, path string) (Provider, bool) {
	var pr Provider
	if p.value == nil {
		d.errorf(p.keyAt, path, "no value (give type, base_url, api_key_env, …, or leave the provider out)")
		return pr, false
	}
	allowed := append(slices.Clone(providerKeys), "api_key")
	m, ok := d.mapping(p.value, path, allowed...)
	if !ok {
		return pr, false
	}
	valid := true
	bad := func() { valid = false }
	if f, ok := m["api_key"]; ok {
		// Never echo the value: it is probably a secret.
		d.errorf(f.keyAt, path+".api_key", "a key does not belong in frugal.yaml: put it in an environment variable and name that variable in api_key_env (e.g. api_key_env: %s_API_KEY)", envStem(p.key))
		bad()
	}
	if f, ok := m["type"]; ok {
		if s, ok := d.nonEmpty(f, path+".type"); !ok {
			bad()
		} else if s != TypeOpenAI && s != TypeAnthropic && s != TypeOllama {
			d.errorf(f.at(), path+".type", "%s is not a wire format (want openai, anthropic or ollama)", quote(s))
			bad()
		} else {
			pr.Type = s
		}
	}
	if f, ok := m["base_url"]; ok {
		if s, ok := d.nonEmpty(f, path+".base_url"); !ok {
			bad()
		} else if u, err := url.Parse(s); strings.Contains(s, "@") || (err == nil && u.User != nil) {
			// Never echo it: the part before @ is likely a secret.
			d.errorf(f.at(), path+".base_url", "credentials in the URL do not belong in frugal.yaml; use api_key_env")
			bad()
		} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.errorf(f.at(), path+".base_url", "%s is not an http(s) URL", quote(s))
			bad()
		} else {
			pr.BaseURL = strings.TrimRight(s, "/")
		}
	}
	if f, ok := m["api_key_env"]; ok {
		if s, ok := d.nonEmpty(f, path+".api_key_env"); !ok {
			bad()
		} else if msg := checkEnvName(s, p.key); msg != "" {
			d.errorf(f.at(), path+".api_key_env", "%s", msg)
			bad()
		} else {
			pr.APIKeyEnv = s
		}
	}
	if f, ok := m["headers"]; ok {
		if h, ok := d.headers(f, path+".headers"); ok {
			pr.Headers = h
		} else {
			bad()
		}
	}
	if f, ok := m["timeout"]; ok {
		if v, ok := d.duration(f, path+".timeout", time.Hour); ok {
			pr.Timeout = v
		} else {
			bad()
		}
	}
	if f, ok := m["models"]; ok {
		if prices, ok := d.prices(f, path+".models"); ok {
			pr.Prices = prices
		} else {
			bad()
		}
	}
	return pr, valid
}

// checkEnvName returns why s is not the name of an environment variable,
// or "". The message never repeats s: it may be a key pasted in the wrong
// place.
func checkEnvName(s, provider string) string {
	hint := "put the key in an environment variable and write its name here (e.g. api_key_env: " + envStem(provider) + "_API_KEY)"
	if looksLikeKey(s) {
		return "this looks like an API key, not the name of an environment variable: " + hint
	}
	if strings.HasPrefix(s, "$") {
		return "write the variable's name without $ or braces (e.g. " + envStem(provider) + "_API_KEY)"
	}
	if !envNameRe.MatchString(s) || len(s) > 128 {
		return "not an environment variable name (letters, digits and _): " + hint
	}
	return ""
}

// looksLikeKey spots a pasted credential: a known key prefix, or a long
// mixed-case or lowercase token with digits, which env var names are not.
func looksLikeKey(s string) bool {
	for _, p := range []string{"sk-", "sk_", "gsk_", "xai-", "hf_", "r8_", "pk-", "AIza", "ghp_", "github_pat_", "eyJ"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if len(s) < 20 {
		return false
	}
	var lower, digit bool
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		}
	}
	return lower && digit
}

// envStem turns a provider name into the stem of an env var name.
func envStem(provider string) string {
	s := strings.ToUpper(provider)
	return strings.Map(func(r rune) rune {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// credentialHeaders carry secrets; they are set from api_key_env by the
// adapters, never from frugal.yaml.
var credentialHeaders = []string{"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"}

func (d *decoder) headers(f field, path string) (map[string]string, bool) {
	if f.value == nil {
		d.errorf(f.keyAt, path, "no value")
		return nil, false
	}
	hs, ok := d.entries(f.value, path)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(hs))
	valid := true
	for _, h := range hs {
		hp := path + "." + h.key
		if !headerRe.MatchString(h.key) {
			d.errorf(h.keyAt, hp, "%s is not a header name", quote(h.key))
			valid = false
			continue
		}
		if slices.Contains(credentialHeaders, strings.ToLower(h.key)) {
			d.errorf(h.keyAt, hp, "credentials do not belong in frugal.yaml: put the key in an environment variable and name it in api_key_env")
			valid = false
			continue
		}
		v, ok := d.str(h, hp)
		if !ok {
			valid = false
			continue
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			d.errorf(h.at(), hp, "a header value is one line")
			valid = false
			continue
		}
		out[h.key] = v
	}
	return out, valid
}

func (d *decoder) prices(f field, path string) (map[string]PriceOverride, bool) {
	if f.value == nil {
		d.errorf(f.keyAt, path, "no value")
		return nil, false
	}
	models, ok := d.entries(f.value, path)
	if !ok {
		return nil, false
	}
	out := make(map[string]PriceOverride, len(models))
	valid := true
	for _, mdl := range models {
		mp := path + "." + mdl.key
		if strings.ContainsAny(mdl.key, " \t\r\n") {
			d.errorf(mdl.keyAt, mp, "a model name has no spaces")
			valid = false
			continue
		}
		if mdl.value == nil {
			d.errorf(mdl.keyAt, mp, "no value (give e.g. { input: 0.14, output: 0.28 } in USD per million tokens)")
			valid = false
			continue
		}
		m, ok := d.mapping(mdl.value, mp, priceKeys...)
		if !ok {
			valid = false
			continue
		}
		var o PriceOverride
		rates := map[string]**frugal.Rate{
			"input": &o.Input, "output": &o.Output, "cache_read": &o.CacheRead,
			"cache_write_5m": &o.CacheWrite5m, "cache_write_1h": &o.CacheWrite1h,
		}
		ok = true
		for _, k := range priceKeys {
			g, present := m[k]
			if !present {
				continue
			}
			if k == "context_window" {
				v, good := d.positiveInt(g, mp+"."+k, maxContextTokens*10)
				o.ContextWindow = v
				ok = ok && good
				continue
			}
			r, good := d.rate(g, mp+"."+k)
			if good {
				*rates[k] = &r
			}
			ok = ok && good
		}
		if len(m) == 0 {
			d.errorf(mdl.value, mp, "no prices (give e.g. { input: 0.14, output: 0.28 } in USD per million tokens)")
			ok = false
		}
		if ok {
			out[mdl.key] = o
		}
		valid = valid && ok
	}
	return out, valid
}

// caps decodes the budgets list.
func (d *decoder) caps(f field) []frugal.Budget {
	items, ok := d.sequence(f.value, "budgets", false)
	if !ok {
		return nil
	}
	var out []frugal.Budget
	for i, it := range items {
		path := index("budgets", i)
		m, ok := d.mapping(it, path, capKeys...)
		if !ok {
			continue
		}
		var b frugal.Budget
		valid := true
		for _, k := range []string{"scope", "window", "limit"} {
			if _, ok := m[k]; !ok {
				d.errorf(it, path+"."+k, "missing")
				valid = false
			}
		}
		if g, ok := m["scope"]; ok {
			s, good := d.nonEmpty(g, path+".scope")
			b.Scope = frugal.Scope(s)
			if good && !b.Scope.Valid() {
				d.errorf(g.at(), path+".scope", "%s is not a scope (want global, agent, run or key)", quote(s))
				good = false
			}
			valid = valid && good
		}
		if g, ok := m["window"]; ok {
			s, good := d.nonEmpty(g, path+".window")
			b.Window = frugal.Window(s)
			if good && !b.Window.Valid() {
				d.errorf(g.at(), path+".window", "%s is not a window (want run, day, week, month or total)", quote(s))
				good = false
			}
			valid = valid && good
		}
		if g, ok := m["name"]; ok {
			s, good := d.nonEmpty(g, path+".name")
			b.Name = s
			valid = valid && good
		}
		if g, ok := m["limit"]; ok {
			v, good := d.money(g, path+".limit")
			b.Limit = v
			valid = valid && good
		}
		if !valid {
			continue
		}
		if err := b.Validate(); err != nil {
			d.errorf(it, path, "%s", strings.TrimPrefix(err.Error(), "budget: "))
			continue
		}
		if slices.ContainsFunc(out, func(o frugal.Budget) bool {
			return o.Scope == b.Scope && o.Name == b.Name && o.Window == b.Window
		}) {
			d.errorf(it, path, "a second cap for scope %s%s, window %s; give each one limit", b.Scope, map[bool]string{true: "", false: " " + quote(b.Name)}[b.Name == ""], b.Window)
			continue
		}
		out = append(out, b)
	}
	return out
}
