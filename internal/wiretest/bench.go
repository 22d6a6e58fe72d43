package wiretest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

// Client is an adapter's client, as Call, Collect and the benchmarks
// drive it.
type Client interface {
	frugal.Brain
	frugal.Streamer
}

// BenchRequest is the request of the adapters' benchmarks: a system
// prompt of systemRepeats sentences, one tool, and a turn of tool use
// whose result failed.
func BenchRequest(model string, systemRepeats int) frugal.Request {
	return frugal.Request{
		Model:  model,
		System: strings.Repeat("You are a careful coding agent. ", systemRepeats),
		Messages: []frugal.Message{
			{Role: frugal.RoleUser, Content: "Fix the failing test in pkg/foo."},
			{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "c1", Name: "run", Arguments: json.RawMessage(`{"cmd":"go test ./pkg/foo"}`)}}},
			{Role: frugal.RoleTool, ToolCallID: "c1", Content: strings.Repeat("--- FAIL: TestFoo\n", 10)},
		},
		Tools:     []frugal.Tool{{Name: "run", Description: "Run a command.", Parameters: json.RawMessage(`{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}`)}},
		MaxOutput: 1024,
	}
}

// BenchBuildParse measures an adapter's own work for one non-streaming
// call: build and encode the request, decode the answer (body) into an R
// and translate it with parse.
func BenchBuildParse[R any](b *testing.B, body []byte, build func() (any, error), parse func(*R) (frugal.Response, error)) {
	b.ReportAllocs()
	for b.Loop() {
		w, err := build()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(w); err != nil {
			b.Fatal(err)
		}
		var r R
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
		if _, err := parse(&r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchStreamParse measures read, an adapter's stream parser, on body.
func BenchStreamParse(b *testing.B, body []byte, read func(io.Reader, func(frugal.Delta) error) (frugal.Response, error)) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := read(bytes.NewReader(body), func(frugal.Delta) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchCall measures one whole call of req over loopback HTTP, streamed
// (deltas dropped) or not, to a server that answers body; newClient makes
// the adapter's client for the server's URL.
func BenchCall(b *testing.B, body []byte, newClient func(url string) Client, req frugal.Request, stream bool) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	c := newClient(srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Call(c, req, stream); err != nil {
			b.Fatal(err)
		}
	}
}
