package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// exchange is one answered request on its way out.
type exchange struct {
	w          http.ResponseWriter
	ctx        context.Context
	c          *conv
	a          answer
	u          usage
	id         string
	created    time.Time
	chunkDelay time.Duration
	fault      FaultKind // FaultMalformed, FaultTruncate or ""
}

// event is one stream event: an SSE event (name may be empty) or an NDJSON
// line.
type event struct {
	name string
	data []byte
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Every payload is built from plain maps, strings and numbers.
		panic("sim: encoding a response: " + err.Error())
	}
	return b
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(mustJSON(v))
}

// whole writes a non-streamed JSON answer, damaged as the fault asks.
// Latency per chunk is spent before the headers, as a real server spends
// it generating.
func (x *exchange) whole(v any) {
	if x.chunkDelay > 0 && !sleep(x.ctx, x.chunkDelay*time.Duration(len(splitText(x.a.text))+len(x.a.calls))) {
		return
	}
	body := mustJSON(v)
	h := x.w.Header()
	h.Set("Content-Type", "application/json")
	switch x.fault {
	case FaultMalformed:
		x.w.WriteHeader(http.StatusOK)
		x.w.Write(body[:len(body)/2])
		x.w.Write([]byte(`<!-- upstream error -->`))
	case FaultTruncate:
		h.Set("Content-Length", strconv.Itoa(len(body)))
		x.w.WriteHeader(http.StatusOK)
		x.w.Write(body[:len(body)/2])
		flush(x.w)
		panic(http.ErrAbortHandler) // close the connection mid-body
	default:
		x.w.WriteHeader(http.StatusOK)
		x.w.Write(body)
	}
}

// stream writes events as SSE (sse true) or NDJSON, pausing chunkDelay
// between them. A truncate fault closes the connection after half of the
// events; a malformed fault breaks the JSON of the middle event.
func (x *exchange) stream(events []event, sse bool) {
	h := x.w.Header()
	if sse {
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Content-Type", "application/x-ndjson")
	}
	x.w.WriteHeader(http.StatusOK)
	flush(x.w)
	cut, broken := -1, -1
	switch x.fault {
	case FaultTruncate:
		cut = max(len(events)/2, 1)
	case FaultMalformed:
		broken = len(events) / 2
	}
	var buf bytes.Buffer
	for i, ev := range events {
		if i == cut {
			panic(http.ErrAbortHandler) // the client sees the stream end early
		}
		if i > 0 && !sleep(x.ctx, x.chunkDelay) {
			return
		}
		data := ev.data
		if i == broken {
			data = append(data[:len(data)/2:len(data)/2], []byte(`<!-- upstream error -->`)...)
		}
		buf.Reset()
		if sse {
			if ev.name != "" {
				buf.WriteString("event: " + ev.name + "\n")
			}
			buf.WriteString("data: ")
			buf.Write(data)
			buf.WriteString("\n\n")
		} else {
			buf.Write(data)
			buf.WriteByte('\n')
		}
		if _, err := x.w.Write(buf.Bytes()); err != nil {
			return
		}
		flush(x.w)
	}
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// splitText cuts s into stream chunks of a few words each (at most about
// 24 bytes, never inside a character); their concatenation is s.
func splitText(s string) []string {
	const target = 24
	var out []string
	for len(s) > 0 {
		if len(s) <= target {
			out = append(out, s)
			break
		}
		cut := 0
		for i, r := range s {
			if i >= target {
				break
			}
			if unicode.IsSpace(r) {
				cut = i + utf8.RuneLen(r)
			}
		}
		if cut == 0 {
			// No space early enough: cut at the last character boundary
			// before the target.
			for i := range s {
				if i > target {
					break
				}
				cut = i
			}
			if cut == 0 {
				_, cut = utf8.DecodeRuneInString(s)
			}
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return out
}

// splitJSON cuts a JSON text into partial chunks for input_json_delta and
// OpenAI argument deltas.
func splitJSON(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for len(s) > 0 {
		n := min(len(s), 16)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}
