// Package tool owns the workspace an agent works in: the file and command
// tools a model may call, confined to one directory, and the command sandbox
// (timeout, bounded output, scrubbed environment, process-group kill, bwrap).
// Paths are checked before use and file operations go through os.Root, so
// that neither a model nor a planted symlink can reach outside the workspace.
package tool

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/frugal-dev/frugal"
)

// Defaults of Options.
const (
	DefaultMaxOutputBytes = 64 << 10 // bytes of command output Run keeps
	DefaultMaxResultBytes = 16 << 10 // bytes of text one tool call returns
)

// Options configure a Workspace. The zero value is usable.
type Options struct {
	// Isolation confines commands: "" or auto (bwrap where installed and
	// working, else process), process, or bwrap (required: an error when
	// bwrap cannot run here).
	Isolation frugal.Isolation
	// CommandTimeout bounds a command run without its own timeout;
	// 0: frugal.DefaultLimits.CommandTimeout.
	CommandTimeout time.Duration
	// MaxOutputBytes is how much of a command's combined output Run keeps
	// (half from the start, half from the end); 0: DefaultMaxOutputBytes.
	MaxOutputBytes int
	// MaxResultBytes bounds the text of any tool result handed to a model;
	// 0: DefaultMaxResultBytes; less than 1 KiB is raised to 1 KiB.
	MaxResultBytes int
	// Env adds to the command environment's allow-list: "NAME" passes
	// frugal's own value, "NAME=value" sets one. Credential-looking names
	// and values are refused even here.
	Env []string
	// Hide lists more host paths that bwrap-sandboxed commands must not
	// read, besides the built-in credential locations (see
	// docs/isolation.md): frugal's data directory when set by flag, say.
	Hide []string
	// Now is the clock used to measure durations; nil: time.Now.
	Now func() time.Time
}

// Workspace is a directory an agent may read, write and run commands in,
// and nothing outside it. It is safe for concurrent use; Close releases it.
type Workspace struct {
	root  string   // absolute, symlink-free
	fsys  *os.Root // every file operation of the tools goes through it
	iso   frugal.Isolation
	bwrap []string // bwrap binary and namespace flags, when iso is bwrap
	opts  Options
	env   []string // frugal's environment when the workspace was opened
}

// NewWorkspace opens root as a workspace. root is made absolute and its
// symlinks resolved; it must be an existing directory other than / and
// outside /proc, /sys and /dev. Errors: EINVALID for a bad root or option,
// EUNAVAILABLE when isolation bwrap is asked for and bwrap cannot run.
func NewWorkspace(root string, opts Options) (*Workspace, error) {
	if root == "" {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace: no directory given")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace %q: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace %q: %w", root, err)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace %q is not a directory", root)
	}
	if real == "/" {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace %q: the filesystem root cannot be a workspace", root)
	}
	for _, sys := range []string{"/proc", "/sys", "/dev"} {
		if real == sys || strings.HasPrefix(real, sys+"/") {
			return nil, frugal.Errorf(frugal.EINVALID, "workspace %q: %s cannot hold a workspace", root, sys)
		}
	}
	if opts.CommandTimeout < 0 || opts.MaxOutputBytes < 0 || opts.MaxResultBytes < 0 {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace: negative limit in options")
	}
	if opts.CommandTimeout == 0 {
		opts.CommandTimeout = frugal.DefaultLimits.CommandTimeout
	}
	if opts.MaxOutputBytes == 0 {
		opts.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if opts.MaxResultBytes == 0 {
		opts.MaxResultBytes = DefaultMaxResultBytes
	}
	opts.MaxResultBytes = max(opts.MaxResultBytes, 1024)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Workspace{root: real, opts: opts, env: os.Environ()}
	switch opts.Isolation {
	case "", frugal.IsolationAuto:
		if args, err := probeBwrap(); err == nil {
			w.iso, w.bwrap = frugal.IsolationBwrap, args
		} else {
			w.iso = frugal.IsolationProcess
		}
	case frugal.IsolationBwrap:
		args, err := probeBwrap()
		if err != nil {
			return nil, frugal.Errorf(frugal.EUNAVAILABLE, "isolation bwrap: %w (install bubblewrap, or choose isolation: process)", err)
		}
		w.iso, w.bwrap = frugal.IsolationBwrap, args
	case frugal.IsolationProcess:
		w.iso = frugal.IsolationProcess
	default:
		return nil, frugal.Errorf(frugal.EINVALID, "isolation %q: want auto, process or bwrap", opts.Isolation)
	}
	w.fsys, err = os.OpenRoot(real)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "workspace %q: %w", root, err)
	}
	return w, nil
}

// Close releases the workspace's directory handle.
func (w *Workspace) Close() error { return w.fsys.Close() }

// Root is the workspace's absolute, symlink-free directory.
func (w *Workspace) Root() string { return w.root }

// Isolation is the mode commands actually run in: process or bwrap (auto
// resolved).
func (w *Workspace) Isolation() frugal.Isolation { return w.iso }

// maxSymlinks bounds symlink hops in one path, as the kernel does.
const maxSymlinks = 40

