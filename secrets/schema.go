package secrets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
)

// A secret type's JSON Schema comes from invopop/jsonschema: `json` tags name
// the fields, fields without omitempty are required, and `jsonschema` tags
// add description, pattern, minLength, maxLength, enum, minimum, maximum and
// default. A field of type [Value], or tagged `secret:"true"`, or
// `jsonschema:"writeOnly=true"`, is secret: prompts read it without echo.

var schemaCache sync.Map // reflect.Type → *jsonschema.Schema

// schemaOf returns the JSON Schema of t, root struct expanded in place.
func schemaOf(t reflect.Type) (s *jsonschema.Schema, err error) {
	if c, ok := schemaCache.Load(t); ok {
		return c.(*jsonschema.Schema), nil
	}
	defer func() {
		if r := recover(); r != nil { // jsonschema panics on chan, func…
			s, err = nil, fmt.Errorf("secrets: no JSON Schema for %s: %v", t, r)
		}
	}()
	r := &jsonschema.Reflector{
		Anonymous:      true,
		ExpandedStruct: true,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == valueType {
				return Value{}.JSONSchema()
			}
			return nil
		},
	}
	s = r.ReflectFromType(t)
	st := t
	for st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct && s.Properties != nil {
		for _, f := range jsonFields(st) {
			if secret, _ := strconv.ParseBool(f.sf.Tag.Get("secret")); !secret {
				continue
			}
			if p, ok := s.Properties.Get(f.name); ok && p != nil {
				p.WriteOnly = true
			}
		}
	}
	schemaCache.Store(t, s)
	return s, nil
}

// validateJSON checks data against root. The error wraps [ErrInvalidValue],
// lists every problem and quotes no value.
func validateJSON(root *jsonschema.Schema, data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("%w: not valid JSON", ErrInvalidValue)
	}
	return validateAny(root, v)
}

func validateAny(root *jsonschema.Schema, v any) error {
	vd := validator{root: root}
	vd.check(root, v, "")
	if len(vd.problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidValue, strings.Join(vd.problems, "; "))
}

type validator struct {
	root     *jsonschema.Schema
	problems []string
}

func (vd *validator) resolve(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != "" && i < 32; i++ {
		name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
		if !ok {
			return nil
		}
		s = vd.root.Definitions[name]
	}
	return s
}

func (vd *validator) fail(path, format string, args ...any) {
	if path == "" {
		path = "value"
	}
	vd.problems = append(vd.problems, path+": "+fmt.Sprintf(format, args...))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (vd *validator) check(s *jsonschema.Schema, v any, path string) {
	s = vd.resolve(s)
	switch s {
	case nil, jsonschema.TrueSchema:
		return
	case jsonschema.FalseSchema:
		vd.fail(path, "not allowed")
		return
	}
	if len(s.AnyOf)+len(s.OneOf) > 0 {
		ok := false
		for _, sub := range append(append([]*jsonschema.Schema{}, s.AnyOf...), s.OneOf...) {
			sv := validator{root: vd.root}
			sv.check(sub, v, path)
			ok = ok || len(sv.problems) == 0
		}
		if !ok {
			vd.fail(path, "matches none of the allowed shapes")
			return
		}
	}
	if s.Type != "" && !hasType(s.Type, v) {
		vd.fail(path, "want a JSON %s", s.Type)
		return
	}
	if len(s.Enum) > 0 {
		found := false
		choices := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			choices[i] = fmt.Sprint(e)
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			vd.fail(path, "must be one of %s", strings.Join(choices, ", "))
		}
	}
	switch x := v.(type) {
	case string:
		n := uint64(utf8.RuneCountInString(x))
		if s.MinLength != nil && n < *s.MinLength {
			vd.fail(path, "shorter than %d characters", *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			vd.fail(path, "longer than %d characters", *s.MaxLength)
		}
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			switch {
			case err != nil:
				vd.fail(path, "schema pattern %s does not compile", s.Pattern)
			case !re.MatchString(x):
				vd.fail(path, "does not match pattern %s", s.Pattern)
			}
		}
	case json.Number:
		f, _ := x.Float64()
		bound := func(b json.Number, bad func(f, b float64) bool, what string) {
			if b == "" {
				return
			}
			if bf, err := b.Float64(); err == nil && bad(f, bf) {
				vd.fail(path, "%s %s", what, b)
			}
		}
		bound(s.Minimum, func(f, b float64) bool { return f < b }, "less than the minimum")
		bound(s.Maximum, func(f, b float64) bool { return f > b }, "more than the maximum")
		bound(s.ExclusiveMinimum, func(f, b float64) bool { return f <= b }, "not more than")
		bound(s.ExclusiveMaximum, func(f, b float64) bool { return f >= b }, "not less than")
	case []any:
		if s.MinItems != nil && uint64(len(x)) < *s.MinItems {
			vd.fail(path, "fewer than %d items", *s.MinItems)
		}
		if s.MaxItems != nil && uint64(len(x)) > *s.MaxItems {
			vd.fail(path, "more than %d items", *s.MaxItems)
		}
		for i, e := range x {
			vd.check(s.Items, e, fmt.Sprintf("%s[%d]", path, i))
		}
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				vd.fail(join(path, r), "required")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			e := x[k]
			var sub *jsonschema.Schema
			if s.Properties != nil {
				sub, _ = s.Properties.Get(k)
			}
			if sub == nil {
				if s.AdditionalProperties == jsonschema.FalseSchema && len(s.PatternProperties) == 0 {
					vd.fail(join(path, k), "unknown field")
					continue
				}
				sub = s.AdditionalProperties
			}
			vd.check(sub, e, join(path, k))
		}
	}
}

func hasType(typ string, v any) bool {
	switch x := v.(type) {
	case nil:
		return typ == "null"
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case json.Number:
		if typ == "number" {
			return true
		}
		if typ != "integer" {
			return false
		}
		if _, err := x.Int64(); err == nil {
			return true
		}
		f, err := x.Float64()
		return err == nil && f == float64(int64(f))
	case []any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	}
	return false
}

// shapeOf renders the JSON shape a schema expects, for error messages:
// {"seed":"<string>","port":<integer>}.
func shapeOf(root, s *jsonschema.Schema) string {
	vd := validator{root: root}
	var b strings.Builder
	var walk func(s *jsonschema.Schema, depth int)
	walk = func(s *jsonschema.Schema, depth int) {
		s = vd.resolve(s)
		if s == nil || depth > 8 {
			b.WriteString("<any>")
			return
		}
		switch s.Type {
		case "object":
			b.WriteByte('{')
			if s.Properties != nil {
				i := 0
				for p := s.Properties.Oldest(); p != nil; p = p.Next() {
					if i > 0 {
						b.WriteByte(',')
					}
					i++
					k, _ := json.Marshal(p.Key)
					b.Write(k)
					b.WriteByte(':')
					walk(p.Value, depth+1)
				}
			}
			b.WriteByte('}')
		case "array":
			b.WriteByte('[')
			walk(s.Items, depth+1)
			b.WriteString(",…]")
		case "string":
			if len(s.Enum) > 0 {
				parts := make([]string, len(s.Enum))
				for i, e := range s.Enum {
					parts[i] = fmt.Sprint(e)
				}
				b.WriteString(`"` + strings.Join(parts, "|") + `"`)
				return
			}
			b.WriteString(`"<string>"`)
		case "boolean":
			b.WriteString("<true|false>")
		case "":
			b.WriteString("<any>")
		default:
			b.WriteString("<" + s.Type + ">")
		}
	}
	walk(s, 0)
	return b.String()
}
