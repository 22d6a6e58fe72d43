package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/frugal-dev/frugal"
)

// Result is what a tool call hands back to the model. IsError marks a
// failure the model should see and react to (a file not found, an
// ambiguous edit, a command exiting non-zero); Text then says what went
// wrong. Text is bounded by Options.MaxResultBytes.
type Result struct {
	Text    string `json:"text"`
	IsError bool   `json:"is_error,omitempty"`
}

// Tool names.
const (
	ToolReadFile   = "read_file"
	ToolListFiles  = "list_files"
	ToolGrep       = "grep"
	ToolWriteFile  = "write_file"
	ToolEditFile   = "edit_file"
	ToolRunCommand = "run_command"
)

// definitions are the tools in the order models see them. Parameters are
// strict JSON Schemas (every property required, optional ones nullable, no
// additional properties), as OpenAI's strict mode demands; the executors
// also accept optional properties left out. The bytes never change, so they
// stay in a provider's prompt cache.
var definitions = []frugal.Tool{
	{
		Name:        ToolReadFile,
		Description: "Read a text file of the workspace with line numbers. Give start_line and end_line (1-based, inclusive) to read a range; long files are cut, and the result says where to continue.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"path":{"type":"string","description":"file path relative to the workspace"},` +
			`"start_line":{"type":["integer","null"],"description":"first line to read, 1-based; null: 1"},` +
			`"end_line":{"type":["integer","null"],"description":"last line to read, inclusive; null: to the end"}},` +
			`"required":["path","start_line","end_line"],"additionalProperties":false}`),
	},
	{
		Name:        ToolListFiles,
		Description: "List files and directories of the workspace (directories end with /), skipping .git. The listing is cut after a few hundred entries.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"path":{"type":["string","null"],"description":"directory relative to the workspace; null: the workspace root"},` +
			`"depth":{"type":["integer","null"],"description":"levels to descend, 1 to 8; null: 2"}},` +
			`"required":["path","depth"],"additionalProperties":false}`),
	},
	{
		Name:        ToolGrep,
		Description: "Search text files of the workspace for a regular expression (RE2 syntax; (?i) for case-insensitive). Returns file:line:text for each matching line, cut after a hundred matches.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"pattern":{"type":"string","description":"RE2 regular expression"},` +
			`"path":{"type":["string","null"],"description":"file or directory to search, relative to the workspace; null: everything"},` +
			`"glob":{"type":["string","null"],"description":"only files whose name matches, e.g. *.go; with a / it matches the path from the workspace root"}},` +
			`"required":["pattern","path","glob"],"additionalProperties":false}`),
	},
	{
		Name:        ToolWriteFile,
		Description: "Create or replace a file of the workspace with the given content, creating parent directories. Prefer edit_file to change part of an existing file.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"path":{"type":"string","description":"file path relative to the workspace"},` +
			`"content":{"type":"string","description":"the whole new content of the file"}},` +
			`"required":["path","content"],"additionalProperties":false}`),
	},
	{
		Name:        ToolEditFile,
		Description: "Replace one exact occurrence of search with replace in a file. search must match the file byte for byte, whitespace and indentation included, and exactly once: include enough surrounding lines to make it unique.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"path":{"type":"string","description":"file path relative to the workspace"},` +
			`"search":{"type":"string","description":"exact text to find; must occur exactly once"},` +
			`"replace":{"type":"string","description":"text to put in its place"}},` +
			`"required":["path","search","replace"],"additionalProperties":false}`),
	},
	{
		Name:        ToolRunCommand,
		Description: "Run a shell command (sh -c) in the workspace directory, without network where the sandbox allows, with a timeout. Returns the exit code and the combined output, cut in the middle when long.",
		Parameters: json.RawMessage(`{"type":"object","properties":{` +
			`"command":{"type":"string","description":"shell command line"}},` +
			`"required":["command"],"additionalProperties":false}`),
	},
}

// Tools returns the definitions of the workspace tools, the same bytes on
// every call.
func (w *Workspace) Tools() []frugal.Tool {
	out := make([]frugal.Tool, len(definitions))
	copy(out, definitions)
	return out
}