// Resolve checks a workspace-relative path and returns it absolute with
// every symlink resolved. It refuses absolute paths, a ".." that would leave
// the workspace at any point of the walk, and symlinks (at any component,
// final or dangling) whose target lies outside the workspace; components
// that do not exist yet are allowed. "" and "." name the root. Errors:
// EINVALID naming the offending path.
//
// Resolve is a check, not a lock: a component replaced by a symlink after
// it returns is not caught by it. The tools therefore also go through
// os.Root, which refuses escapes at the moment of use.
func (w *Workspace) Resolve(rel string) (string, error) {
	if strings.IndexByte(rel, 0) >= 0 {
		return "", frugal.Errorf(frugal.EINVALID, "path %q: contains a NUL byte", rel)
	}
	if filepath.IsAbs(rel) {
		return "", frugal.Errorf(frugal.EINVALID, "path %q refused: absolute paths are not allowed; use a path relative to the workspace", rel)
	}
	escape := func(why string) error {
		return frugal.Errorf(frugal.EINVALID, "path %q refused: %s", rel, why)
	}
	todo := splitPath(rel)
	cur := w.root
	hops := 0
	via := "" // the last symlink followed, for messages
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if cur == w.root {
				if via != "" {
					return "", escape(fmt.Sprintf("symlink %s points outside the workspace", via))
				}
				return "", escape("it leaves the workspace")
			}
			cur = filepath.Dir(cur)
			continue
		}
		next := cur + string(filepath.Separator) + name
		fi, err := os.Lstat(next)
		switch {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			cur = next
			continue
		default:
			return "", frugal.Errorf(frugal.EINVALID, "path %q: %v", rel, pathErr(err))
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxSymlinks {
			return "", escape("too many levels of symbolic links")
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", frugal.Errorf(frugal.EINVALID, "path %q: %v", rel, pathErr(err))
		}
		via = w.relName(next)
		if filepath.IsAbs(target) {
			if target != w.root && !strings.HasPrefix(target, w.root+string(filepath.Separator)) {
				return "", escape(fmt.Sprintf("symlink %s points outside the workspace (%s)", via, target))
			}
			cur = w.root
			target = strings.TrimPrefix(target, w.root)
		}
		todo = append(splitPath(target), todo...)
	}
	return cur, nil
}

// splitPath splits a slash path into its components.
func splitPath(p string) []string { return strings.Split(filepath.ToSlash(p), "/") }

// relName is abs relative to the root, for messages.
func (w *Workspace) relName(abs string) string {
	r, err := filepath.Rel(w.root, abs)
	if err != nil {
		return abs
	}
	return r
}

// rel resolves p and returns it relative to the root, the form os.Root
// takes ("." for the root itself).
func (w *Workspace) rel(p string) (string, error) {
	abs, err := w.Resolve(p)
	if err != nil {
		return "", err
	}
	return w.relName(abs), nil
}

// FS is the workspace as a read-only fs.FS, confined by os.Root: a path
// leaving the workspace, directly or through a symlink, fails when opened.
// Names are root-relative and unrooted, as fs.ValidPath requires.
func (w *Workspace) FS() fs.FS { return w.fsys.FS() }

// Stat returns information on a workspace path, following symlinks inside
// the workspace. Errors: EINVALID for a refused path, ENOTFOUND when absent.
func (w *Workspace) Stat(p string) (fs.FileInfo, error) {
	r, err := w.rel(p)
	if err != nil {
		return nil, err
	}
	fi, err := w.fsys.Stat(r)
	if err != nil {
		return nil, fileError(p, err)
	}
	return fi, nil
}

// Open opens a regular workspace file for reading. Errors: EINVALID for a
// refused path or a file that is not regular (a directory, a FIFO, a
// device), ENOTFOUND when absent.
func (w *Workspace) Open(p string) (*os.File, error) {
	r, err := w.rel(p)
	if err != nil {
		return nil, err
	}
	// O_NONBLOCK: opening a FIFO planted in the workspace must not hang.
	f, err := w.fsys.OpenFile(r, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fileError(p, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fileError(p, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		if fi.IsDir() {
			return nil, frugal.Errorf(frugal.EINVALID, "%s is a directory, not a file", p)
		}
		return nil, frugal.Errorf(frugal.EINVALID, "%s is not a regular file (%s)", p, fi.Mode().Type())
	}
	return f, nil
}

// ReadFile reads a regular workspace file of at most limit bytes. Errors:
// those of Open, and EINVALID when the file is larger than limit.
func (w *Workspace) ReadFile(p string, limit int64) ([]byte, error) {
	f, err := w.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fileError(p, err)
	}
	if int64(len(b)) > limit {
		return nil, frugal.Errorf(frugal.EINVALID, "%s is larger than %d bytes", p, limit)
	}
	return b, nil
}

// pathErr strips the host path from an os error, for messages a model
// reads.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fileError turns an os error on workspace path p into a domain error
// naming p relative to the workspace, never the absolute host path.
func fileError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return frugal.Errorf(frugal.ENOTFOUND, "%s does not exist", p)
	case errors.Is(err, syscall.ENOTDIR):
		return frugal.Errorf(frugal.ENOTFOUND, "%s: a parent is not a directory", p)
	case errors.Is(err, fs.ErrPermission):
		return frugal.Errorf(frugal.EINVALID, "%s: permission denied", p)
	}
	return frugal.Errorf(frugal.EINVALID, "%s: %w", p, err)
}
