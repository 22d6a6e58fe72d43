package sim

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"
	"sync"
	"time"
)

// Cache is the sim's prompt cache: prefixes of rendered prompts, keyed by a
// hash of the cache family, the model, the cache key and the prefix tokens,
// each with its own TTL. It is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[[sha256.Size]byte]*cacheEntry
	inserts int
}

type cacheEntry struct {
	CacheEntry
}

// CacheEntry is one cached prefix as tests see it.
type CacheEntry struct {
	Family    string        // "anthropic", "openai" or "deepseek"
	Model     string        // the model name as requested
	Tokens    int64         // length of the cached prefix, in tokens
	TTL       time.Duration // lifetime after the last write or read
	ExpiresAt time.Time
}

// AutoCache configures automatic prefix caching (OpenAI, DeepSeek).
type AutoCache struct {
	MinTokens int64         // shortest prompt that is cached at all, in tokens
	Increment int64         // cached prefix lengths are MinTokens + k × Increment tokens
	TTL       time.Duration // lifetime of an entry after its last use
	// TTLMax, when above TTL, makes each entry live a seeded random time
	// between TTL and TTLMax, as OpenAI's "5 to 10 minutes" does.
	TTLMax time.Duration
}

// Default cache behaviour. OpenAI caches prompts of 1024 tokens or more in
// 128-token steps for 5–10 minutes of inactivity (exactly 5 by default here,
// for determinism). DeepSeek caches in 64-token units with no other minimum
// and keeps entries for hours; the sim keeps them one hour by default.
var (
	DefaultOpenAICache   = AutoCache{MinTokens: 1024, Increment: 128, TTL: 5 * time.Minute}
	DefaultDeepSeekCache = AutoCache{MinTokens: 64, Increment: 64, TTL: time.Hour}
)

func newCache(now func() time.Time) *Cache {
	return &Cache{now: now, entries: map[[sha256.Size]byte]*cacheEntry{}}
}

// Len returns the number of live (unexpired) entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pruneLocked(c.now())
	return len(c.entries)
}

// Entries returns the live entries sorted by family, model and length.
func (c *Cache) Entries() []CacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pruneLocked(c.now())
	out := make([]CacheEntry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e.CacheEntry)
	}
	slices.SortFunc(out, func(a, b CacheEntry) int {
		return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Tokens, b.Tokens), a.ExpiresAt.Compare(b.ExpiresAt))
	})
	return out
}

// Clear drops every entry.
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

func (c *Cache) pruneLocked(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.ExpiresAt) {
			delete(c.entries, k)
		}
	}
}

func (c *Cache) liveLocked(k [sha256.Size]byte, now time.Time) *cacheEntry {
	e := c.entries[k]
	if e == nil || !now.Before(e.ExpiresAt) {
		return nil
	}
	return e
}

// putLocked writes or refreshes an entry; a refresh never shortens it.
func (c *Cache) putLocked(k [sha256.Size]byte, e CacheEntry, now time.Time) {
	if old := c.liveLocked(k, now); old != nil {
		old.TTL = max(old.TTL, e.TTL)
		old.ExpiresAt = maxTime(old.ExpiresAt, now.Add(e.TTL))
		return
	}
	e.ExpiresAt = now.Add(e.TTL)
	c.entries[k] = &cacheEntry{e}
	c.inserts++
	if c.inserts%256 == 0 {
		c.pruneLocked(now)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// prefixHasher hashes a token stream and yields the digest of any prefix.
type prefixHasher struct {
	h   hash.Hash
	buf [8]byte
}

func newPrefixHasher(parts ...string) *prefixHasher {
	p := &prefixHasher{h: sha256.New()}
	for _, s := range parts {
		p.h.Write([]byte(s))
		p.h.Write([]byte{0})
	}
	return p
}

func (p *prefixHasher) write(toks []int) {
	for _, t := range toks {
		binary.LittleEndian.PutUint64(p.buf[:], uint64(t))
		p.h.Write(p.buf[:])
	}
}

func (p *prefixHasher) sum() (k [sha256.Size]byte) {
	p.h.Sum(k[:0])
	return k
}

// cacheUse is the prompt-cache part of one call's usage, in tokens.
type cacheUse struct {
	read, write5m, write1h int64
}

// anthropicLookback is how many block boundaries before a breakpoint the
// API checks for an earlier cached prefix.
const anthropicLookback = 20

// anthropic applies explicit breakpoints: reads the longest live prefix
// found at a breakpoint or up to 20 blocks before one, refreshes it, and
// writes every breakpoint prefix beyond it. Breakpoints on prefixes shorter
// than minTokens are ignored. Writes are split by TTL as the API bills
// them: 1-hour tokens up to the last 1-hour breakpoint, 5-minute tokens
// from there to the last breakpoint.
func (c *Cache) anthropic(model string, segs []segment, minTokens int64) cacheUse {
	cum := make([]int64, len(segs))
	keys := make([][sha256.Size]byte, len(segs))
	ph := newPrefixHasher("anthropic", model)
	var n int64
	for i, s := range segs {
		ph.write(s.tokens)
		n += int64(len(s.tokens))
		cum[i] = n
		keys[i] = ph.sum()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	var (
		read    int64
		hit     *cacheEntry
		last1h  int64
		lastAny int64
	)
	for b, s := range segs {
		if s.mark == nil || cum[b] < minTokens {
			continue
		}
		for j := b; j >= 0 && j > b-anthropicLookback && cum[j] >= minTokens; j-- {
			if e := c.liveLocked(keys[j], now); e != nil {
				if cum[j] > read {
					read, hit = cum[j], e
				}
				break
			}
		}
		if s.mark.ttl >= time.Hour {
			last1h = cum[b]
		}
		lastAny = cum[b]
	}
	if hit != nil {
		hit.ExpiresAt = maxTime(hit.ExpiresAt, now.Add(hit.TTL))
	}
	for b, s := range segs {
		if s.mark == nil || cum[b] < minTokens {
			continue
		}
		c.putLocked(keys[b], CacheEntry{Family: "anthropic", Model: model, Tokens: cum[b], TTL: s.mark.ttl}, now)
	}
	use := cacheUse{read: read}
	if last1h > read {
		use.write1h = last1h - read
	}
	if lastAny > max(read, last1h) {
		use.write5m = lastAny - max(read, last1h)
	}
	return use
}

// auto applies automatic prefix caching: the longest live prefix of toks at
// a cacheable length is read (and refreshed), and every cacheable prefix is
// written with ttl. Writes are free, so only the read is reported.
func (c *Cache) auto(family, model, key string, toks []int, cfg AutoCache, ttl time.Duration) int64 {
	total := int64(len(toks))
	if cfg.Increment <= 0 || total < cfg.MinTokens || cfg.MinTokens <= 0 {
		return 0
	}
	var lens []int64
	var keys [][sha256.Size]byte
	ph := newPrefixHasher(family, model, key)
	var done int64
	for l := cfg.MinTokens; l <= total; l += cfg.Increment {
		ph.write(toks[done:l])
		done = l
		lens = append(lens, l)
		keys = append(keys, ph.sum())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	var read int64
	for i := len(keys) - 1; i >= 0; i-- {
		if e := c.liveLocked(keys[i], now); e != nil {
			read = lens[i]
			e.ExpiresAt = maxTime(e.ExpiresAt, now.Add(e.TTL))
			break
		}
	}
	for i, k := range keys {
		c.putLocked(k, CacheEntry{Family: family, Model: model, Tokens: lens[i], TTL: ttl}, now)
	}
	return read
}
