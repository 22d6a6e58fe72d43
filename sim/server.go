// Package sim owns the in-process model servers that speak the OpenAI Chat
// Completions, Anthropic Messages and Ollama wire formats, with token counts
// from the real request text, prompt caches on an injectable clock, faults
// on demand and scripted (cassette) or seeded behaviour. Tests, the offline
// demo and the benchmarks talk to it over real HTTP instead of mocking a
// provider.
package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frugal-dev/frugal"
)

// Endpoint names, as used by Fault.Endpoint, When.Endpoint and Stats.
const (
	endpointOpenAI    = "openai"    // POST /v1/chat/completions
	endpointAnthropic = "anthropic" // POST /v1/messages
	endpointOllama    = "ollama"    // POST /api/chat
)

// Options configure a sim server. The zero value serves any model name,
// requires no key, and answers with the default behaviour.
type Options struct {
	// APIKey, when non-empty, must be sent by every chat request
	// (Authorization: Bearer, or x-api-key for Anthropic); otherwise 401.
	APIKey string
	// Now is the clock of the prompt caches and timestamps; nil: time.Now.
	Now func() time.Time
	// Seed drives seeded rules and random cache lifetimes.
	Seed uint64
	// Cassette scripts the answers; nil: the default behaviour only.
	Cassette *Cassette
	// Latency adds realistic delays; zero (the default) answers at once.
	Latency Latency
	// Models, when non-empty, are the only model names served (others get
	// the provider's 404) and are what the list endpoints return.
	Models []string
	// MinCacheable maps model globs to the shortest prefix, in tokens, an
	// Anthropic cache breakpoint may cache; shorter breakpoints are
	// ignored. The longest matching glob wins. Defaults: "*haiku*" 2048,
	// "*" 1024.
	MinCacheable map[string]int64
	// AutoCache maps model globs to the automatic cache of
	// /v1/chat/completions; a zero AutoCache disables it. The longest
	// matching glob wins. Defaults: "deepseek*" DefaultDeepSeekCache, "*"
	// DefaultOpenAICache.
	AutoCache map[string]AutoCache
	// MaxBodyBytes bounds a request body; 0: 32 MiB.
	MaxBodyBytes int64
}

// Latency is the simulated response time.
type Latency struct {
	BeforeHeaders time.Duration // before the response headers
	PerChunk      time.Duration // between stream chunks (for a whole non-streamed answer: per chunk it would have had)
}

// Handler serves the three wire formats; mount it anywhere or use New.
type Handler struct {
	opts     Options
	now      func() time.Time
	cache    *Cache
	seq      atomic.Int64
	requests atomic.Int64
	conns    atomic.Int64

	mu         sync.Mutex
	byEndpoint map[string]int64
	faults     []Fault
	ruleUses   map[int]int
	draws      map[[sha256.Size]byte]int
	calls      []Call
	rng        *rand.Rand
}

// Server is a Handler listening on a loopback port.
type Server struct {
	*Handler
	URL string // base URL, e.g. "http://127.0.0.1:41234"
	srv *httptest.Server
}

// Stats counts the HTTP traffic a sim has seen.
type Stats struct {
	Requests    int64            // every HTTP request, errors included
	Connections int64            // TCP connections accepted (Server only)
	ByEndpoint  map[string]int64 // "openai", "anthropic", "ollama", "models", "unknown"
}

// Call is one chat request the sim received, for tests to inspect.
type Call struct {
	Time     time.Time
	Endpoint string // "openai", "anthropic" or "ollama"
	Model    string
	Stream   bool
	Status   int          // HTTP status of the response; 499: the client left first
	Fault    FaultKind    // the injected fault that hit it; "" none
	Rule     int          // index of the cassette rule that answered; -1: none
	Usage    frugal.Usage // what the response reported; zero for errors
	Header   http.Header  // request headers, keys redacted
	Body     []byte       // raw request body; kept for the last keepBodies calls only
}

// Calls keeps the last keepCalls calls, and the request bodies of the last
// keepBodies, so that a long benchmark or demo run stays small.
const (
	keepCalls  = 10_000
	keepBodies = 200
)

