// Package wire is what the provider adapters' wire types share: the
// unknown-member pass-through (decoding keeps the JSON members a struct
// does not model in its Extra map and encoding writes them back, so that
// a request or response survives unmarshal → marshal even when the
// provider adds fields, and the gateway can forward a client's request
// whole), and the provider-neutral checks and pieces of every request
// (model and max output, schema, tool parameters, the failed-tool
// marker). It owns no wire type: each adapter declares its own and calls
// Unmarshal and Marshal from their JSON methods.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
)

// Fields is the set of JSON member names a wire struct models.
type Fields struct {
	names map[string]struct{}
	list  []string
}

// FieldsOf returns the JSON names of T's exported fields, read from their
// tags; fields tagged "-" (Extra among them) are left out. Compute it once
// per type, in a package variable: it uses reflection.
func FieldsOf[T any]() Fields {
	t := reflect.TypeFor[T]()
	fs := Fields{names: map[string]struct{}{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs.names[name] = struct{}{}
		fs.list = append(fs.list, name)
	}
	return fs
}

// has reports whether encoding/json would have decoded member name into a
// field: it matches names case-insensitively, so must we.
func (fs Fields) has(name string) bool {
	if _, ok := fs.names[name]; ok {
		return true
	}
	for _, n := range fs.list {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// Unmarshal decodes the JSON object b into a fresh T and, on success,
// stores it in *dst and the members fs does not model in *extra (nil when
// there are none). T must be a method-less alias of the wire type (so that
// decoding does not recurse into the caller's UnmarshalJSON), and extra
// usually points into *dst:
//
//	type plain ChatRequest
//	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChatRequest)
//
// On error *dst and *extra are left as they were.
func Unmarshal[T any](b []byte, dst *T, extra *map[string]json.RawMessage, fs Fields) error {
	var w T
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	x, err := unknownMembers(b, fs)
	if err != nil {
		return err
	}
	*dst = w
	*extra = x
	return nil
}

// Marshal encodes v (a method-less alias of the wire type) and appends the
// extra members in sorted order, skipping any that fs models, so that
// Extra can never shadow a modelled field. An extra member that is not
// valid JSON, or extra members on a value that is not an object, are an
// error.
func Marshal(v any, extra map[string]json.RawMessage, fs Fields) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !fs.has(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return b, nil
	}
	slices.Sort(keys)
	b = bytes.TrimRight(b, " \t\r\n")
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, errors.New("extra members on a value that is not an object")
	}
	b = b[:len(b)-1]
	empty := len(bytes.TrimSpace(b)) == 1 // just "{"
	for _, k := range keys {
		raw := extra[k]
		if !json.Valid(raw) {
			return nil, errors.New("extra member " + k + " is not valid JSON")
		}
		if !empty {
			b = append(b, ',')
		}
		empty = false
		kb, _ := json.Marshal(k)
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, raw...)
	}
	return append(b, '}'), nil
}

// String encodes s as a JSON string.
func String(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

var errScan = errors.New("malformed JSON object")

// unknownMembers walks the top-level members of the JSON object b (already
// validated by a successful decode) and copies those fs does not model.
func unknownMembers(b []byte, fs Fields) (map[string]json.RawMessage, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, nil // null: nothing to keep
	}
	i++
	var extra map[string]json.RawMessage
	for {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == '}' {
			return extra, nil
		}
		ks := i
		ke, err := skipString(b, i)
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return nil, errScan
		}
		vs := skipSpace(b, i+1)
		ve, err := skipValue(b, vs)
		if err != nil {
			return nil, err
		}
		key := b[ks+1 : ke-1]
		var name string
		if bytes.IndexByte(key, '\\') >= 0 {
			if err := json.Unmarshal(b[ks:ke], &name); err != nil {
				return nil, err
			}
		} else {
			name = string(key)
		}
		if !fs.has(name) {
			if extra == nil {
				extra = make(map[string]json.RawMessage)
			}
			extra[name] = append(json.RawMessage(nil), b[vs:ve]...)
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return nil, errScan
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return extra, nil
		default:
			return nil, errScan
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at b[i].
func skipString(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, errScan
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errScan
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errScan
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errScan
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i, nil
			}
			i++
		}
		return i, nil
	}
}
