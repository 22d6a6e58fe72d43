package tool

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// maxEditPreview is how many lines of the edited region edit_file shows.
const maxEditPreview = 12

func (w *Workspace) editFile(a editArgs) (Result, error) {
	if a.Path == "" {
		return failf("edit_file: path is empty"), nil
	}
	if a.Search == nil || *a.Search == "" {
		return failf("edit_file: search is empty; to create or overwrite a whole file use write_file"), nil
	}
	if a.Replace == nil {
		return failf("edit_file: replace is missing (use \"\" to delete the search text)"), nil
	}
	search, replace := *a.Search, *a.Replace
	if search == replace {
		return failf("edit_file: search and replace are identical; nothing to change"), nil
	}
	r, err := w.writable(a.Path)
	if err != nil {
		return userError(err)
	}
	f, err := w.Open(a.Path)
	if err != nil {
		return userError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return userError(fileError(a.Path, err))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxEditBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("read %s: %w", a.Path, err)
	}
	if len(data) > maxEditBytes {
		return failf("edit_file: %s is larger than %d MiB", a.Path, maxEditBytes>>20), nil
	}
	if bytes.IndexByte(data[:min(len(data), binarySniffBytes)], 0) >= 0 {
		return failf("edit_file: %s is a binary file", a.Path), nil
	}
	content := string(data)
	switch n := strings.Count(content, search); n {
	case 0:
		return failf("%s", notFound(a.Path, content, search)), nil
	case 1:
	default:
		return failf("edit_file: the search text occurs %d times in %s (at lines %s); include more surrounding lines in search so that it matches exactly once",
			n, a.Path, occurrenceLines(content, search, 10)), nil
	}
	i := strings.Index(content, search)
	updated := content[:i] + replace + content[i+len(search):]
	if err := w.atomicWrite(r, []byte(updated), fi.Mode().Perm()); err != nil {
		return writeError(a.Path, err)
	}

	first := strings.Count(content[:i], "\n") + 1
	oldLast := first + strings.Count(search, "\n")
	newLines := strings.Count(replace, "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "edited %s: replaced lines %d-%d", a.Path, first, oldLast)
	if replace == "" {
		b.WriteString(" with nothing\n")
		return Result{Text: b.String()}, nil
	}
	fmt.Fprintf(&b, "; now lines %d-%d read:\n", first, first+newLines)
	all := strings.Split(updated, "\n")
	last := min(first+newLines, len(all), first+maxEditPreview-1)
	for n := first; n <= last; n++ {
		line := all[n-1]
		if len(line) > maxLineBytes {
			line = trimRuneEnd(line[:maxLineBytes]) + " …"
		}
		fmt.Fprintf(&b, "%6d\t%s\n", n, line)
	}
	if first+newLines > last {
		fmt.Fprintf(&b, "[%d more lines]\n", first+newLines-last)
	}
	return Result{Text: b.String()}, nil
}

// notFound explains an absent search text: the line of the file closest to
// the search's most telling line, and hints for the usual causes.
func notFound(path, content, search string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "edit_file: the search text was not found in %s.", path)
	probe := ""
	for _, l := range strings.Split(search, "\n") {
		if t := strings.TrimSpace(l); len(t) > len(probe) {
			probe = t
		}
	}
	lines := strings.Split(content, "\n")
	if probe != "" && len(lines) > 0 {
		best, score := -1, 0.0
		pg := bigrams(probe)
		for i, l := range lines {
			if i >= 50_000 {
				break
			}
			t := strings.TrimSpace(l)
			if t == "" || len(t) > 4*len(probe)+80 {
				continue
			}
			if s := dice(pg, bigrams(t)); s > score {
				best, score = i, s
			}
		}
		if best >= 0 && score >= 0.3 {
			l := lines[best]
			if len(l) > maxGrepLineBytes {
				l = trimRuneEnd(l[:maxGrepLineBytes]) + " …"
			}
			fmt.Fprintf(&b, "\nThe closest line is line %d:\n%6d\t%s", best+1, best+1, strings.TrimRight(l, "\r"))
		}
	}
	switch {
	case strings.Contains(content, "\r\n") && !strings.Contains(search, "\r\n") && strings.Contains(search, "\n"):
		b.WriteString("\nThe file has CRLF (\\r\\n) line endings; the search has LF only.")
	case collapse(content) != "" && strings.Contains(collapse(content), collapse(search)):
		b.WriteString("\nThe text is there with different whitespace or indentation: copy it exactly (tabs vs spaces, trailing spaces).")
	}
	b.WriteString("\nRead the file again and copy the exact text to replace.")
	return b.String()
}

// collapse squeezes all whitespace runs to one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// occurrenceLines lists the line numbers where search starts, at most max.
func occurrenceLines(content, search string, max int) string {
	var nums []string
	off := 0
	for len(nums) < max {
		i := strings.Index(content[off:], search)
		if i < 0 {
			break
		}
		nums = append(nums, fmt.Sprint(strings.Count(content[:off+i], "\n")+1))
		off += i + len(search)
	}
	s := strings.Join(nums, ", ")
	if strings.Count(content[off:], search) > 0 {
		s += ", …"
	}
	return s
}

// bigrams is the multiset of byte pairs of s.
func bigrams(s string) map[string]int {
	m := make(map[string]int, len(s))
	for i := 0; i+1 < len(s); i++ {
		m[s[i:i+2]]++
	}
	return m
}

// dice is the Sørensen–Dice similarity of two bigram multisets, 0 to 1.
func dice(a, b map[string]int) float64 {
	na, nb, common := 0, 0, 0
	for k, x := range a {
		na += x
		common += min(x, b[k])
	}
	for _, y := range b {
		nb += y
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(common) / float64(na+nb)
}
