package tool

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

func (w *Workspace) grep(ctx context.Context, a grepArgs) (Result, error) {
	if a.Pattern == "" {
		return failf("grep: pattern is empty"), nil
	}
	re, err := regexp.Compile(a.Pattern)
	if err != nil {
		return failf("grep: pattern is not a valid RE2 regular expression: %v", err), nil
	}
	p := "."
	if a.Path != nil && *a.Path != "" {
		p = *a.Path
	}
	glob := ""
	if a.Glob != nil {
		glob = *a.Glob
	}
	if glob != "" {
		if _, err := path.Match(glob, "x"); err != nil {
			return failf("grep: glob %q is malformed: %v", glob, err), nil
		}
	}
	r, err := w.rel(p)
	if err != nil {
		return userError(err)
	}
	fi, err := w.fsys.Stat(r)
	if err != nil {
		return userError(fileError(p, err))
	}

	var (
		out       strings.Builder
		matches   int
		files     int
		skipBig   int
		skipBin   int
		truncated bool
	)
	budget := w.opts.MaxResultBytes - 300
	fsys := w.fsys.FS()
	search := func(name string, size int64) error {
		if size > maxGrepFileBytes {
			skipBig++
			return nil
		}
		f, err := fsys.Open(name)
		if err != nil {
			return nil // vanished or unreadable: not the model's concern
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, 64<<10)
		if sniff, _ := br.Peek(binarySniffBytes); bytes.IndexByte(sniff, 0) >= 0 {
			skipBin++
			return nil
		}
		for n := 1; ; n++ {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull { // a very long line: look at its start only
				line = bytes.Clone(line)
				for err == bufio.ErrBufferFull {
					_, err = br.ReadSlice('\n')
				}
			}
			if len(line) > 0 && re.Match(bytes.TrimRight(line, "\r\n")) {
				text := strings.TrimRight(string(line), "\r\n")
				if len(text) > maxGrepLineBytes {
					text = trimRuneEnd(text[:maxGrepLineBytes]) + " …"
				}
				row := fmt.Sprintf("%s:%d:%s\n", name, n, strings.ToValidUTF8(text, "\uFFFD"))
				if matches >= maxGrepMatches || out.Len()+len(row) > budget {
					truncated = true
					return fs.SkipAll
				}
				out.WriteString(row)
				matches++
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return nil
			}
		}
	}

	if !fi.IsDir() {
		files = 1
		search(r, fi.Size())
	} else {
		err = fs.WalkDir(fsys, r, func(name string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				return nil // an unreadable directory is skipped
			}
			if d.IsDir() {
				if d.Name() == ".git" && name != r {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || (glob != "" && !globMatch(glob, name)) {
				return nil
			}
			if files++; files > maxGrepFiles {
				truncated = true
				return fs.SkipAll
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			return search(name, info.Size())
		})
		if err != nil {
			return Result{}, err
		}
	}

	var notes []string
	if truncated {
		notes = append(notes, "results cut; narrow the pattern, path or glob")
	}
	if skipBig > 0 {
		notes = append(notes, fmt.Sprintf("%d files larger than %d MiB skipped", skipBig, maxGrepFileBytes>>20))
	}
	if skipBin > 0 {
		notes = append(notes, fmt.Sprintf("%d binary files skipped", skipBin))
	}
	text := out.String()
	if matches == 0 {
		text = fmt.Sprintf("no matches for %q in %s", a.Pattern, p)
		if glob != "" {
			text += fmt.Sprintf(" (files matching %q)", glob)
		}
		text += "\n"
	}
	if len(notes) > 0 {
		text += "[" + strings.Join(notes, "; ") + "]\n"
	}
	return Result{Text: text}, nil
}
