// Package wiretest holds the test helpers the provider adapters share: a
// recording HTTP server, testdata files and golden comparisons, JSON
// equality, fuzz seeds and checks, benchmark drivers and the
// goroutine-leak check of TestMain. Only tests import it; it registers the
// -update flag (rewrite golden files), so a test package that imports it
// must not register its own.
package wiretest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Main runs the tests of m and fails the package when they leave
// goroutines behind (a stream not closed, a watcher not stopped). Idle
// keep-alive connections of the shared transport are closed first: they
// are not leaks. Call it from TestMain; it does not return.
func Main(m *testing.M) {
	code := m.Run()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if err := goleak.Find(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// Captured is what a test server saw of one request.
type Captured struct {
	Header http.Header
	Body   []byte
	Path   string
}

// Server is an httptest server that records every request before handing
// it to its handler. It is closed when the test ends.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Captured
}

// NewServer starts a Server answering with h.
func NewServer(t testing.TB, h http.HandlerFunc) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, Captured{Header: r.Header.Clone(), Body: body, Path: r.URL.Path})
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Last returns the last request the server saw; the test fails when there
// was none.
func (s *Server) Last(t testing.TB) Captured {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("server saw no request")
	}
	return s.reqs[len(s.reqs)-1]
}

// Requests returns every request the server saw, oldest first.
func (s *Server) Requests() []Captured {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Captured(nil), s.reqs...)
}

// Reply answers every request with status, headers and body.
func Reply(status int, headers map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// ServeFile answers every request with testdata/name, as contentType.
func ServeFile(t testing.TB, name, contentType string) http.HandlerFunc {
	t.Helper()
	b := ReadFile(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

// ReadFile returns testdata/name.
func ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden compares got (JSON) with testdata/name, both indented; with
// -update it writes got there first.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: %v in %s", name, err, got)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from golden file:\n got: %s\nwant: %s", name, buf.Bytes(), want)
	}
}

// SameJSON reports whether a and b hold the same JSON value once null
// members are dropped (the wire types treat null and absent alike); the
// test fails when either is not JSON.
func SameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v in %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return reflect.DeepEqual(dropNulls(va), dropNulls(vb))
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}

// Reencode decodes in into a T and encodes it again, so that a test reads
// what the wire types write.
func Reencode[T any](t testing.TB, in []byte) []byte {
	t.Helper()
	var v T
	if err := json.Unmarshal(in, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
