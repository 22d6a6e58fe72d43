// Package pricing owns the price catalog: what each model costs per token
// kind and how its prompt cache behaves, from an embedded data file merged
// with the user's $FRUGAL_HOME/prices.yaml. It resolves a model name, a
// provider wildcard (ollama/*) or a simulated model (sim/…) to a
// frugal.Price; the arithmetic itself is frugal.Price.Cost.
package pricing

import (
	_ "embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/frugal-dev/frugal"
)

//go:embed catalog.yaml
var embedded []byte

// EmbeddedName is the file name errors give for the built-in catalog.
const EmbeddedName = "pricing/catalog.yaml"

// OverrideFile is the name of the user's price file inside FRUGAL_HOME.
const OverrideFile = "prices.yaml"

// SimPrefix starts the name of a simulated model: "sim/anthropic/x" is
// priced as "anthropic/x".
const SimPrefix = "sim/"

// Catalog maps model names to prices. It is immutable once built and safe
// for concurrent use.
type Catalog struct {
	date   string                  // YYYY-MM-DD the prices were checked; "" if the file gave none
	prices map[string]frugal.Price // by model name, wildcards ("ollama/*") included
}

// Default returns the embedded catalog alone.
func Default() (*Catalog, error) {
	return Parse(EmbeddedName, embedded)
}

// Load returns the embedded catalog merged with home/prices.yaml when that
// file exists (see Merge). A missing home directory or file is fine; a file
// that cannot be read or parsed is an EINVALID error naming it.
func Load(home string) (*Catalog, error) {
	c, err := Default()
	if err != nil {
		return nil, err
	}
	if home == "" {
		return c, nil
	}
	path := filepath.Join(home, OverrideFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "price overrides: %w", err)
	}
	over, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	return c.Merge(over.withProvenance(path)), nil
}

// withProvenance gives every entry without a source note one that names
// the file, so that `frugal prices` shows where an override came from.
func (c *Catalog) withProvenance(path string) *Catalog {
	note := path
	if c.date != "" {
		note += ", dated " + c.date
	}
	out := &Catalog{date: c.date, prices: make(map[string]frugal.Price, len(c.prices))}
	for k, p := range c.prices {
		if p.Source == "" {
			p.Source = note
		}
		out.prices[k] = p
	}
	return out
}

// Merge returns a new catalog: c with every model of over added, an
// override entry replacing the whole entry of the same model (fields it
// omits are not taken from c). The date stays c's: it says when the
// built-in prices were checked, and an override file that prices a few
// models does not make the others any fresher. over may be nil.
func (c *Catalog) Merge(over *Catalog) *Catalog {
	out := &Catalog{date: c.date, prices: make(map[string]frugal.Price, len(c.prices))}
	for k, p := range c.prices {
		out.prices[k] = p
	}
	if over != nil {
		for k, p := range over.prices {
			out.prices[k] = p
		}
	}
	return out
}

// Date is the day the catalog's prices were checked, YYYY-MM-DD, or "" if
// its file gave no date.
func (c *Catalog) Date() string { return c.date }

// Models returns every entry, wildcards included, sorted by model name.
func (c *Catalog) Models() []frugal.Price {
	out := make([]frugal.Price, 0, len(c.prices))
	for _, p := range c.prices {
		out = append(out, clone(p))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Model < out[j].Model })
	return out
}

// Lookup returns the price of model ("provider/name"): the exact entry,
// else the provider's wildcard entry ("ollama/*") with Model set to the
// name asked for. "sim/provider/name" is priced as "provider/name", with
// Model the sim name and Source starting "simulated; priced as
// provider/name". An unknown model is an ENOTFOUND error, never a silent
// $0; a name that is not provider/name is EINVALID.
func (c *Catalog) Lookup(model string) (frugal.Price, error) {
	if real, ok := strings.CutPrefix(model, SimPrefix); ok {
		p, err := c.lookup(real)
		if err != nil {
			if frugal.ErrorCode(err) == frugal.ENOTFOUND {
				return frugal.Price{}, frugal.Errorf(frugal.ENOTFOUND, "unknown model %q: simulated %q is priced as %q, which is unknown: add it to $FRUGAL_HOME/prices.yaml (see frugal prices)", model, model, real)
			}
			return frugal.Price{}, err
		}
		p.Model = model
		p.Source = joinSource("simulated; priced as "+real, p.Source)
		return p, nil
	}
	return c.lookup(model)
}

func (c *Catalog) lookup(model string) (frugal.Price, error) {
	if p, ok := c.prices[model]; ok {
		return clone(p), nil
	}
	provider, name, ok := frugal.ModelRef(model).Split()
	if !ok {
		return frugal.Price{}, frugal.Errorf(frugal.EINVALID, "model %q: want provider/name, e.g. anthropic/claude-sonnet-4-5 or ollama/qwen2.5-coder:7b", model)
	}
	if name != "*" {
		if p, ok := c.prices[provider+"/*"]; ok {
			p = clone(p)
			p.Model = model
			p.Source = joinSource("matched "+provider+"/*", p.Source)
			return p, nil
		}
	}
	return frugal.Price{}, frugal.Errorf(frugal.ENOTFOUND, "unknown model %q: add it to $FRUGAL_HOME/prices.yaml (see frugal prices)", model)
}

func joinSource(head, tail string) string {
	if tail == "" {
		return head
	}
	return head + "; " + tail
}

// clone copies p so that callers cannot change the catalog through the
// LongContext pointer.
func clone(p frugal.Price) frugal.Price {
	if p.LongContext != nil {
		lc := *p.LongContext
		p.LongContext = &lc
	}
	return p
}

// With returns a catalog where each of prices replaces (or adds) the entry
// of its model; frugal.yaml's per-model overrides arrive this way.
func (c *Catalog) With(prices ...frugal.Price) *Catalog {
	out := c.Merge(nil)
	for _, p := range prices {
		out.prices[p.Model] = clone(p)
	}
	return out
}
