package wiretest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frugal-dev/frugal"
)

// Client is what the benchmarks drive: an adapter's client.
type Client interface {
	frugal.Brain
	frugal.Streamer
}

// BenchChat measures one whole non-streaming call of req over loopback
// HTTP, to a server that answers body; newClient makes the adapter's
// client for the server's URL.
func BenchChat(b *testing.B, body []byte, newClient func(url string) Client, req frugal.Request) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	c := newClient(srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Chat(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchStream is BenchChat for a streaming call whose deltas are dropped.
func BenchStream(b *testing.B, body []byte, newClient func(url string) Client, req frugal.Request) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	c := newClient(srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Stream(context.Background(), req, func(frugal.Delta) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
