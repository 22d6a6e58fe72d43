package httpx_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/internal/httpx"
)

type event struct {
	Data string
	Last bool
}

func readEvents(in string) ([]event, error) {
	var evs []event
	err := httpx.ReadSSE(strings.NewReader(in), func(data []byte, last bool) error {
		evs = append(evs, event{string(data), last})
		return nil
	})
	return evs, err
}

func TestReadSSE(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []event
	}{
		{"two events", "data: a\n\ndata: b\n\n", []event{{"a", false}, {"b", false}}},
		{"multi-line data", "data: a\ndata: b\n\n", []event{{"a\nb", false}}},
		{"comments and other fields", ": keep-alive\nevent: message_start\nid: 7\nretry: 10\ndata: {\"x\":1}\n\n: OPENROUTER PROCESSING\n\n", []event{{`{"x":1}`, false}}},
		{"CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", []event{{"a", false}, {"b", false}}},
		{"no space after colon", "data:a\n\n", []event{{"a", false}}},
		{"only one space trimmed", "data:  a \n\n", []event{{" a ", false}}},
		{"empty data", "data\n\ndata:\n\n", []event{{"", false}, {"", false}}},
		{"blank lines alone", "\n\n\n", nil},
		{"missing final blank line", "data: a\n\ndata: b", []event{{"a", false}, {"b", true}}},
		{"cut after a line", "data: a\n", []event{{"a", true}}},
		{"not data", "datum: a\n\nDATA: b\n\n", nil},
		{"empty", "", nil},
	} {
		got, err := readEvents(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestReadSSEErrors(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := httpx.ReadSSE(strings.NewReader("data: a\n\ndata: b\n\n"), func([]byte, bool) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("each's error: n %d err %v", n, err)
	}
	err = httpx.ReadSSE(strings.NewReader("data: a\n\ndata: "+strings.Repeat("x", httpx.MaxLineBytes)+"\n\n"), func([]byte, bool) error { n++; return nil })
	if !errors.Is(err, bufio.ErrTooLong) {
		t.Errorf("long line: err = %v", err)
	}
}

// FuzzReadSSE: any input gives at most one event per data line, only the
// final one marked last, and no error but each's.
func FuzzReadSSE(f *testing.F) {
	f.Add([]byte("data: a\n\n: c\r\ndata: b\ndata: c\n\nevent: e\ndata"))
	f.Add([]byte("data: {\"choices\":[]}\n\ndata: [DONE]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var evs []event
		err := httpx.ReadSSE(bytes.NewReader(b), func(data []byte, last bool) error {
			evs = append(evs, event{string(data), last})
			return nil
		})
		if err != nil {
			t.Fatalf("err = %v", err)
		}
		if n := bytes.Count(b, []byte("data")); len(evs) > n {
			t.Fatalf("%d events from %d data lines", len(evs), n)
		}
		for i, e := range evs {
			if e.Last && i != len(evs)-1 {
				t.Fatalf("event %d of %d marked last", i, len(evs))
			}
		}
	})
}

func BenchmarkReadSSE(b *testing.B) {
	var in bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&in, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token%d \"}}]}\n\n", i)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := httpx.ReadSSE(bytes.NewReader(in.Bytes()), func([]byte, bool) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
