package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
	"golang.org/x/term"
)

// maxAttempts bounds how often one question is asked again.
const maxAttempts = 5

// terminal is where a person answers prompts.
type terminal struct {
	in    *os.File
	out   io.Writer
	owned *os.File // opened here, closed by close
}

// terminal finds the terminal to prompt on: the one given with
// [WithTerminal], else /dev/tty, else standard input if it is a terminal.
// It never reads, so it never blocks.
func (s *Store) terminal() (*terminal, error) {
	if s.tty != nil {
		if !term.IsTerminal(int(s.tty.Fd())) {
			return nil, ErrNoTerminal
		}
		return &terminal{in: s.tty, out: s.tty}, nil
	}
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		if term.IsTerminal(int(f.Fd())) {
			return &terminal{in: f, out: f, owned: f}, nil
		}
		_ = f.Close()
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return &terminal{in: os.Stdin, out: os.Stderr}, nil
	}
	return nil, ErrNoTerminal
}

func (t *terminal) close() {
	if t.owned != nil {
		_ = t.owned.Close()
	}
}

// readLine reads one line; secret lines are read with echo off.
func (t *terminal) readLine(secret bool) (string, error) {
	if secret {
		b, err := term.ReadPassword(int(t.in.Fd()))
		_, _ = io.WriteString(t.out, "\n")
		if err != nil {
			return "", fmt.Errorf("reading the terminal: %w", err)
		}
		return string(b), nil
	}
	// One byte at a time: nothing typed ahead is lost to a buffer before a
	// later no-echo read.
	var line []byte
	var buf [1]byte
	for {
		n, err := t.in.Read(buf[:])
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(string(line), "\r"), nil
			}
			line = append(line, buf[0])
		}
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the terminal: %w", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return "", fmt.Errorf("reading the terminal: %w", err)
		}
	}
}

// ask prompts for a whole secret and returns its JSON, valid for root.
func (t *terminal) ask(ctx context.Context, name Name, root *jsonschema.Schema) ([]byte, error) {
	vd := validator{root: root}
	fmt.Fprintf(t.out, "harmony needs the secret %s (setting %s skips this prompt).\n", name, name.EnvVar())
	if root.Type == "object" && root.Properties != nil && root.Properties.Len() > 0 {
		if root.Description != "" {
			fmt.Fprintln(t.out, root.Description)
		}
		required := map[string]bool{}
		for _, r := range root.Required {
			required[r] = true
		}
		obj := map[string]any{}
		for p := root.Properties.Oldest(); p != nil; p = p.Next() {
			prop := vd.resolve(p.Value)
			if !promptable(prop) {
				return nil, fmt.Errorf("field %s cannot be typed in; set %s to JSON like %s", p.Key, name.EnvVar(), shapeOf(root, root))
			}
			v, ok, err := t.askOne(ctx, root, p.Key, prop, required[p.Key])
			if err != nil {
				return nil, err
			}
			if ok {
				obj[p.Key] = v
			}
		}
		if err := validateAny(root, obj); err != nil {
			return nil, err
		}
		return json.Marshal(obj)
	}
	if !promptable(root) {
		return nil, fmt.Errorf("a %s cannot be typed in; set %s to JSON like %s", root.Type, name.EnvVar(), shapeOf(root, root))
	}
	v, _, err := t.askOne(ctx, root, string(name), root, true)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func promptable(s *jsonschema.Schema) bool {
	if s == nil {
		return false
	}
	switch s.Type {
	case "string", "integer", "number", "boolean":
		return true
	}
	return false
}

// askOne asks for one field until the answer satisfies its schema. ok is
// false when an optional field was left empty.
func (t *terminal) askOne(ctx context.Context, root *jsonschema.Schema, label string, s *jsonschema.Schema, required bool) (v any, ok bool, err error) {
	secret := s.WriteOnly
	q := label
	if s.Description != "" {
		q += " — " + s.Description
	}
	var hints []string
	if len(s.Enum) > 0 {
		choices := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			choices[i] = fmt.Sprint(e)
		}
		hints = append(hints, "one of "+strings.Join(choices, ", "))
	}
	if s.Default != nil && !secret {
		hints = append(hints, fmt.Sprintf("default %v", s.Default))
	}
	if !required && s.Default == nil {
		hints = append(hints, "optional")
	}
	if secret {
		hints = append(hints, "hidden")
	}
	if len(hints) > 0 {
		q += " [" + strings.Join(hints, "; ") + "]"
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		fmt.Fprintf(t.out, "%s: ", q)
		line, err := t.readLine(secret)
		if err != nil {
			return nil, false, err
		}
		var problem string
		switch {
		case line == "" && s.Default != nil:
			line = fmt.Sprint(s.Default)
			fallthrough
		case line != "":
			v, perr := parseAnswer(s.Type, line)
			if perr != nil {
				problem = perr.Error()
				break
			}
			vd := validator{root: root}
			vd.check(s, v, label)
			if len(vd.problems) == 0 {
				return v, true, nil
			}
			problem = strings.Join(vd.problems, "; ")
		case !required:
			return nil, false, nil
		default:
			problem = label + ": required"
		}
		if attempt == maxAttempts {
			return nil, false, fmt.Errorf("%w: %s: %d answers rejected", ErrInvalidValue, label, maxAttempts)
		}
		fmt.Fprintf(t.out, "  invalid: %s; try again\n", problem)
	}
}

// parseAnswer turns typed text into the JSON value of a schema type.
func parseAnswer(typ, line string) (any, error) {
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(line, 10, 64); err != nil {
			return nil, errors.New("want a whole number")
		}
		return json.Number(line), nil
	case "number":
		if _, err := strconv.ParseFloat(line, 64); err != nil {
			return nil, errors.New("want a number")
		}
		return json.Number(line), nil
	case "boolean":
		switch strings.ToLower(line) {
		case "y", "yes", "true":
			return true, nil
		case "n", "no", "false":
			return false, nil
		}
		return nil, errors.New("want yes or no")
	}
	return line, nil
}
