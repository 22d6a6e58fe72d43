package httpx

import (
	"bufio"
	"bytes"
	"io"
)

// MaxLineBytes bounds one line of a stream (an SSE line, an NDJSON line):
// a larger one is an error rather than unbounded memory.
const MaxLineBytes = 4 << 20

// ReadSSE calls each with the data of every server-sent event of r, in
// order: data lines joined with "\n"; comments (": …", OpenRouter's
// keep-alives) and the other fields (event, whose name repeats the data's
// type where there is one; id; retry) ignored. An event cut off by the end
// of r is still delivered, with last set, so that a missing final blank
// line is no error while a half-sent event can be told apart. data is only
// valid until each returns. The error is each's, r's, or
// bufio.ErrTooLong for a line longer than MaxLineBytes.
func ReadSSE(r io.Reader, each func(data []byte, last bool) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4<<10), MaxLineBytes)
	var data []byte
	has := false
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if has {
				if err := each(data, false); err != nil {
					return err
				}
				data, has = data[:0], false
			}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte{':'})
		if string(field) != "data" {
			continue
		}
		value = bytes.TrimPrefix(value, []byte{' '})
		if has {
			data = append(data, '\n')
		}
		data = append(data, value...)
		has = true
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if has {
		return each(data, true)
	}
	return nil
}
