package score

import (
	"context"
	"fmt"
)

type progressKey struct{}

// ProgressFunc receives progress messages of a running score.
type ProgressFunc func(msg string)

// WithProgress returns a context whose Progress calls go to fn. Maestro sets
// it for each Interpret it runs.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// Progress reports a step of a long operation ("waiting for JetStream on
// c1-0"). It is a no-op when nobody listens. Never pass secret values.
func Progress(ctx context.Context, format string, args ...any) {
	fn, _ := ctx.Value(progressKey{}).(ProgressFunc)
	if fn == nil {
		return
	}
	fn(fmt.Sprintf(format, args...))
}