type readArgs struct {
	Path      string `json:"path"`
	StartLine *int   `json:"start_line"`
	EndLine   *int   `json:"end_line"`
}

type listArgs struct {
	Path  *string `json:"path"`
	Depth *int    `json:"depth"`
}

type grepArgs struct {
	Pattern string  `json:"pattern"`
	Path    *string `json:"path"`
	Glob    *string `json:"glob"`
}

type writeArgs struct {
	Path    string  `json:"path"`
	Content *string `json:"content"`
}

type editArgs struct {
	Path    string  `json:"path"`
	Search  *string `json:"search"`
	Replace *string `json:"replace"`
}

type runArgs struct {
	Command string `json:"command"`
}

// Call runs the tool name with its JSON arguments. Whatever the model got
// wrong — an unknown tool, malformed arguments, a refused path, a missing
// file, an ambiguous edit, a failing command — comes back as a Result with
// IsError set, for the model to read. Only infrastructure failures (ctx
// cancelled, a sandbox that cannot start, a disk that cannot be written)
// are returned as error.
func (w *Workspace) Call(ctx context.Context, name string, args json.RawMessage) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var (
		res Result
		err error
	)
	switch name {
	case ToolReadFile:
		var a readArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.readFile(a)
		}
	case ToolListFiles:
		var a listArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.listFiles(ctx, a)
		}
	case ToolGrep:
		var a grepArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.grep(ctx, a)
		}
	case ToolWriteFile:
		var a writeArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.writeFile(a)
		}
	case ToolEditFile:
		var a editArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.editFile(a)
		}
	case ToolRunCommand:
		var a runArgs
		if res, err = decode(name, args, &a); err == nil && !res.IsError {
			res, err = w.runCommand(ctx, a)
		}
	default:
		names := make([]string, len(definitions))
		for i, d := range definitions {
			names[i] = d.Name
		}
		res = failf("unknown tool %q; the tools are %s", name, strings.Join(names, ", "))
	}
	if err != nil {
		return Result{}, fmt.Errorf("tool %s: %w", name, err)
	}
	res.Text = Clip(res.Text, w.opts.MaxResultBytes)
	return res, nil
}

// decode parses a tool's arguments strictly; a mistake is a Result for the
// model, never an error.
func decode(name string, raw json.RawMessage, v any) (Result, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return failf("%s: arguments are not valid: %v; see the tool's JSON schema", name, err), nil
	}
	if dec.More() {
		return failf("%s: arguments hold more than one JSON value", name), nil
	}
	return Result{}, nil
}

// failf is a Result reporting a failure to the model.
func failf(format string, args ...any) Result {
	return Result{Text: fmt.Sprintf(format, args...), IsError: true}
}

// userError turns a domain error from a file operation into a Result for
// the model; other errors are infrastructure failures and returned.
func userError(err error) (Result, error) {
	switch frugal.ErrorCode(err) {
	case frugal.EINVALID, frugal.ENOTFOUND:
		return Result{Text: err.Error(), IsError: true}, nil
	}
	return Result{}, err
}

func (w *Workspace) runCommand(ctx context.Context, a runArgs) (Result, error) {
	if strings.TrimSpace(a.Command) == "" {
		return failf("run_command: command is empty"), nil
	}
	r, err := w.Run(ctx, a.Command, 0)
	if err != nil {
		return Result{}, err
	}
	var head string
	switch {
	case r.TimedOut:
		head = fmt.Sprintf("timed out after %s; the command and its children were killed", r.Duration.Round(timeRound(r.Duration)))
	default:
		head = fmt.Sprintf("exit code %d (%s)", r.ExitCode, r.Duration.Round(timeRound(r.Duration)))
	}
	text := head + "\n"
	if r.OutputBytes == 0 {
		text += "(no output)"
	} else {
		text += Clip(r.Output, w.opts.MaxResultBytes-len(head)-64)
	}
	return Result{Text: text, IsError: r.TimedOut || r.ExitCode != 0}, nil
}
