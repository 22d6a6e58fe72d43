package tool

import (
	"fmt"
	"slices"
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
// dropped from the middle, as valid UTF-8 of at most about max bytes.
func (b *headTail) String() string {
	var tail []byte
	if b.full {
		tail = make([]byte, 0, b.limT)
		tail = append(tail, b.ring[b.pos:]...)
		tail = append(tail, b.ring[:b.pos]...)
	} else {
		tail = b.ring
	}
	if int64(len(b.head)+len(tail)) == b.total {
		all := append(append([]byte{}, b.head...), tail...)
		if out, used := validPrefix(all, b.limH+b.limT); used == len(all) {
			return out
		}
	}
	return joinElided(b.head, tail, b.total, b.limH, b.limT)
}

// joinElided joins the valid UTF-8 forms of a head and a tail cut from a
// text of total bytes, each within its limit, around a marker counting the
// bytes left out.
func joinElided(head, tail []byte, total int64, limH, limT int) string {
	h, usedH := validPrefix(head, limH)
	t, usedT := validSuffix(tail, limT)
	return h + elidedMarker(total-int64(usedH)-int64(usedT)) + t
}

func elidedMarker(n int64) string {
	return fmt.Sprintf("\n… %d bytes elided …\n", n)
}

// validPrefix converts the start of b to valid UTF-8 (an invalid byte
// becomes U+FFFD) of at most limit bytes, never splitting a rune. used is
// how many bytes of b it stands for.
func validPrefix(b []byte, limit int) (out string, used int) {
	var sb strings.Builder
	for used < len(b) {
		r, size := utf8.DecodeRune(b[used:])
		n := size
		if r == utf8.RuneError && size <= 1 {
			n = len(string(utf8.RuneError))
		}
		if sb.Len()+n > limit {
			break
		}
		if n == size {
			sb.Write(b[used : used+size])
		} else {
			sb.WriteRune(utf8.RuneError)
		}
		used += size
	}
	return sb.String(), used
}

// validSuffix is validPrefix from the end of b.
func validSuffix(b []byte, limit int) (out string, used int) {
	var parts []string
	n := 0
	for used < len(b) {
		end := len(b) - used
		r, size := utf8.DecodeLastRune(b[:end])
		part := string(b[end-size : end])
		if r == utf8.RuneError && size <= 1 {
			part = string(utf8.RuneError)
		}
		if n+len(part) > limit {
			break
		}
		parts = append(parts, part)
		n += len(part)
		used += size
	}
	slices.Reverse(parts)
	return strings.Join(parts, ""), used
}

// Clip bounds s to about n bytes: the first and last halves are kept around
// a "… N bytes elided …" marker. The result is valid UTF-8.
func Clip(s string, n int) string {
	n = max(n, 0)
	if out, used := validPrefix([]byte(s[:min(len(s), n+utf8.UTFMax)]), n); used == len(s) {
		return out
	}
	h := n / 2
	head := s[:min(len(s), h+utf8.UTFMax)]
	tail := s[max(0, len(s)-(n-h)-utf8.UTFMax):]
	return joinElided([]byte(head), []byte(tail), int64(len(s)), h, n-h)
}

// ClipTail keeps the last n bytes of s, starting at a line boundary when
// one is near, behind a note saying how many bytes came before.
func ClipTail(s string, n int) string {
	n = max(n, 0)
	if out, used := validPrefix([]byte(s[:min(len(s), n+utf8.UTFMax)]), n); used == len(s) {
		return out
	}
	_, used := validSuffix([]byte(s[max(0, len(s)-n-utf8.UTFMax):]), n)
	raw := s[len(s)-used:]
	if i := strings.IndexByte(raw, '\n'); i >= 0 && i < n/4 {
		raw = raw[i+1:]
	}
	t, _ := validSuffix([]byte(raw), n)
	return fmt.Sprintf("… %d bytes before this …\n", len(s)-len(raw)) + t
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
