package wiretest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
)

// Call makes req through c: streamed (deltas dropped) when stream is set,
// else whole.
func Call(c Client, req frugal.Request, stream bool) (frugal.Response, error) {
	if stream {
		return c.Stream(context.Background(), req, func(frugal.Delta) error { return nil })
	}
	return c.Chat(context.Background(), req)
}

// Collect streams req through c and returns the deltas in order, the
// answer and the error.
func Collect(c Client, req frugal.Request) ([]frugal.Delta, frugal.Response, error) {
	var deltas []frugal.Delta
	resp, err := c.Stream(context.Background(), req, func(d frugal.Delta) error {
		deltas = append(deltas, d)
		return nil
	})
	return deltas, resp, err
}

// NewHangingServer starts a Server that writes first (when not empty),
// flushes it, and then sends nothing more until the client goes away or
// the test ends: a model that stalls.
func NewHangingServer(t testing.TB, first string) *Server {
	t.Helper()
	release := make(chan struct{})
	s := NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if first != "" {
			fmt.Fprint(w, first)
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// Cleanups run last first: the handlers return before the server
	// closes, which waits for them.
	t.Cleanup(func() { close(release) })
	return s
}

// CancelAtFirstDelta calls stream with a context that the first delta
// cancels (the caller gives up after the first piece) and returns what it
// returned; the test fails when stream has not returned 10 seconds later.
func CancelAtFirstDelta(t testing.TB, stream func(ctx context.Context, fn func(frugal.Delta) error) (frugal.Response, error)) (frugal.Response, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		resp frugal.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := stream(ctx, func(frugal.Delta) error { cancel(); return nil })
		done <- result{resp, err}
	}()
	select {
	case r := <-done:
		return r.resp, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Stream did not return after cancellation")
		return frugal.Response{}, nil
	}
}
