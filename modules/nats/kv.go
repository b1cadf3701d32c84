package nats

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/harmony-go/harmony/pkg/inventory"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
	"github.com/harmony-go/harmony/topology"
)

// KindKV is the kind of the KV score.
const KindKV = "nats.kv"

// Storage is where a bucket keeps its data.
type Storage string

// The storages a bucket may use.
const (
	FileStorage   Storage = "file"
	MemoryStorage Storage = "memory"
)

// KV is a JetStream key-value bucket, managed as an NKey user (normally the
// account's admin) through the given servers. Changing replicas or
// placement updates the bucket in place; a change that cannot be made in
// place (storage) is refused, never done by deleting the bucket.
type KV[T interface {
	topology.Topology
	topology.NatsConnector
}] struct {
	Bucket      string `json:"bucket"`
	Description string `json:"description,omitempty"`
	// History is how many values per key are kept (1 when zero, at most 64).
	History int `json:"history,omitempty"`
	// TTL expires values older than this (zero: never).
	TTL time.Duration `json:"ttl,omitempty"`
	// MaxValueSize and MaxBytes bound one value and the bucket (zero: no
	// limit beyond the account's).
	MaxValueSize int32 `json:"maxValueSize,omitempty"`
	MaxBytes     int64 `json:"maxBytes,omitempty"`
	// Storage is file (default) or memory.
	Storage  Storage `json:"storage,omitempty"`
	Replicas int     `json:"replicas"`
	// Placement pins the bucket to a cluster and tags.
	Placement *Placement `json:"placement,omitempty"`
	// SurviveSiteLoss asks Validate to refuse a bucket that could not
	// survive the loss of any one site of Layout: fewer than 3 sites or
	// replicas, a site holding a majority of the JetStream meta group, or a
	// placement without one server per site (ADR-0003).
	SurviveSiteLoss bool    `json:"surviveSiteLoss,omitempty"`
	Layout          *Layout `json:"layout,omitempty"`

	// Account and User name the NKey user that manages the bucket.
	Account string `json:"account"`
	User    string `json:"user"`
	// Servers are the servers to connect through.
	Servers []string `json:"servers"`
	// Requires names scores this one runs after (e.g. the supercluster).
	Requires []string       `json:"dependsOn,omitempty"`
	Secrets  *secrets.Store `json:"-"`
}

