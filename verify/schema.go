package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/tool"
)

// maxSchemaErrors bounds the violations listed in one feedback.
const maxSchemaErrors = 20

// CompileSchema compiles the JSON Schema file at path (on disk, relative
// to the current directory or absolute), for `frugal check` to validate a
// gate before any run. $refs may load other local files, never URLs.
// Errors: ENOTFOUND when the file is absent, EINVALID when it is not JSON
// or not a valid schema.
func CompileSchema(path string) (*jsonschema.Schema, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "schema %s: %w", path, err)
	}
	b, err := os.ReadFile(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, frugal.Errorf(frugal.ENOTFOUND, "schema %s does not exist", path)
	}
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "schema %s: %w", path, err)
	}
	s, err := compile(b, fileURL(abs), jsonschema.FileLoader{}, "")
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "schema %s: %s", path, err)
	}
	return s, nil
}

// compile compiles a schema document found at loc, loading $refs through
// loader. Messages name files relative to the directory strip, when set.
func compile(doc []byte, loc string, loader jsonschema.URLLoader, strip string) (*jsonschema.Schema, error) {
	if err := jsonSyntax(doc); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{"file": loader})
	if err := c.AddResource(loc, v); err != nil {
		return nil, errors.New(relURLs(err.Error(), strip))
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, errors.New(relURLs(err.Error(), strip))
	}
	return s, nil
}

// wsLoader loads $refs of a schema from inside the workspace only.
type wsLoader struct{ ws *tool.Workspace }

func (l wsLoader) Load(u string) (any, error) {
	p, err := jsonschema.FileLoader{}.ToFile(u)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(l.ws.Root(), p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("$ref refused: %s is outside the workspace", rel)
	}
	b, err := l.ws.ReadFile(rel, maxTargetBytes)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// checkSchema validates the target against the gate's schema, a workspace
// file. The step output may be wrapped in one ``` fence, as models do.
func checkSchema(ws *tool.Workspace, g frugal.Gate, output string) (bool, string) {
	abs, err := ws.Resolve(g.JSONSchema)
	if err != nil {
		return false, fmt.Sprintf("schema: %v", err)
	}
	doc, err := ws.ReadFile(g.JSONSchema, maxTargetBytes)
	if err != nil {
		return false, fmt.Sprintf("schema: %v", err)
	}
	strip := ws.Root()
	s, err := compile(doc, fileURL(abs), wsLoader{ws}, strip)
	if err != nil {
		return false, fmt.Sprintf("schema %s does not compile: %v", g.JSONSchema, err)
	}
	text, name, err := target(ws, g, output)
	if err != nil {
		return false, fmt.Sprintf("cannot read %s: %v", name, err)
	}
	if g.File == "" {
		text = unfence(text)
	}
	if strings.TrimSpace(text) == "" {
		return false, fmt.Sprintf("%s is empty; want JSON valid against %s", name, g.JSONSchema)
	}
	if err := jsonSyntax([]byte(text)); err != nil {
		return false, fmt.Sprintf("%s is not valid JSON: %v", name, err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return false, fmt.Sprintf("%s is not valid JSON: %v", name, err)
	}
	err = s.Validate(v)
	if err == nil {
		return true, fmt.Sprintf("%s is valid against %s", name, g.JSONSchema)
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return false, fmt.Sprintf("%s: %v", name, err)
	}
	return false, fmt.Sprintf("%s does not satisfy %s:\n%s", name, g.JSONSchema, violations(ve, strip))
}

// violations lists a validation error's tree, one line per failing
// location ("- at '/items/0/id': got string, want integer"), bounded.
func violations(ve *jsonschema.ValidationError, strip string) string {
	lines := strings.Split(relURLs(ve.Error(), strip), "\n")
	if len(lines) > 1 {
		lines = lines[1:] // "jsonschema validation failed with '<schema url>'"
	}
	if len(lines) > maxSchemaErrors {
		n := len(lines) - maxSchemaErrors
		lines = append(lines[:maxSchemaErrors], fmt.Sprintf("… and %d more", n))
	}
	return strings.Join(lines, "\n")
}

// jsonSyntax reports where a JSON text breaks, by line and column.
func jsonSyntax(b []byte) error {
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		line := bytes.Count(b[:se.Offset], []byte("\n")) + 1
		col := int(se.Offset) - bytes.LastIndexByte(b[:se.Offset], '\n') - 1
		return fmt.Errorf("line %d, column %d: %v", line, col, se)
	}
	return err
}

// unfence removes one Markdown code fence wrapping the whole text.
func unfence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") || !strings.HasSuffix(t, "```") || len(t) < 6 {
		return s
	}
	t = strings.TrimSuffix(t, "```")
	nl := strings.IndexByte(t, '\n')
	if nl < 0 {
		return s
	}
	return t[nl+1:]
}

func fileURL(abs string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

var fileURLs = regexp.MustCompile(`file://[^\s"']+`)

// relURLs rewrites the file URLs in a message as paths relative to root,
// so that feedback never shows host paths; root "" leaves them.
func relURLs(msg, root string) string {
	if root == "" {
		return msg
	}
	return fileURLs.ReplaceAllStringFunc(msg, func(u string) string {
		p, err := jsonschema.FileLoader{}.ToFile(strings.TrimSuffix(u, "#"))
		if err != nil {
			return u
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return u
		}
		return filepath.ToSlash(rel)
	})
}
