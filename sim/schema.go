package sim

import (
	"encoding/json"
	"strings"
)

// minimalJSON returns a small JSON value valid against schema: objects with
// their required properties filled by type, the first enum or const value,
// strings and arrays padded to their minimum length, numbers at their
// minimum. Local $refs ("#/$defs/…", "#/definitions/…") are followed;
// anyOf/oneOf take their first branch, allOf merges object branches. An
// unusable schema yields {}.
func minimalJSON(schema json.RawMessage) json.RawMessage {
	var root any
	if err := json.Unmarshal(schema, &root); err != nil {
		return json.RawMessage(`{}`)
	}
	v := (&schemaWalker{root: root}).value(root, 0)
	out, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return out
}

type schemaWalker struct {
	root any
}

const maxSchemaDepth = 32

func (w *schemaWalker) value(node any, depth int) any {
	s, ok := node.(map[string]any)
	if !ok || depth > maxSchemaDepth {
		return map[string]any{}
	}
	if ref, ok := s["$ref"].(string); ok {
		return w.value(w.resolve(ref), depth+1)
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[k].([]any); ok && len(alts) > 0 {
			return w.value(alts[0], depth+1)
		}
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		merged := map[string]any{}
		for _, a := range all {
			if m, ok := w.value(a, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			} else if len(all) == 1 {
				return w.value(a, depth+1)
			}
		}
		return merged
	}
	switch schemaType(s) {
	case "string":
		n := intField(s, "minLength")
		return strings.Repeat("x", min(n, 1024))
	case "integer":
		return numberAtLeast(s, true)
	case "number":
		return numberAtLeast(s, false)
	case "boolean":
		return false
	case "null":
		return nil
	case "array":
		n := min(intField(s, "minItems"), 64)
		items := make([]any, 0, n)
		for range n {
			items = append(items, w.value(s["items"], depth+1))
		}
		return items
	}
	obj := map[string]any{}
	props, _ := s["properties"].(map[string]any)
	req, _ := s["required"].([]any)
	for _, r := range req {
		name, ok := r.(string)
		if !ok {
			continue
		}
		obj[name] = w.value(props[name], depth+1)
	}
	return obj
}

func (w *schemaWalker) resolve(ref string) any {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	node := w.root
	for _, part := range strings.Split(path, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[part]
	}
	return node
}

// schemaType is the schema's type, the first non-null one of a type list.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok && str != "null" {
				return str
			}
		}
		if len(t) > 0 {
			return "null"
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	if _, ok := s["items"]; ok {
		return "array"
	}
	return "object"
}

func intField(s map[string]any, k string) int {
	f, ok := s[k].(float64)
	if !ok || f < 0 {
		return 0
	}
	return int(f)
}

func numberAtLeast(s map[string]any, integer bool) any {
	v := 0.0
	if m, ok := s["minimum"].(float64); ok && m > 0 {
		v = m
	}
	if m, ok := s["exclusiveMinimum"].(float64); ok && m >= v {
		v = m + 1
	}
	if integer {
		i := int64(v)
		if float64(i) < v {
			i++
		}
		return i
	}
	return v
}
