package sim

import (
	"time"
)

// FaultKind names a failure the sim produces on demand.
type FaultKind string

// Fault kinds. Status faults (rate limit, server error, unavailable,
// overloaded, unauthorized) answer before the request is processed: nothing
// is cached or billed. Malformed, truncate and slow process the request
// (the prompt cache is read and written as for a normal answer) and damage
// or delay the response.
const (
	FaultRateLimit    FaultKind = "rate_limit"   // 429 with Retry-After
	FaultServerError  FaultKind = "server_error" // 500
	FaultUnavailable  FaultKind = "unavailable"  // 503
	FaultOverloaded   FaultKind = "overloaded"   // 529 overloaded_error
	FaultUnauthorized FaultKind = "unauthorized" // 401, as for a wrong key
	FaultMalformed    FaultKind = "malformed"    // 200 whose body (or one stream event) is not valid JSON
	FaultTruncate     FaultKind = "truncate"     // the connection closes mid-body: no final events, no usage
	FaultSlow         FaultKind = "slow"         // Delay before the headers, ChunkDelay between stream chunks
)

// Fault is one queued failure. It hits the next Times requests (1 when 0)
// that match Model and Endpoint, then leaves the queue. Faults are tried in
// the order they were injected.
type Fault struct {
	Kind       FaultKind
	Model      string        // glob over the model name; "": any
	Endpoint   string        // "openai", "anthropic", "ollama"; "": any
	Times      int           // requests it hits; 0: 1
	RetryAfter time.Duration // rate_limit, unavailable, overloaded: the Retry-After header (whole seconds, rounded up); 0: none
	Delay      time.Duration // slow: before the response headers
	ChunkDelay time.Duration // slow: between stream chunks
	Message    string        // the error message; "": the provider's usual one
}

// statusFault reports the HTTP status and default message of a status
// fault, or ok false for the faults that damage a processed answer.
func statusFault(k FaultKind) (status int, ok bool) {
	switch k {
	case FaultRateLimit:
		return 429, true
	case FaultServerError:
		return 500, true
	case FaultUnavailable:
		return 503, true
	case FaultOverloaded:
		return 529, true
	case FaultUnauthorized:
		return 401, true
	}
	return 0, false
}

// takeFault removes and returns the first queued fault matching the
// request, counting down its Times.
func (s *Handler) takeFault(endpoint, model string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Model != "" && !globMatch(f.Model, model) {
			continue
		}
		if f.Times <= 1 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		} else {
			s.faults[i].Times--
		}
		return f, true
	}
	return Fault{}, false
}

// Inject queues faults for the next matching requests.
func (s *Handler) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Pending returns the faults still queued.
func (s *Handler) Pending() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fault(nil), s.faults...)
}
