package maestro

import (
	"time"

	"github.com/harmony-go/harmony/pkg/score"
)

// EventType says what happened to a score.
type EventType string

// The event types, in the order a score sees them.
const (
	EventStarted  EventType = "started"
	EventProgress EventType = "progress"
	EventFinished EventType = "finished"
)

// Event is one step of a run. It never holds a secret value.
type Event struct {
	Type    EventType      `json:"event"`
	Score   string         `json:"score"`
	Message string         `json:"message,omitempty"`
	Outcome *score.Outcome `json:"outcome,omitempty"`
	Time    time.Time      `json:"time"`
}

// Observer receives events. See WithObserver.
type Observer func(Event)

// Report lists the outcome of every score of a run, in the order the scores
// were given.
type Report struct {
	Outcomes []score.Outcome `json:"outcomes"`
}

// Failed reports whether any score failed or was skipped.
func (r Report) Failed() bool {
	for _, o := range r.Outcomes {
		if !o.Succeeded() {
			return true
		}
	}
	return false
}

// Count returns how many outcomes have status s.
func (r Report) Count(s score.Status) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Status == s {
			n++
		}
	}
	return n
}