// New starts a Server on a loopback port. Close it when done.
func New(opts Options) *Server {
	h := NewHandler(opts)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			h.conns.Add(1)
		}
	}
	srv.Start()
	return &Server{Handler: h, URL: srv.URL, srv: srv}
}

// Close shuts the server down, closing open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// NewHandler returns the sim as an http.Handler without a listener.
func NewHandler(opts Options) *Handler {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 32 << 20
	}
	return &Handler{
		opts:       opts,
		now:        now,
		cache:      newCache(now),
		byEndpoint: map[string]int64{},
		ruleUses:   map[int]int{},
		draws:      map[[sha256.Size]byte]int{},
		rng:        rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
	}
}

// Cache returns the prompt cache, to inspect or clear.
func (h *Handler) Cache() *Cache { return h.cache }

// Requests returns the traffic counters.
func (h *Handler) Requests() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	by := make(map[string]int64, len(h.byEndpoint))
	for k, v := range h.byEndpoint {
		by[k] = v
	}
	return Stats{Requests: h.requests.Load(), Connections: h.conns.Load(), ByEndpoint: by}
}

// Calls returns the chat requests received so far (the last 10,000),
// oldest first; only the last 200 keep their Body.
func (h *Handler) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

// ServeHTTP routes to the three wire formats and the model lists.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	path := strings.TrimSuffix(r.URL.Path, "/")
	kind := "unknown"
	switch path {
	case "/v1/chat/completions", "/chat/completions":
		kind = endpointOpenAI
	case "/v1/messages":
		kind = endpointAnthropic
	case "/api/chat":
		kind = endpointOllama
	case "/v1/models", "/models", "/api/tags":
		kind = "models"
	}
	h.mu.Lock()
	h.byEndpoint[kind]++
	h.mu.Unlock()

	switch kind {
	case endpointOpenAI:
		h.chat(w, r, openaiWire{})
	case endpointAnthropic:
		h.chat(w, r, anthropicWire{})
	case endpointOllama:
		h.chat(w, r, ollamaWire{})
	case "models":
		h.listModels(w, r, path)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{
			"message": "sim: no route for " + r.Method + " " + r.URL.Path, "type": "invalid_request_error", "param": nil, "code": "unknown_url",
		}})
	}
}

// apiError is an error answer, written by each wire format in its shape.
type apiError struct {
	status     int
	typ        string
	msg        string
	param      string // OpenAI only
	code       string // OpenAI only
	retryAfter time.Duration
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: 400, msg: fmt.Sprintf(format, args...)}
}

// wireFormat is one provider's request parser and response writer.
type wireFormat interface {
	name() string
	parse(body []byte, hdr http.Header) (*conv, *apiError)
	writeError(w http.ResponseWriter, e *apiError)
	respond(x *exchange)
	idPrefixes() (message, toolCall string)
}