// Placement pins a stream to a cluster and to servers with all the tags.
type Placement struct {
	Cluster string   `json:"cluster,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

// Name returns "nats.kv/<bucket>".
func (k KV[T]) Name() string { return KindKV + "/" + k.Bucket }

// DependsOn returns Requires.
func (k KV[T]) DependsOn() []string { return k.Requires }

var bucketPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Validate returns every problem at once.
func (k KV[T]) Validate() error {
	var errs score.ErrorList
	switch {
	case k.Bucket == "":
		errs = append(errs, score.Required("bucket", "a bucket needs a name"))
	case !bucketPattern.MatchString(k.Bucket):
		errs = append(errs, score.Invalid("bucket", "use letters, digits, '-' and '_' only"))
	}
	if k.History < 0 || k.History > jetstream.KeyValueMaxHistory {
		errs = append(errs, score.Invalid("history", fmt.Sprintf("must be between 1 and %d", jetstream.KeyValueMaxHistory)))
	}
	if k.TTL < 0 {
		errs = append(errs, score.Invalid("ttl", "must not be negative"))
	}
	if k.MaxValueSize < 0 {
		errs = append(errs, score.Invalid("maxValueSize", "must not be negative"))
	}
	if k.MaxBytes < 0 {
		errs = append(errs, score.Invalid("maxBytes", "must not be negative"))
	}
	if k.Storage != "" && k.Storage != FileStorage && k.Storage != MemoryStorage {
		errs = append(errs, score.Invalid("storage", `must be "file" or "memory"`))
	}
	if k.Replicas < 1 || k.Replicas > 5 {
		errs = append(errs, score.Invalid("replicas", "must be between 1 and 5"))
	}
	if k.Account == "" {
		errs = append(errs, score.Required("account", "the account the bucket lives in"))
	}
	if k.User == "" {
		errs = append(errs, score.Required("user", "the user that manages the bucket"))
	}
	if len(k.Servers) == 0 {
		errs = append(errs, score.Required("servers", "servers to connect through"))
	}
	if k.Secrets == nil {
		errs = append(errs, score.Required("secrets", "the secret store holding the user's NKey seed"))
	}
	if k.SurviveSiteLoss {
		errs = append(errs, siteLossProblems(k.Layout, k.Replicas, k.Placement)...)
	}
	return errs.Err()
}

// config is the bucket's desired jetstream configuration.
func (k KV[T]) config() jetstream.KeyValueConfig {
	cfg := jetstream.KeyValueConfig{
		Bucket: k.Bucket, Description: k.Description, History: uint8(max(k.History, 1)),
		TTL: k.TTL, MaxValueSize: k.MaxValueSize, MaxBytes: k.MaxBytes, Replicas: k.Replicas,
		Storage: jetstream.FileStorage,
	}
	if cfg.MaxValueSize == 0 {
		cfg.MaxValueSize = -1
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = -1
	}
	if k.Storage == MemoryStorage {
		cfg.Storage = jetstream.MemoryStorage
	}
	if p := k.Placement; p != nil {
		cfg.Placement = &jetstream.Placement{Cluster: p.Cluster, Tags: p.Tags}
	}
	return cfg
}

// Interpret returns the bucket's Interpret.
func (k KV[T]) Interpret() score.Interpret[T] { return kvInterpret[T]{k: k} }

type kvInterpret[T interface {
	topology.Topology
	topology.NatsConnector
}] struct {
	k KV[T]
}

// stream opens a JetStream context and looks the bucket's stream up. A
// missing bucket gives a nil stream info and no error.
func (ki kvInterpret[T]) stream(ctx context.Context, t T) (jetstream.JetStream, *jetstream.StreamInfo, func(), error) {
	nc, err := Connect(ctx, t.NatsClientURLs(ki.k.Servers), ki.k.Secrets, ki.k.Account, ki.k.User)
	if err != nil {
		return nil, nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	var info *jetstream.StreamInfo
	err = retryJS(ctx, func() error {
		s, err := js.Stream(ctx, "KV_"+ki.k.Bucket)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			info = nil
			return nil
		}
		if err != nil {
			return err
		}
		info = s.CachedInfo()
		return nil
	})
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	return js, info, nc.Close, nil
}

// retryJS retries a JetStream API call while the cluster is still electing
// leaders (no responders, timeouts, "temporarily unavailable"), for at most
// a minute when ctx has no deadline.
func retryJS(ctx context.Context, call func() error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Minute)
		defer cancel()
	}
	delay := 100 * time.Millisecond
	for {
		err := call()
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.Code >= 400 && apiErr.Code < 500 && apiErr.ErrorCode != errStreamMoveInProgress {
			return score.Permanent(err) // the server refused the request itself
		}
		if err == nil || score.IsPermanent(err) {
			return err
		}
		score.Progress(ctx, "waiting for JetStream: %v", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// differences lists how the live stream differs from cfg. refused holds the
// ones that cannot be changed in place.
func differences(live jetstream.StreamConfig, cfg jetstream.KeyValueConfig) (changes []score.Change, refused []string) {
	add := func(field string, from, to any) {
		changes = append(changes, score.Change{Action: score.ActionUpdate, Target: "bucket/" + cfg.Bucket, Field: field,
			From: fmt.Sprint(from), To: fmt.Sprint(to)})
	}
	if live.MaxMsgsPerSubject != int64(cfg.History) {
		add("history", live.MaxMsgsPerSubject, cfg.History)
	}
	if live.MaxAge != cfg.TTL {
		add("ttl", live.MaxAge, cfg.TTL)
	}
	if live.MaxMsgSize != cfg.MaxValueSize {
		add("maxValueSize", live.MaxMsgSize, cfg.MaxValueSize)
	}
	if live.MaxBytes != cfg.MaxBytes {
		add("maxBytes", live.MaxBytes, cfg.MaxBytes)
	}
	if live.Description != cfg.Description {
		add("description", live.Description, cfg.Description)
	}
	if live.Replicas != cfg.Replicas {
		add("replicas", live.Replicas, cfg.Replicas)
	}
	if a, b := placementString(live.Placement), placementString(cfg.Placement); a != b {
		add("placement", a, b)
	}
	if live.Storage != cfg.Storage {
		changes = append(changes, score.Change{Action: score.ActionUpdate, Target: "bucket/" + cfg.Bucket, Field: "storage",
			From: live.Storage.String(), To: cfg.Storage.String(), Detail: "refused: storage cannot change in place"})
		refused = append(refused, fmt.Sprintf("storage %s -> %s cannot change in place (it would mean deleting the bucket and its data); create a new bucket and copy the keys instead", live.Storage, cfg.Storage))
	}
	return changes, refused
}

func placementString(p *jetstream.Placement) string {
	if p == nil || (p.Cluster == "" && len(p.Tags) == 0) {
		return "any"
	}
	s := "cluster=" + p.Cluster
	if len(p.Tags) > 0 {
		s += " tags=" + fmt.Sprint(p.Tags)
	}
	return s
}

func (ki kvInterpret[T]) Plan(ctx context.Context, _ *inventory.Inventory, t T) (score.Plan, error) {
	create := score.Plan{Score: ki.k.Name(), Changes: []score.Change{{Action: score.ActionCreate, Target: "bucket/" + ki.k.Bucket,
		Detail: "replicas " + strconv.Itoa(ki.k.Replicas) + ", placement " + placementString(ki.k.config().Placement)}}}
	_, info, closeFn, err := ki.stream(ctx, t)
	if errors.Is(err, ErrNotDeployed) || errors.Is(err, secrets.ErrNotFound) {
		return create, nil // the servers or the user come with an earlier score
	}
	if err != nil {
		return score.Plan{}, err
	}
	defer closeFn()
	if info == nil {
		return create, nil
	}
	changes, _ := differences(info.Config, ki.k.config())
	return score.Plan{Score: ki.k.Name(), Changes: changes}, nil
}

func (ki kvInterpret[T]) Execute(ctx context.Context, _ *inventory.Inventory, t T) (score.Outcome, error) {
	js, info, closeFn, err := ki.stream(ctx, t)
	if err != nil {
		return score.Outcome{}, err
	}
	defer closeFn()
	cfg := ki.k.config()
	if info == nil {
		err := retryJS(ctx, func() error {
			_, err := js.CreateKeyValue(ctx, cfg)
			if errors.Is(err, jetstream.ErrBucketExists) {
				return nil // an earlier attempt's request went through
			}
			return err
		})
		if err != nil {
			return score.Outcome{}, fmt.Errorf("create bucket: %w", err)
		}
		return score.Outcome{Status: score.Created, Message: "bucket " + ki.k.Bucket + " created"}, nil
	}
	changes, refused := differences(info.Config, cfg)
	if len(refused) > 0 {
		return score.Outcome{}, score.Permanent(fmt.Errorf("bucket %s: %s", ki.k.Bucket, refused[0]))
	}
	if len(changes) == 0 {
		return score.Outcome{Status: score.Unchanged, Message: "bucket " + ki.k.Bucket}, nil
	}
	// The server refuses to move and scale a stream in one update. Growing:
	// move at the current size, then scale up in the new place. Shrinking:
	// scale down where it is, then move the smaller group.
	steps := []jetstream.KeyValueConfig{cfg}
	if info.Config.Replicas != cfg.Replicas && placementString(info.Config.Placement) != placementString(cfg.Placement) {
		first := cfg
		if cfg.Replicas > info.Config.Replicas {
			first.Replicas = info.Config.Replicas
		} else {
			first.Placement = info.Config.Placement
		}
		steps = []jetstream.KeyValueConfig{first, cfg}
	}
	for i, step := range steps {
		if i > 0 {
			score.Progress(ctx, "bucket %s: waiting for its %d replica(s) to be current", ki.k.Bucket, steps[0].Replicas)
			if err := waitCurrent(ctx, js, "KV_"+ki.k.Bucket, steps[0].Replicas); err != nil {
				return score.Outcome{}, fmt.Errorf("update bucket in place: %w", err)
			}
		}
		err = retryJS(ctx, func() error {
			_, err := js.UpdateKeyValue(ctx, step)
			return err
		})
		if err != nil {
			return score.Outcome{}, fmt.Errorf("update bucket in place: %w", err)
		}
	}
	msg := "bucket " + ki.k.Bucket + " updated in place:"
	for _, c := range changes {
		msg += " " + c.Field + " " + c.From + " -> " + c.To
	}
	return score.Outcome{Status: score.Updated, Message: msg}, nil
}

// errStreamMoveInProgress is the server's answer to an update while an
// earlier placement change still moves the stream: wait and retry.
const errStreamMoveInProgress jetstream.ErrorCode = 10124

// waitCurrent polls a stream until it has replicas peers, all current.
func waitCurrent(ctx context.Context, js jetstream.JetStream, stream string, replicas int) error {
	return retryJS(ctx, func() error {
		s, err := js.Stream(ctx, stream)
		if err != nil {
			return err
		}
		c := s.CachedInfo().Cluster
		if c == nil || c.Leader == "" || len(c.Replicas)+1 != replicas {
			return fmt.Errorf("stream %s: waiting for %d peers", stream, replicas)
		}
		for _, r := range c.Replicas {
			if !r.Current {
				return fmt.Errorf("stream %s: replica %s catching up", stream, r.Name)
			}
		}
		return nil
	})
}
