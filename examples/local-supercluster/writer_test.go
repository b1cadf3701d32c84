package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// writer puts keys without pause, recording each acknowledged revision,
// until stopped.
type writer struct {
	mu        sync.Mutex
	acked     map[string]uint64
	order     []string
	sentTimes []time.Time // when each acknowledged put was sent
	ackTimes  []time.Time
	failures  int
	stop      chan struct{}
	done      chan struct{}
}

func startWriter(t *testing.T, kv jetstream.KeyValue, prefix string) *writer {
	w := &writer{acked: map[string]uint64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			key := fmt.Sprintf("%s.%d", prefix, i)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			sent := time.Now()
			rev, err := kv.Put(ctx, key, []byte(key))
			cancel()
			w.mu.Lock()
			if err != nil {
				w.failures++
			} else {
				w.acked[key] = rev
				w.order = append(w.order, key)
				w.sentTimes = append(w.sentTimes, sent)
				w.ackTimes = append(w.ackTimes, time.Now())
			}
			w.mu.Unlock()
			if err != nil {
				time.Sleep(50 * time.Millisecond) // not acknowledged: retry with a new key
			}
		}
	}()
	return w
}

func (w *writer) count() int { w.mu.Lock(); defer w.mu.Unlock(); return len(w.order) }

// ackedAfter counts the puts sent after ts and acknowledged, and returns
// when the first was acknowledged.
func (w *writer) ackedAfter(ts time.Time) (int, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, first := 0, time.Time{}
	for i, at := range w.ackTimes {
		if w.sentTimes[i].After(ts) {
			if n == 0 {
				first = at
			}
			n++
		}
	}
	return n, first
}

func (w *writer) halt() { close(w.stop); <-w.done }

// lost reads back every acknowledged put through kv and counts those
// missing or changed.
func (w *writer) lost(t *testing.T, kv jetstream.KeyValue) int {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for key, rev := range w.acked {
		got, err := kv.Get(t.Context(), key)
		if err != nil || got.Revision() != rev || string(got.Value()) != key {
			n++
		}
	}
	return n
}
