package tool

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

// Bounds of the file tools, so that no call can return megabytes or run
// for minutes whatever the model asks.
const (
	maxLineBytes     = 2000    // a longer line is cut in read_file
	maxGrepLineBytes = 300     // a matching line is cut in grep
	maxGrepMatches   = 100     // matches listed by one grep
	maxGrepFileBytes = 4 << 20 // larger files are skipped by grep
	maxGrepFiles     = 20_000  // files examined by one grep
	maxListEntries   = 400     // entries listed by one list_files
	maxListDepth     = 8       // deepest list_files
	maxEditBytes     = 8 << 20 // largest file edit_file rewrites
	maxWriteBytes    = 8 << 20 // largest content write_file accepts
	binarySniffBytes = 8 << 10 // a NUL in this prefix marks a binary file
)

func (w *Workspace) readFile(a readArgs) (Result, error) {
	start, end := 1, 0
	if a.StartLine != nil {
		start = *a.StartLine
	}
	if a.EndLine != nil {
		end = *a.EndLine
		if end < 1 {
			return failf("read_file: end_line must be 1 or more"), nil
		}
	}
	if start < 1 {
		return failf("read_file: start_line must be 1 or more"), nil
	}
	if end != 0 && end < start {
		return failf("read_file: end_line %d is before start_line %d", end, start), nil
	}
	if a.Path == "" {
		return failf("read_file: path is empty"), nil
	}
	f, err := w.Open(a.Path)
	if err != nil {
		return userError(err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if sniff, _ := br.Peek(binarySniffBytes); bytes.IndexByte(sniff, 0) >= 0 {
		fi, _ := f.Stat()
		return failf("read_file: %s is a binary file (%d bytes)", a.Path, fi.Size()), nil
	}
	budget := w.opts.MaxResultBytes - 200
	lineMax := max(min(maxLineBytes, budget/2), 80)
	var b strings.Builder
	n := 0
	for {
		line, long, err := readLine(br, lineMax)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, fmt.Errorf("read %s: %w", a.Path, err)
		}
		n++
		if n < start {
			continue
		}
		if end != 0 && n > end {
			break
		}
		row := fmt.Sprintf("%6d\t%s", n, line)
		if long > 0 {
			row += fmt.Sprintf(" … [line cut: %d more bytes]", long)
		}
		if b.Len()+len(row)+1 > budget {
			fmt.Fprintf(&b, "[output limit reached: lines %d to %d shown; continue with start_line=%d]", start, n-1, n)
			return Result{Text: b.String()}, nil
		}
		b.WriteString(row)
		b.WriteByte('\n')
	}
	switch {
	case n == 0:
		return Result{Text: fmt.Sprintf("%s is empty", a.Path)}, nil
	case start > n:
		return failf("read_file: start_line %d is past the end of %s (%d lines)", start, a.Path, n), nil
	}
	return Result{Text: b.String()}, nil
}

// readLine reads one line without its line ending, keeping at most max
// bytes of it; dropped counts the bytes cut. io.EOF only when nothing is
// left.
func readLine(br *bufio.Reader, max int) (line string, dropped int, err error) {
	var buf []byte
	got, nl := false, false
	for {
		chunk, err := br.ReadSlice('\n')
		got = got || len(chunk) > 0
		nl = len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		keep := min(max-len(buf), len(chunk))
		buf = append(buf, chunk[:keep]...)
		dropped += len(chunk) - keep
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && !got {
			return "", 0, io.EOF
		}
		if err != nil && err != io.EOF {
			return "", 0, err
		}
		break
	}
	if dropped > 0 {
		if nl {
			dropped--
		}
		s := trimRuneEnd(string(buf))
		return s, dropped + len(buf) - len(s), nil
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	return string(buf), 0, nil
}

func (w *Workspace) listFiles(ctx context.Context, a listArgs) (Result, error) {
	p := "."
	if a.Path != nil && *a.Path != "" {
		p = *a.Path
	}
	depth := 2
	if a.Depth != nil {
		depth = *a.Depth
	}
	if depth < 1 || depth > maxListDepth {
		return failf("list_files: depth must be 1 to %d", maxListDepth), nil
	}
	r, err := w.rel(p)
	if err != nil {
		return userError(err)
	}
	fi, err := w.fsys.Stat(r)
	if err != nil {
		return userError(fileError(p, err))
	}
	if !fi.IsDir() {
		return Result{Text: fmt.Sprintf("%s (%d bytes)\n", r, fi.Size())}, nil
	}
	var lines []string
	more := false
	var walk func(dir string, level int) error
	walk = func(dir string, level int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ents, err := fs.ReadDir(w.fsys.FS(), dir)
		if err != nil {
			lines = append(lines, fmt.Sprintf("%s/ [unreadable: %v]", dir, pathErr(err)))
			return nil
		}
		for _, e := range ents {
			if e.Name() == ".git" {
				continue
			}
			if len(lines) >= maxListEntries {
				more = true
				return nil
			}
			full := path.Join(dir, e.Name())
			switch {
			case e.IsDir():
				lines = append(lines, full+"/")
				if level < depth {
					if err := walk(full, level+1); err != nil {
						return err
					}
				}
			case e.Type()&fs.ModeSymlink != 0:
				target, _ := w.fsys.Readlink(full)
				lines = append(lines, full+" -> "+target)
			default:
				lines = append(lines, full)
			}
		}
		return nil
	}
	if err := walk(r, 1); err != nil {
		return Result{}, err
	}
	if len(lines) == 0 {
		return Result{Text: fmt.Sprintf("%s is an empty directory", p)}, nil
	}
	text := strings.Join(lines, "\n") + "\n"
	if more {
		text += fmt.Sprintf("[listing cut at %d entries; list a subdirectory or lower depth]\n", maxListEntries)
	}
	return Result{Text: text}, nil
}

// globMatch matches a file against a grep glob: its base name, or its
// path from the root when the glob holds a slash.
func globMatch(glob, rel string) bool {
	if strings.Contains(glob, "/") {
		ok, _ := path.Match(strings.TrimPrefix(glob, "./"), rel)
		return ok
	}
	ok, _ := path.Match(glob, path.Base(rel))
	return ok
}

// atomicWrite replaces the file at rel (a resolved, root-relative path)
// with data: a temporary file in the same directory, synced, then renamed
// over it, so that a reader sees the old or the new content, never half.
func (w *Workspace) atomicWrite(rel string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(rel)
	var (
		f   *os.File
		tmp string
		err error
	)
	for range 10 {
		tmp = filepath.Join(dir, fmt.Sprintf(".frugal-%016x.tmp", rand.Uint64()))
		f, err = w.fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		// OpenFile's perm went through the umask; the old mode is kept.
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.fsys.Rename(tmp, rel)
	}
	if err != nil {
		w.fsys.Remove(tmp)
	}
	return err
}

// writable resolves a path a tool may write: inside the workspace and not
// under .git, whose hooks and config run on the host.
func (w *Workspace) writable(p string) (string, error) {
	r, err := w.rel(p)
	if err != nil {
		return "", err
	}
	if r == "." {
		return "", frugal.Errorf(frugal.EINVALID, "%q is the workspace directory, not a file", p)
	}
	if slices.Contains(strings.Split(filepath.ToSlash(r), "/"), ".git") {
		return "", frugal.Errorf(frugal.EINVALID, "path %q refused: tools may not write under .git", p)
	}
	return r, nil
}

func (w *Workspace) writeFile(a writeArgs) (Result, error) {
	if a.Path == "" {
		return failf("write_file: path is empty"), nil
	}
	if a.Content == nil {
		return failf("write_file: content is missing"), nil
	}
	if len(*a.Content) > maxWriteBytes {
		return failf("write_file: content is %d bytes; at most %d", len(*a.Content), maxWriteBytes), nil
	}
	r, err := w.writable(a.Path)
	if err != nil {
		return userError(err)
	}
	perm := fs.FileMode(0o644)
	verb := "created"
	switch fi, err := w.fsys.Lstat(r); {
	case err == nil && fi.IsDir():
		return failf("write_file: %s is a directory", a.Path), nil
	case err == nil && !fi.Mode().IsRegular():
		return failf("write_file: %s is not a regular file (%s)", a.Path, fi.Mode().Type()), nil
	case err == nil:
		perm, verb = fi.Mode().Perm(), "replaced"
	case !errors.Is(err, fs.ErrNotExist):
		return userError(fileError(a.Path, err))
	}
	if dir := filepath.Dir(r); dir != "." {
		if err := w.fsys.MkdirAll(dir, 0o755); err != nil {
			return userError(fileError(a.Path, err))
		}
	}
	if err := w.atomicWrite(r, []byte(*a.Content), perm); err != nil {
		return writeError(a.Path, err)
	}
	lines := strings.Count(*a.Content, "\n")
	if *a.Content != "" && !strings.HasSuffix(*a.Content, "\n") {
		lines++
	}
	return Result{Text: fmt.Sprintf("%s %s: %d bytes, %d lines", verb, a.Path, len(*a.Content), lines)}, nil
}

// writeError reports a failed write: a full disk or a read-only tree is an
// infrastructure failure; a path problem is the model's to fix.
func writeError(p string, err error) (Result, error) {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		return userError(fileError(p, err))
	}
	return Result{}, fmt.Errorf("write %s: %w", p, err)
}

// timeRound is the precision durations are shown with.
func timeRound(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Millisecond
	}
	return 10 * time.Millisecond
}
