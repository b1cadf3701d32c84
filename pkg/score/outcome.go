package score

// Status says what applying a score did.
type Status string

// The statuses of an Outcome.
const (
	Created   Status = "created"
	Updated   Status = "updated"
	Unchanged Status = "unchanged"
	Deleted   Status = "deleted"
	Failed    Status = "failed"
	Skipped   Status = "skipped"
)

// Outcome is the result of one score's Execute. Message and Details never
// hold secret values.
type Outcome struct {
	Score   string            `json:"score"`
	Status  Status            `json:"status"`
	Message string            `json:"message,omitempty"`
	Details map[string]string `json:"details,omitempty"`
}

// Succeeded reports whether the status is neither Failed nor Skipped.
func (o Outcome) Succeeded() bool { return o.Status != Failed && o.Status != Skipped }
