package tool

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// headTail is an io.Writer that keeps the first head bytes and the last tail
// bytes written to it, counting the rest, so that a command printing
// gigabytes costs a fixed amount of memory.
type headTail struct {
	head  []byte
	ring  []byte // last bytes past head, circular once full
	pos   int    // next write position in ring once full
	full  bool
	limH  int
	limT  int
	total int64
}

// newHeadTail keeps max bytes: half from the start, half from the end.
func newHeadTail(max int) *headTail {
	h := max / 2
	return &headTail{limH: h, limT: max - h}
}

func (b *headTail) Write(p []byte) (int, error) {
	n := len(p)
	b.total += int64(n)
	if room := b.limH - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	if b.limT == 0 {
		return n, nil
	}
	for len(p) > 0 {
		if !b.full {
			room := b.limT - len(b.ring)
			k := min(room, len(p))
			b.ring = append(b.ring, p[:k]...)
			p = p[k:]
			if len(b.ring) == b.limT {
				b.full = true
				b.pos = 0
			}
			continue
		}
		if len(p) >= b.limT {
			copy(b.ring, p[len(p)-b.limT:])
			b.pos = 0
			break
		}
		k := copy(b.ring[b.pos:], p)
		p = p[k:]
		b.pos = (b.pos + k) % b.limT
	}
	return n, nil
}

// Total is the number of bytes written, kept or not.
func (b *headTail) Total() int64 { return b.total }

// String returns what was kept, with a marker saying how many bytes were
// dropped from the middle, as valid UTF-8.
func (b *headTail) String() string {
	var tail []byte
	if b.full {
		tail = make([]byte, 0, b.limT)
		tail = append(tail, b.ring[b.pos:]...)
		tail = append(tail, b.ring[:b.pos]...)
	} else {
		tail = b.ring
	}
	kept := int64(len(b.head) + len(tail))
	if kept == b.total {
		return strings.ToValidUTF8(string(b.head)+string(tail), "\uFFFD")
	}
	return joinElided(string(b.head), string(tail), b.total-kept)
}

// joinElided joins a head and a tail cut from a longer text around a marker,
// trimming runes split by the cut.
func joinElided(head, tail string, elided int64) string {
	h := trimRuneEnd(head)
	t := trimRuneStart(tail)
	elided += int64(len(head)-len(h)) + int64(len(tail)-len(t))
	return strings.ToValidUTF8(h, "\uFFFD") + elidedMarker(elided) + strings.ToValidUTF8(t, "\uFFFD")
}

func elidedMarker(n int64) string {
	return fmt.Sprintf("\n… %d bytes elided …\n", n)
}

// Clip bounds s to about max bytes: the first and last halves are kept around
// a "… N bytes elided …" marker. The result is valid UTF-8.
func Clip(s string, max int) string {
	if len(s) <= max {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	if max <= 0 {
		return elidedMarker(int64(len(s)))
	}
	h := max / 2
	t := max - h
	return joinElided(s[:h], s[len(s)-t:], int64(len(s)-h-t))
}

// ClipTail keeps the last max bytes of s, starting at a line boundary when
// one is near, behind a note saying how much came before.
func ClipTail(s string, max int) string {
	if len(s) <= max {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	if max <= 0 {
		return fmt.Sprintf("… %d bytes before this …\n", len(s))
	}
	t := s[len(s)-max:]
	if i := strings.IndexByte(t, '\n'); i >= 0 && i < max/4 {
		t = t[i+1:]
	}
	t = trimRuneStart(t)
	return fmt.Sprintf("… %d bytes before this …\n", len(s)-len(t)) + strings.ToValidUTF8(t, "\uFFFD")
}

// trimRuneEnd drops a rune cut in half at the end of s.
func trimRuneEnd(s string) string {
	for i := 1; i <= utf8.UTFMax && i <= len(s); i++ {
		c := s[len(s)-i]
		if c < utf8.RuneSelf {
			return s
		}
		if utf8.RuneStart(c) {
			if r, size := utf8.DecodeRuneInString(s[len(s)-i:]); r == utf8.RuneError && size <= 1 {
				return s[:len(s)-i]
			}
			return s
		}
	}
	return s
}

// trimRuneStart drops continuation bytes of a rune cut at the start of s.
func trimRuneStart(s string) string {
	for i := 0; i < utf8.UTFMax && i < len(s); i++ {
		if utf8.RuneStart(s[i]) {
			return s[i:]
		}
	}
	return s
}
