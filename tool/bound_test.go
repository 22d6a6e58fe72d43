package tool

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHeadTail(t *testing.T) {
	for _, c := range []struct {
		max    int
		writes []string
		want   string
	}{
		{10, []string{"hello"}, "hello"},
		{10, []string{"0123456789"}, "0123456789"},
		{10, []string{"01234", "56789"}, "0123456789"},
		{10, []string{"0123456789abc"}, "01234\n… 3 bytes elided …\n89abc"},
		{10, []string{"01234", "5", "6789abcdefgh"}, "01234\n… 8 bytes elided …\ndefgh"},
		{4, []string{"a", "b", "c", "d", "e", "f", "g"}, "ab\n… 3 bytes elided …\nfg"},
		// A rune cut at either edge is dropped, not mangled.
		{4, []string{"aé" + strings.Repeat("x", 10) + "éb"}, "a\n… 14 bytes elided …\nb"},
	} {
		b := newHeadTail(c.max)
		total := 0
		for _, w := range c.writes {
			b.Write([]byte(w))
			total += len(w)
		}
		if got := b.String(); got != c.want {
			t.Errorf("%d %q: got %q, want %q", c.max, c.writes, got, c.want)
		}
		if b.Total() != int64(total) {
			t.Errorf("Total = %d, want %d", b.Total(), total)
		}
	}
}

// FuzzHeadTail: whatever is written and however it is split, the kept text
// is the input's head and tail, the marker counts the rest, and the result
// is valid UTF-8 of bounded size.
func FuzzHeadTail(f *testing.F) {
	f.Add([]byte("hello, world"), 5, uint8(3))
	f.Add([]byte("ééééééééé"), 7, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, max int, split uint8) {
		if max < 0 || max > 1<<16 {
			return
		}
		b := newHeadTail(max)
		step := int(split)%7 + 1
		for i := 0; i < len(data); i += step {
			b.Write(data[i:min(i+step, len(data))])
		}
		got := b.String()
		if !utf8.ValidString(got) {
			t.Fatalf("not valid UTF-8: %q", got)
		}
		valid := utf8.Valid(data)
		if len(data) <= max && valid {
			if got != string(data) {
				t.Fatalf("short input changed: %q -> %q", data, got)
			}
			return
		}
		if len(got) > max+len(elidedMarker(int64(len(data)))) {
			t.Fatalf("kept %d bytes of %d with max %d", len(got), len(data), max)
		}
		if !valid {
			return
		}
		head, tail, ok := strings.Cut(got, "\n… ")
		if !ok {
			t.Fatalf("no marker in %q", got)
		}
		count, tail, _ := strings.Cut(tail, " bytes elided …\n")
		if !strings.HasPrefix(string(data), head) || !strings.HasSuffix(string(data), tail) {
			t.Fatalf("%q + %q is not the head and tail of %q", head, tail, data)
		}
		if want := fmt.Sprint(len(data) - len(head) - len(tail)); count != want {
			t.Fatalf("marker says %s bytes elided, want %s", count, want)
		}
	})
}

func TestClip(t *testing.T) {
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip short = %q", got)
	}
	if got := Clip("0123456789", 4); got != "01\n… 6 bytes elided …\n89" {
		t.Errorf("Clip = %q", got)
	}
	long := "first line\n" + strings.Repeat("noise\n", 1000) + "FAIL: TestX\nexit status 1\n"
	got := ClipTail(long, 40)
	if !strings.HasSuffix(got, "FAIL: TestX\nexit status 1\n") || !strings.HasPrefix(got, "… ") || len(got) > 80 {
		t.Errorf("ClipTail = %q", got)
	}
	if strings.Contains(got, "noise\nFAIL") && !strings.Contains(got, "before this …\nnoise") {
		t.Errorf("ClipTail did not start at a line: %q", got)
	}
}

func BenchmarkHeadTailWrite(b *testing.B) {
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 2048) // 32 KiB
	w := newHeadTail(DefaultMaxOutputBytes)
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		w.Write(chunk)
	}
}
