package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/frugal-dev/frugal/config"
)

// Check statuses.
const (
	StatusReachable    = "reachable"    // the model list answered 2xx
	StatusUnauthorized = "unauthorized" // 401 or 403: the key is wrong or lacks access
	StatusUnreachable  = "unreachable"  // no HTTP answer: refused, DNS, timeout
	StatusError        = "error"        // another HTTP status
	StatusSkipped      = "skipped"      // not pinged: its key is not set
)

// CheckResult is what pinging one provider found.
type CheckResult struct {
	OK         bool          `json:"ok"`
	Status     string        `json:"status"` // one of the Status constants
	HTTPStatus int           `json:"http_status,omitempty"`
	Error      string        `json:"error,omitempty"` // one line; never holds the key
	Latency    time.Duration `json:"-"`
}

// DefaultCheckTimeout bounds one ping when Check is given no deadline.
const DefaultCheckTimeout = 3 * time.Second

// Check pings the provider called name with a cheap authenticated GET of
// its model list: {base}/models for the OpenAI type (the base holds the
// version path), /v1/models with the Anthropic headers, /api/tags for
// Ollama. A provider whose key is required but not set is skipped. The
// ping gives up after DefaultCheckTimeout unless ctx ends sooner. It
// costs nothing: no model is called.
func (r *Registry) Check(ctx context.Context, name string) CheckResult {
	p, ok := r.providers[name]
	if !ok {
		return CheckResult{Status: StatusError, Error: fmt.Sprintf("unknown provider %q", name)}
	}
	key := ""
	if p.KeyEnv != "" {
		key = r.o.Getenv(p.KeyEnv)
	}
	if key == "" && !p.Local {
		return CheckResult{Status: StatusSkipped, Error: p.KeyEnv + " is not set"}
	}
	if p.BaseURL == "" {
		return CheckResult{Status: StatusError, Error: "no base_url"}
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultCheckTimeout)
	defer cancel()

	base := strings.TrimRight(p.BaseURL, "/")
	var url string
	switch p.Type {
	case config.TypeAnthropic:
		url = base + "/v1/models"
	case config.TypeOllama:
		url = base + "/api/tags"
	default:
		url = base + "/models"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return CheckResult{Status: StatusError, Error: scrub(err.Error(), key)}
	}
	for k, v := range p.Headers {
		req.Header.Set(k, v)
	}
	if key != "" {
		if p.Type == config.TypeAnthropic {
			req.Header.Set("x-api-key", key)
		} else {
			req.Header.Set("Authorization", "Bearer "+key)
		}
	}
	if p.Type == config.TypeAnthropic {
		req.Header.Set("anthropic-version", "2023-06-01")
	}
	client := r.o.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	start := time.Now()
	resp, err := client.Do(req)
	lat := time.Since(start)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "no answer within " + DefaultCheckTimeout.String()
		}
		return CheckResult{Status: StatusUnreachable, Error: scrub(msg, key), Latency: lat}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	res := CheckResult{HTTPStatus: resp.StatusCode, Latency: lat}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.OK, res.Status = true, StatusReachable
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		res.Status = StatusUnauthorized
		res.Error = fmt.Sprintf("HTTP %d from %s", resp.StatusCode, url)
		if p.KeyEnv != "" {
			res.Error += ": check " + p.KeyEnv
		}
	default:
		res.Status = StatusError
		res.Error = fmt.Sprintf("HTTP %d from %s", resp.StatusCode, url)
	}
	return res
}

// CheckAll pings every provider that has its key or needs none,
// concurrently, and returns the results by provider name. The whole run is
// bounded by DefaultCheckTimeout (plus scheduling) whatever the number of
// providers.
func (r *Registry) CheckAll(ctx context.Context) map[string]CheckResult {
	out := make(map[string]CheckResult, len(r.providers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name := range r.providers {
		wg.Go(func() {
			res := r.Check(ctx, name)
			mu.Lock()
			out[name] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// scrub removes key from s, in case an error quotes a header.
func scrub(s, key string) string {
	if len(key) >= 4 {
		s = strings.ReplaceAll(s, key, "[REDACTED]")
	}
	return s
}
