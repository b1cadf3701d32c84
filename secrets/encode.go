package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The store's encoder. json.Marshal prints every Value as "REDACTED", which is
// right for output and wrong for storage; encodeRevealed writes the same JSON
// encoding/json would, except that Values carry their plaintext. Parts of a
// type that hold no Value are handed to json.Marshal unchanged.

var valueType = reflect.TypeFor[Value]()

// encodeRevealed returns the JSON of v with every [Value] revealed; an
// empty Value counts as empty for omitempty.
func encodeRevealed(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeRevealed(&buf, reflect.ValueOf(v), ""); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

func writeRevealed(buf *bytes.Buffer, rv reflect.Value, quoteOpt string) error {
	if !rv.IsValid() {
		buf.WriteString("null")
		return nil
	}
	t := rv.Type()
	if t == valueType {
		return writeJSON(buf, rv.Interface().(Value).Reveal())
	}
	if !containsValue(t) {
		if quoteOpt != "" {
			return writeQuoted(buf, rv)
		}
		return writeJSON(buf, rv.Interface())
	}
	if k := t.Kind(); k == reflect.Pointer || k == reflect.Interface {
		if rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return writeRevealed(buf, rv.Elem(), "")
	}
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return fmt.Errorf("secrets: cannot store %s: it implements json.Marshaler and holds a secrets.Value, whose plaintext it would lose", t)
	}
	switch t.Kind() {
	case reflect.Struct:
		buf.WriteByte('{')
		first := true
		for _, f := range jsonFields(t) {
			fv, err := rv.FieldByIndexErr(f.index)
			if err != nil { // through a nil embedded pointer: encoding/json skips it too
				continue
			}
			if f.omitEmpty && isEmptyJSON(fv) || f.omitZero && fv.IsZero() {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			if err := writeJSON(buf, f.name); err != nil {
				return err
			}
			buf.WriteByte(':')
			q := ""
			if f.quoted {
				q = "string"
			}
			if err := writeRevealed(buf, fv, q); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('[')
		for i := range rv.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeRevealed(buf, rv.Index(i), ""); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		if rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("secrets: cannot store %s: maps holding a secrets.Value need string keys", t)
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, k.String()); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeRevealed(buf, rv.MapIndex(k), ""); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	return fmt.Errorf("secrets: cannot store %s", t)
}

func writeJSON(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// writeQuoted implements the ",string" field option for scalars.
func writeQuoted(buf *bytes.Buffer, rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		b, err := json.Marshal(rv.Interface())
		if err != nil {
			return err
		}
		return writeJSON(buf, string(b))
	}
	return writeJSON(buf, rv.Interface())
}

// isEmptyJSON is encoding/json's omitempty test, plus: an empty [Value]
// is empty, like the string it stands for.
func isEmptyJSON(v reflect.Value) bool {
	if v.Type() == valueType {
		return v.Interface().(Value).IsZero()
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

var containsCache sync.Map // reflect.Type → bool

// containsValue reports whether a value of type t can hold a [Value].
func containsValue(t reflect.Type) bool {
	if c, ok := containsCache.Load(t); ok {
		return c.(bool)
	}
	c := containsValueRec(t, map[reflect.Type]bool{})
	containsCache.Store(t, c)
	return c
}

func containsValueRec(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == valueType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return containsValueRec(t.Elem(), seen)
	case reflect.Map:
		return containsValueRec(t.Key(), seen) || containsValueRec(t.Elem(), seen)
	case reflect.Interface:
		return true // anything, a Value included, can hide behind it
	case reflect.Struct:
		for i := range t.NumField() {
			if containsValueRec(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// field is one JSON member of a struct, found the way encoding/json finds it.
type field struct {
	name      string
	index     []int
	tagged    bool
	omitEmpty bool
	omitZero  bool
	quoted    bool
	sf        reflect.StructField
}

var fieldsCache sync.Map // reflect.Type → []field

// jsonFields lists the JSON members of struct type t with encoding/json's
// rules: exported fields, tag names, "-", embedded structs promoted, and
// among equal names the shallowest (then the only tagged one) wins.
func jsonFields(t reflect.Type) []field {
	if fs, ok := fieldsCache.Load(t); ok {
		return fs.([]field)
	}
	type cand struct {
		field
		depth int
	}
	var all []cand
	var walk func(t reflect.Type, index []int, depth int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, index []int, depth int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			if sf.Anonymous {
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
				if name == "" && ft.Kind() == reflect.Struct {
					walk(ft, idx, depth+1, seen)
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			f := field{name: name, index: idx, tagged: name != "", sf: sf}
			if f.name == "" {
				f.name = sf.Name
			}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "omitzero":
					f.omitZero = true
				case "string":
					f.quoted = true
				}
			}
			all = append(all, cand{f, depth})
		}
	}
	walk(t, nil, 0, map[reflect.Type]bool{})

	var out []field
	for i, c := range all {
		dominant, ambiguous := true, false
		for j, o := range all {
			if i == j || o.name != c.name {
				continue
			}
			switch {
			case o.depth < c.depth, o.depth == c.depth && o.tagged && !c.tagged:
				dominant = false
			case o.depth == c.depth && o.tagged == c.tagged:
				ambiguous = true
			}
		}
		if dominant && !ambiguous {
			out = append(out, c.field)
		}
	}
	fieldsCache.Store(t, out)
	return out
}

// decodeStrict decodes data into a new T. Its error never quotes data: it
// gives the position of a syntax error or the field and expected type.
func decodeStrict[T any](data []byte) (T, error) {
	var v T
	err := json.Unmarshal(data, &v)
	if err == nil {
		return v, nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return v, fmt.Errorf("not valid JSON (syntax error at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "value"
		}
		got, _, _ := strings.Cut(typ.Value, " ") // "number 42" quotes the number
		return v, fmt.Errorf("%s: want %s, got a JSON %s", where, typ.Type, got)
	}
	return v, errors.New("cannot decode JSON into " + strconv.Quote(reflect.TypeFor[T]().String()))
}
