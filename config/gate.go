package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/frugal-dev/frugal"
)

// gates decodes the verify list. Schema paths are resolved against baseDir
// (the agent file's directory, out of the agent's reach); the files a gate
// inspects are workspace-relative and may not leave the workspace.
func (d *decoder) gates(f field, baseDir string, l frugal.Limits) []frugal.Gate {
	if f.value == nil {
		d.errorf(f.keyAt, "verify", "no value (list gates, or leave the key out)")
		return nil
	}
	items, ok := d.sequence(f.value, "verify", false)
	if !ok {
		return nil
	}
	var out []frugal.Gate
	for i, it := range items {
		if g, ok := d.gate(it, index("verify", i), baseDir, l); ok {
			out = append(out, g)
		}
	}
	return out
}

func (d *decoder) gate(n ast.Node, path, baseDir string, l frugal.Limits) (frugal.Gate, bool) {
	var g frugal.Gate
	m, ok := d.mapping(n, path, gateKeys...)
	if !ok {
		return g, false
	}
	kinds := gateKindsOf(m)
	switch len(kinds) {
	case 0:
		d.errorf(n, path, "a gate needs one of %s", strings.Join(gateKinds, ", "))
		return g, false
	case 1:
	default:
		d.errorf(n, path, "a gate checks one thing, this one has %s: split it into %d gates", strings.Join(kinds, " and "), len(kinds))
		return g, false
	}
	kind := kinds[0]
	kp := path + "." + kind
	val, ok := d.str(m[kind], kp)
	if !ok {
		return g, false
	}
	valid := true
	switch kind {
	case "run":
		if g.Run = strings.TrimSpace(val); g.Run == "" {
			d.errorf(m[kind].at(), kp, "is empty")
			valid = false
		}
	case "jsonschema":
		p, err := resolvePath(strings.TrimSpace(val), baseDir)
		if err == nil {
			err = compileSchema(p)
		}
		if err != nil {
			d.errorf(m[kind].at(), kp, "%v", err)
			valid = false
		}
		g.JSONSchema = p
	case "regex":
		if err := compileRegex(val); err != nil {
			d.errorf(m[kind].at(), kp, "%v", err)
			valid = false
		}
		g.Regex = val
	case "contains":
		if val == "" {
			d.errorf(m[kind].at(), kp, "is empty (an empty string is in everything)")
			valid = false
		}
		g.Contains = val
	case "file_exists", "file_changed":
		p, err := localPath(strings.TrimSpace(val))
		if err != nil {
			d.errorf(m[kind].at(), kp, "%v", err)
			valid = false
		}
		if kind == "file_exists" {
			g.FileExists = p
		} else {
			g.FileChanged = p
		}
	}
	if f, ok := m["file"]; ok {
		fp := path + ".file"
		if kind != "jsonschema" && kind != "regex" && kind != "contains" {
			d.errorf(f.keyAt, fp, "file applies to jsonschema, regex and contains gates, not %s", kind)
			valid = false
		} else if s, ok := d.nonEmpty(f, fp); !ok {
			valid = false
		} else if p, err := localPath(s); err != nil {
			d.errorf(f.at(), fp, "%v", err)
			valid = false
		} else {
			g.File = p
		}
	}
	if f, ok := m["timeout"]; ok {
		tp := path + ".timeout"
		if kind != "run" {
			d.errorf(f.keyAt, tp, "timeout applies to run gates only")
			valid = false
		} else if v, ok := d.duration(f, tp, maxCommandTimeout); !ok {
			valid = false
		} else if v > l.WallTime {
			d.errorf(f.at(), tp, "%s is longer than limits.wall_time %s", fmtDuration(v), fmtDuration(l.WallTime))
			valid = false
		} else {
			g.Timeout = v
		}
	}
	return g, valid
}

// gateKindsOf returns the kinds set in a gate's keys, in gateKinds order.
func gateKindsOf(m map[string]field) []string {
	var ks []string
	for _, k := range gateKinds {
		if _, ok := m[k]; ok {
			ks = append(ks, k)
		}
	}
	return ks
}

// localPath checks a workspace-relative path: not absolute, no "..".
func localPath(s string) (string, error) {
	c := filepath.Clean(s)
	if !filepath.IsLocal(c) {
		return "", fmt.Errorf("%s must be a path inside the workspace (relative, without ..)", quote(s))
	}
	return filepath.ToSlash(c), nil
}

// compileSchema reads and compiles the JSON Schema at path, so that a
// broken schema is found by `frugal check`, not in the middle of a run.
func compileSchema(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("schema file %s does not exist", path)
	case err != nil:
		return err
	case st.IsDir():
		return fmt.Errorf("schema file %s is a directory", path)
	case st.Size() > maxSchemaSize:
		return fmt.Errorf("schema file %s is %d bytes; at most %d", path, st.Size(), maxSchemaSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("schema file %s is not JSON: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		return fmt.Errorf("schema file %s: %v", path, oneLine(err.Error()))
	}
	if _, err := c.Compile(path); err != nil {
		return fmt.Errorf("schema file %s is not a valid JSON Schema: %v", path, oneLine(err.Error()))
	}
	return nil
}

// compileRegex checks a regex gate's pattern.
func compileRegex(s string) error {
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("%s is not a valid regular expression: %v", quote(s), err)
	}
	return nil
}

// oneLine flattens a multi-line message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