// chat is the pipeline common to the three formats.
func (h *Handler) chat(w http.ResponseWriter, r *http.Request, wf wireFormat) {
	call := Call{Time: h.now(), Endpoint: wf.name(), Rule: -1, Header: redact(r.Header)}
	// The call is recorded before its response is written, so that a
	// client that has read the response always finds it in Calls.
	fail := func(e *apiError) {
		call.Status = e.status
		h.record(call)
		wf.writeError(w, e)
	}

	if r.Method != http.MethodPost {
		fail(&apiError{status: 405, msg: "method " + r.Method + " not allowed; use POST"})
		return
	}
	if e := h.authorize(r, wf.name()); e != nil {
		fail(e)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.opts.MaxBodyBytes+1))
	if err != nil {
		fail(badRequest("reading the request body: %v", err))
		return
	}
	if int64(len(body)) > h.opts.MaxBodyBytes {
		fail(&apiError{status: 413, typ: "request_too_large", msg: fmt.Sprintf("request body exceeds %d bytes", h.opts.MaxBodyBytes)})
		return
	}
	call.Body = body
	c, perr := wf.parse(body, r.Header)
	if perr != nil {
		fail(perr)
		return
	}
	call.Model, call.Stream = c.model, c.stream
	if !h.modelKnown(c.model) {
		fail(&apiError{status: 404, typ: "not_found", code: "model_not_found", msg: c.model})
		return
	}
	fault, faulted := h.takeFault(wf.name(), c.model)
	if faulted {
		call.Fault = fault.Kind
		if status, ok := statusFault(fault.Kind); ok {
			fail(&apiError{status: status, msg: fault.Message, retryAfter: fault.RetryAfter})
			return
		}
	}

	segs := c.render()
	prompt := promptTokens(segs)
	reply, rule := h.choose(c, segs, prompt)
	call.Rule = rule
	if reply.Error != nil {
		e := reply.Error
		if !sleep(r.Context(), reply.Delay+h.opts.Latency.BeforeHeaders) {
			call.Status = statusClientClosed
			h.record(call)
			return
		}
		fail(&apiError{status: e.Status, typ: e.Type, msg: e.Message, retryAfter: e.RetryAfter})
		return
	}
	u := usage{prompt: prompt, cache: h.cacheUse(c, segs)}
	msgPrefix, callPrefix := wf.idPrefixes()
	a := build(c, reply, func() string { return h.newID(callPrefix) })
	u.output, u.reasoning = a.output, a.reasoning
	call.Usage = u.neutral()

	wait := reply.Delay + h.opts.Latency.BeforeHeaders
	chunkDelay := h.opts.Latency.PerChunk
	if fault.Kind == FaultSlow {
		wait += fault.Delay
		chunkDelay += fault.ChunkDelay
	}
	if !sleep(r.Context(), wait) {
		call.Status = statusClientClosed
		h.record(call)
		return
	}
	call.Status = http.StatusOK
	h.record(call)
	x := &exchange{
		w: w, ctx: r.Context(), c: c, a: a, u: u,
		id: h.newID(msgPrefix), created: h.now(), chunkDelay: chunkDelay,
	}
	if faulted && (fault.Kind == FaultMalformed || fault.Kind == FaultTruncate) {
		x.fault = fault.Kind
	}
	wf.respond(x)
}

// neutral converts u to the frugal.Usage the response reports.
func (u usage) neutral() frugal.Usage {
	return frugal.Usage{
		Input:        u.uncached(),
		CacheRead:    u.cache.read,
		CacheWrite5m: u.cache.write5m,
		CacheWrite1h: u.cache.write1h,
		Output:       u.output,
		Reasoning:    u.reasoning,
	}
}

func (h *Handler) record(c Call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.calls) >= keepCalls {
		h.calls = slices.Delete(h.calls, 0, len(h.calls)-keepCalls+1)
	}
	h.calls = append(h.calls, c)
	if n := len(h.calls) - keepBodies - 1; n >= 0 {
		h.calls[n].Body = nil
	}
}

func (h *Handler) newID(prefix string) string {
	return fmt.Sprintf("%s%06d", prefix, h.seq.Add(1))
}

// authorize checks the API key, when one is configured.
func (h *Handler) authorize(r *http.Request, endpoint string) *apiError {
	if h.opts.APIKey == "" {
		return nil
	}
	key := r.Header.Get("x-api-key")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		key = bearer
	}
	switch {
	case key == h.opts.APIKey:
		return nil
	case key == "" && endpoint == endpointAnthropic:
		return &apiError{status: 401, msg: "x-api-key header is required"}
	case key == "":
		return &apiError{status: 401, msg: "You didn't provide an API key. Send it in the Authorization header as Bearer YOUR_KEY."}
	case endpoint == endpointAnthropic:
		return &apiError{status: 401, msg: "invalid x-api-key"}
	}
	return &apiError{status: 401, msg: "Incorrect API key provided: " + maskKey(key) + "."}
}

// maskKey keeps only the ends of a key, as providers do in their messages.
func maskKey(k string) string {
	if len(k) <= 8 {
		return "****"
	}
	return k[:3] + "****" + k[len(k)-4:]
}

func redact(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"Authorization", "X-Api-Key", "Api-Key"} {
		if out.Get(k) != "" {
			out.Set(k, "REDACTED")
		}
	}
	return out
}

func (h *Handler) modelKnown(model string) bool {
	return len(h.opts.Models) == 0 || slices.Contains(h.opts.Models, model)
}

