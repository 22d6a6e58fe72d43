package memory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frugal-dev/frugal"
)

// MaxDecisionBytes bounds one decision's text; longer text is cut with
// "…". Decisions are read back into prompts, so they stay short.
const MaxDecisionBytes = 2000

// AppendDecision adds one line to decisions.md, e.g.
//
//   - 2026-12-04T10:00:00Z run r1 step 2: accepted (worker, attempt 2)
//
// for text "run r1 step 2: accepted (worker, attempt 2)", stamped with
// Now in UTC. Newlines and other control characters in text become
// spaces, so one decision is always one line. The line is written with a
// single append and fsynced before AppendDecision returns. Empty text is
// EINVALID.
func (s *Store) AppendDecision(text string) error {
	text = flatten(text)
	if text == "" {
		return frugal.Errorf(frugal.EINVALID, "memory: empty decision")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	line := "- " + s.Now().UTC().Format(time.RFC3339) + " " + text + "\n"
	path := filepath.Join(s.dir, DecisionsFile)
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("memory: append decision: %w", err)
	}
	// A line torn by a crash (no final newline) must not swallow this one.
	if !created && !endsWithNewline(path) {
		line = "\n" + line
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("memory: append decision: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("memory: sync decisions: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("memory: append decision: %w", err)
	}
	if created {
		return syncDir(s.dir)
	}
	return nil
}

// endsWithNewline reports whether the file at path is empty or ends in
// '\n'.
func endsWithNewline(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return true
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], st.Size()-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// flatten makes text one trimmed line of at most MaxDecisionBytes.
func flatten(text string) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > MaxDecisionBytes {
		cut := MaxDecisionBytes - len("…")
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}

// Decisions returns the last n lines of decisions.md, oldest first, as
// written ("- <time> <text>"); all of them when n <= 0, none when there is
// no log yet. It reads the file from the end, so a long log costs no more
// than the lines asked for.
func (s *Store) Decisions(n int) ([]string, error) {
	f, err := os.Open(filepath.Join(s.dir, DecisionsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: read decisions: %w", err)
	}
	defer f.Close()
	if n <= 0 {
		return allLines(f)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("memory: read decisions: %w", err)
	}
	// Read backwards in chunks that double from 4 KiB: a few lines cost
	// one small read, n lines O(n) bytes.
	chunk := int64(4 << 10)
	var tail []byte
	off := st.Size()
	for off > 0 && bytes.Count(bytes.TrimRight(tail, "\n"), []byte{'\n'}) < n {
		size := min(chunk, off)
		chunk = min(2*chunk, 1<<20)
		off -= size
		buf := make([]byte, size, size+int64(len(tail)))
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			return nil, fmt.Errorf("memory: read decisions: %w", err)
		}
		tail = append(buf, tail...)
	}
	// The first piece may be cut at the chunk boundary.
	lines := splitLines(tail, off > 0)
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}

func allLines(r io.Reader) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("memory: read decisions: %w", err)
	}
	return lines, nil
}

// splitLines returns the non-blank lines of b, without the first piece
// when dropFirst is set.
func splitLines(b []byte, dropFirst bool) []string {
	var lines []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if dropFirst {
			dropFirst = false
			continue
		}
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