// choose picks the reply: the first live cassette rule that matches, else
// the default behaviour. rule is the rule's index, or -1.
func (h *Handler) choose(c *conv, segs []segment, prompt int64) (Reply, int) {
	if cas := h.opts.Cassette; cas != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		for i, r := range cas.Rules {
			if r.Times > 0 && h.ruleUses[i] >= r.Times {
				continue
			}
			if !r.When.matches(c) {
				continue
			}
			h.ruleUses[i]++
			if r.Seeded == nil {
				return r.Reply, i
			}
			if h.drawLocked(i, c, segs) < r.Seeded.pSuccess(c.model) {
				return r.Seeded.OK, i
			}
			return r.Seeded.Fail, i
		}
	}
	return defaultReply(c, prompt), -1
}

func (s *Seeded) pSuccess(model string) float64 {
	for _, mp := range s.PSuccess {
		if globMatch(mp.Model, model) {
			return mp.P
		}
	}
	return 1
}

// drawLocked returns a uniform number in [0, 1) that depends only on the
// seed, the rule, the request and how often that request was drawn for.
func (h *Handler) drawLocked(rule int, c *conv, segs []segment) float64 {
	ph := newPrefixHasher("draw", c.endpoint, c.model)
	for _, s := range segs {
		ph.write(s.tokens)
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(rule))
	ph.h.Write(buf[:])
	req := ph.sum()
	n := h.draws[req]
	h.draws[req] = n + 1
	x := sha256.New()
	binary.LittleEndian.PutUint64(buf[:], h.opts.Seed)
	x.Write(buf[:])
	x.Write(req[:])
	binary.LittleEndian.PutUint64(buf[:], uint64(n))
	x.Write(buf[:])
	sum := x.Sum(nil)
	return float64(binary.LittleEndian.Uint64(sum)>>11) / (1 << 53)
}

// cacheUse applies the endpoint's prompt cache to the rendered prompt.
func (h *Handler) cacheUse(c *conv, segs []segment) cacheUse {
	switch c.endpoint {
	case endpointAnthropic:
		return h.cache.anthropic(c.model, segs, h.minCacheable(c.model))
	case endpointOpenAI:
		cfg := h.autoCache(c.model)
		if cfg.Increment <= 0 {
			return cacheUse{}
		}
		family := "openai"
		if isDeepSeek(c.model) {
			family = "deepseek"
		}
		var toks []int
		for _, s := range segs {
			toks = append(toks, s.tokens...)
		}
		toks = append(toks, frame(idPriming, 3)...)
		return cacheUse{read: h.cache.auto(family, c.model, c.cacheKey, toks, cfg, h.ttl(cfg))}
	}
	return cacheUse{}
}

func isDeepSeek(model string) bool { return strings.HasPrefix(strings.ToLower(model), "deepseek") }

func (h *Handler) ttl(cfg AutoCache) time.Duration {
	if cfg.TTLMax <= cfg.TTL {
		return cfg.TTL
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return cfg.TTL + time.Duration(h.rng.Int64N(int64(cfg.TTLMax-cfg.TTL)+1))
}

func (h *Handler) minCacheable(model string) int64 {
	defaults := map[string]int64{"*haiku*": 2048, "*": 1024}
	if v, ok := longestGlob(h.opts.MinCacheable, model); ok {
		return v
	}
	v, _ := longestGlob(defaults, model)
	return v
}

func (h *Handler) autoCache(model string) AutoCache {
	if v, ok := longestGlob(h.opts.AutoCache, model); ok {
		return v
	}
	if isDeepSeek(model) {
		return DefaultDeepSeekCache
	}
	return DefaultOpenAICache
}

// longestGlob returns the value of the longest glob in m matching s (ties:
// the lexically smallest), so overlapping patterns resolve the same way on
// every run.
func longestGlob[V any](m map[string]V, s string) (V, bool) {
	best, found := "", false
	for g := range m {
		if !globMatch(g, s) {
			continue
		}
		if !found || len(g) > len(best) || (len(g) == len(best) && g < best) {
			best, found = g, true
		}
	}
	return m[best], found
}

// sleep waits d or until ctx ends; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// statusClientClosed is the status recorded for a call whose client left
// before the response started (nginx's convention).
const statusClientClosed = 499
