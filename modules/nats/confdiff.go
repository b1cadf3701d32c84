package nats

import (
	"crypto/tls"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
)

// This file compares nats-server configs the way the server itself does
// (server/reload.go diffOptions in nats-server v2.15.2), so that harmony
// knows before touching a server whether a new config reloads (SIGHUP) or
// needs a rolling restart, and can report auth drift between servers.

// ErrInvalidServerConfig wraps every failure to parse a config in
// ClassifyChange and ParseAuth; the wrapped error is the parser's, with
// line numbers.
var ErrInvalidServerConfig = errors.New("invalid nats-server config")

// ConfigChange says how a running server takes a new config.
type ConfigChange struct {
	// Restart is true when some difference needs a (rolling) restart:
	// nats-server refuses to reload it, or ignores it on reload.
	Restart bool
	// Reload is true when at least one difference applies with a reload
	// (SIGHUP); false when nothing differs. When Restart is also true the
	// restart applies those differences too, so act on Restart first.
	Reload bool
	// Fields names every differing setting, sorted, by its config path
	// ("accounts", "jetstream.max_file_store", "gateway", "server_name").
	// A setting harmony does not know is named by the snake_case of its
	// server.Options field ("max_subs", "leaf_node").
	Fields []string
	// RestartFields is the subset of Fields that forces the restart.
	RestartFields []string
}

// ClassifyChange compares two nats-server configs (file contents, as
// nats-server parses them) and says how a server running old takes new.
//
// It is pure: it reads no file except those the configs name (TLS
// certificates, which the parser loads and which must exist, and includes),
// creates nothing (a store_dir need not exist) and may be called
// concurrently. Configs that differ only in comments, whitespace, key order
// or key aliases yield the zero ConfigChange. Settings known to reload
// (accounts, users, NKeys, permissions, account JetStream limits,
// server_tags, logging, cluster routes, TLS, raising JetStream limits, ...)
// are compared explicitly; any other difference, including one in a setting
// harmony does not know, is classified restart. Reordering users inside an
// accounts block counts as an accounts change (a harmless reload).
//
// The error wraps ErrInvalidServerConfig when either config does not parse.
func ClassifyChange(old, new []byte) (ConfigChange, error) {
	o, err := parseServerConfig(old)
	if err != nil {
		return ConfigChange{}, fmt.Errorf("old config: %w", err)
	}
	n, err := parseServerConfig(new)
	if err != nil {
		return ConfigChange{}, fmt.Errorf("new config: %w", err)
	}
	var d optionsDiffer
	d.compare(o, n)
	return d.result(), nil
}

// parsedConfig is a config as the server sees it (opts) and as written
// (raw: conf.Parse's map, with variables resolved and comments dropped).
type parsedConfig struct {
	opts *server.Options
	raw  map[string]any
}

func parseServerConfig(data []byte) (pc *parsedConfig, err error) {
	// The server's parser turns most panics into errors; this guards the rest
	// so that a broken config never takes harmony down.
	defer func() {
		if r := recover(); r != nil {
			pc, err = nil, fmt.Errorf("%w: parser panic: %v", ErrInvalidServerConfig, r)
		}
	}()
	raw, err := conf.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidServerConfig, err)
	}
	opts := &server.Options{}
	if err := opts.ProcessConfigString(string(data)); err != nil {
		// Like server.ProcessConfigFile: warnings alone do not fail a config.
		var pe interface{ Errors() []error }
		if !errors.As(err, &pe) || len(pe.Errors()) > 0 {
			return nil, fmt.Errorf("%w: %w", ErrInvalidServerConfig, err)
		}
	}
	return &parsedConfig{opts: opts, raw: raw}, nil
}

// optionsDiffer collects differing settings and whether each forces a
// restart.
type optionsDiffer struct {
	fields  map[string]bool // name → restart
	covered map[string]bool // server.Options fields compared by a rule
}

func (d *optionsDiffer) add(name string, restart bool) {
	if d.fields == nil {
		d.fields = map[string]bool{}
	}
	d.fields[name] = d.fields[name] || restart
}

func (d *optionsDiffer) result() ConfigChange {
	var c ConfigChange
	for name, restart := range d.fields {
		c.Fields = append(c.Fields, name)
		if restart {
			c.RestartFields = append(c.RestartFields, name)
			c.Restart = true
		} else {
			c.Reload = true
		}
	}
	slices.Sort(c.Fields)
	slices.Sort(c.RestartFields)
	return c
}

// cover marks server.Options fields as compared by a rule, so the generic
// comparison skips them.
func (d *optionsDiffer) cover(goFields ...string) {
	if d.covered == nil {
		d.covered = map[string]bool{}
	}
	for _, f := range goFields {
		d.covered[f] = true
	}
}

// field compares values extracted from both configs and records name when
// they differ.
func (d *optionsDiffer) field(name string, restart bool, o, n *parsedConfig, get func(*parsedConfig) any, goFields ...string) {
	d.cover(goFields...)
	if !sameOptionValue(get(o), get(n)) {
		d.add(name, restart)
	}
}

// ignoredOptions are server.Options fields that are not settings of a
// config file, or bookkeeping that never changes what a server does.
var ignoredOptions = map[string]bool{
	"ConfigFile":                 true, // where the options came from
	"configDigest":               true, // a checksum of the file
	"inConfig":                   true, // which booleans were explicit
	"inCmdLine":                  true, // command-line flags
	"NoLog":                      true, // embedding only; ignored by reload
	"NoSigs":                     true, // embedding only; ignored by reload
	"CheckConfig":                true, // the -t flag
	"RoutesStr":                  true, // the -routes flag; Routes holds the config's
	"CustomClientAuthentication": true, // embedding only; kept across reloads
	"CustomRouterAuthentication": true, // embedding only; kept across reloads
	"gatewaysSolicitDelay":       true, // tests only
	"overrideProto":              true, // tests only
}

func (d *optionsDiffer) compare(o, n *parsedConfig) {
	// Restart: diffOptions refuses to reload these ("config reload not
	// supported"), or the cluster could not take them in place.
	d.field("server_name", true, o, n, func(p *parsedConfig) any { return p.opts.ServerName }, "ServerName")
	d.field("listen", true, o, n, func(p *parsedConfig) any {
		host, port := p.opts.Host, p.opts.Port
		if host == "" {
			host = server.DEFAULT_HOST
		}
		if port == 0 {
			port = server.DEFAULT_PORT
		}
		return host + ":" + strconv.Itoa(port)
	}, "Host", "Port")
	d.field("http", true, o, n, func(p *parsedConfig) any {
		host := p.opts.HTTPHost
		if host == "" {
			host = p.opts.Host
		}
		if host == "" {
			host = server.DEFAULT_HOST
		}
		return [3]string{host, strconv.Itoa(p.opts.HTTPPort), p.opts.HTTPBasePath}
	}, "HTTPHost", "HTTPPort", "HTTPBasePath")
	d.field("https", true, o, n, func(p *parsedConfig) any { return p.opts.HTTPSPort }, "HTTPSPort")
	d.field("system_account", true, o, n, func(p *parsedConfig) any { return p.opts.SystemAccount }, "SystemAccount")
	// Lame duck settings: diffOptions has no case for them, so a reload fails
	// with "config reload not supported for LameDuckDuration".
	d.field("lame_duck_duration", true, o, n, func(p *parsedConfig) any {
		return durationOrDefault(p.opts.LameDuckDuration, server.DEFAULT_LAME_DUCK_DURATION)
	}, "LameDuckDuration")
	d.field("lame_duck_grace_period", true, o, n, func(p *parsedConfig) any {
		return durationOrDefault(p.opts.LameDuckGracePeriod, server.DEFAULT_LAME_DUCK_GRACE_PERIOD)
	}, "LameDuckGracePeriod")

	// Cluster: name and listen restart; routes and the rest reload.
	d.field("cluster.name", true, o, n, func(p *parsedConfig) any { return p.opts.Cluster.Name }, "Cluster")
	d.field("cluster.listen", true, o, n, func(p *parsedConfig) any {
		c := p.opts.Cluster
		if c.Host == "" && (c.Port != 0 || c.ListenStr != "") {
			c.Host = server.DEFAULT_HOST
		}
		return c.Host + ":" + strconv.Itoa(c.Port)
	})
	d.field("cluster", false, o, n, func(p *parsedConfig) any {
		c := p.opts.Cluster
		c.Name, c.Host, c.Port, c.ListenStr = "", "", 0, ""
		return c
	})
	d.field("cluster.routes", false, o, n, func(p *parsedConfig) any {
		routes := make([]string, 0, len(p.opts.Routes))
		for _, u := range p.opts.Routes {
			routes = append(routes, u.String())
		}
		slices.Sort(routes)
		return routes
	}, "Routes")

	// Any gateway change restarts: diffOptions refuses them, and silently
	// ignores gateway TLS changes (which therefore need a restart too).
	d.field("gateway", true, o, n, func(p *parsedConfig) any {
		g := p.opts.Gateway
		g.Gateways = slices.Clone(g.Gateways)
		slices.SortFunc(g.Gateways, func(a, b *server.RemoteGatewayOpts) int { return strings.Compare(a.Name, b.Name) })
		return g
	}, "Gateway")

	// JetStream. Enabling or disabling it reloads in nats-server, but in a
	// cluster it changes the meta group: harmony restarts for it.
	d.field("jetstream", true, o, n, func(p *parsedConfig) any { return p.opts.JetStream }, "JetStream")
	d.field("jetstream.store_dir", true, o, n, func(p *parsedConfig) any { return p.opts.StoreDir }, "StoreDir")
	d.field("jetstream.domain", true, o, n, func(p *parsedConfig) any { return p.opts.JetStreamDomain }, "JetStreamDomain")
	d.field("jetstream.unique_tag", true, o, n, func(p *parsedConfig) any { return p.opts.JetStreamUniqueTag }, "JetStreamUniqueTag")
	d.limit("jetstream.max_memory_store", o.opts.JetStream,
		serverJSLimit(o.opts, o.opts.JetStreamMaxMemory, "maxMemSet"), serverJSLimit(n.opts, n.opts.JetStreamMaxMemory, "maxMemSet"))
	d.limit("jetstream.max_file_store", o.opts.JetStream,
		serverJSLimit(o.opts, o.opts.JetStreamMaxStore, "maxStoreSet"), serverJSLimit(n.opts, n.opts.JetStreamMaxStore, "maxStoreSet"))
	d.cover("JetStreamMaxMemory", "JetStreamMaxStore", "maxMemSet", "maxStoreSet")
	d.field("jetstream.limits", false, o, n, func(p *parsedConfig) any { return p.opts.JetStreamLimits }, "JetStreamLimits")
	d.field("jetstream.meta_compact", false, o, n, func(p *parsedConfig) any {
		return [3]any{p.opts.JetStreamMetaCompact, p.opts.JetStreamMetaCompactSize, p.opts.JetStreamMetaCompactSync}
	}, "JetStreamMetaCompact", "JetStreamMetaCompactSize", "JetStreamMetaCompactSync")

	// Auth reloads. Account details (JetStream limits, exports, imports,
	// mappings) live in unexported parts of server.Account, so the accounts
	// and authorization blocks are compared as written.
	d.field("accounts", false, o, n, func(p *parsedConfig) any { return p.raw["accounts"] }, "Accounts")
	d.field("authorization", false, o, n, func(p *parsedConfig) any { return p.raw["authorization"] },
		"Username", "Password", "Authorization", "AuthTimeout", "authBlockDefined")
	// Users and NKeys come from those two blocks.
	d.cover("Users", "Nkeys")
	d.field("server_tags", false, o, n, func(p *parsedConfig) any {
		tags := slices.Clone([]string(p.opts.Tags))
		slices.Sort(tags)
		return tags
	}, "Tags")
	d.field("metadata", false, o, n, func(p *parsedConfig) any { return p.opts.Metadata }, "Metadata")

	// TLS: *tls.Config values are skipped by sameOptionValue; the unexported
	// tlsConfigOpts snapshot (paths and settings) stands for them.
	d.field("tls", false, o, n, func(p *parsedConfig) any { return optionsField(p.opts, "tlsConfigOpts") }, "tlsConfigOpts")
	d.field("tls", false, o, n, func(p *parsedConfig) any {
		return [5]any{
			p.opts.TLSTimeout, p.opts.TLSPinnedCerts, p.opts.TLSHandshakeFirst,
			p.opts.TLSHandshakeFirstFallback, p.opts.TLSConfig != nil,
		}
	}, "TLSConfig", "TLSTimeout", "TLSPinnedCerts", "TLSHandshakeFirst", "TLSHandshakeFirstFallback")

	// Other settings diffOptions reloads.
	for _, r := range []struct{ name, goField string }{
		{"trace", "Trace"}, {"debug", "Debug"}, {"trace_verbose", "TraceVerbose"},
		{"trace_headers", "TraceHeaders"}, {"logtime", "Logtime"}, {"logtime_utc", "LogtimeUTC"},
		{"log_file", "LogFile"}, {"syslog", "Syslog"}, {"remote_syslog", "RemoteSyslog"},
		{"max_connections", "MaxConn"}, {"pid_file", "PidFile"}, {"ports_file_dir", "PortsFileDir"},
		{"max_control_line", "MaxControlLine"}, {"max_payload", "MaxPayload"},
		{"ping_interval", "PingInterval"}, {"ping_max", "MaxPingsOut"},
		{"write_deadline", "WriteDeadline"}, {"client_advertise", "ClientAdvertise"},
		{"connect_error_reports", "ConnectErrorReports"}, {"reconnect_error_reports", "ReconnectErrorReports"},
		{"max_traced_msg_len", "MaxTracedMsgLen"}, {"default_sentinel", "DefaultSentinel"},
		{"ocsp", "OCSPConfig"}, {"ocsp_cache", "OCSPCacheConfig"}, {"prof_block_rate", "ProfBlockRate"},
		{"no_fast_producer_stall", "NoFastProducerStall"},
	} {
		d.field(r.name, false, o, n, func(p *parsedConfig) any { return optionsField(p.opts, r.goField) }, r.goField)
	}

	// Everything else restarts when it differs: a setting harmony does not
	// know is assumed not to reload.
	ov, nv := reflect.ValueOf(o.opts).Elem(), reflect.ValueOf(n.opts).Elem()
	for i := range ov.NumField() {
		name := ov.Type().Field(i).Name
		if d.covered[name] || ignoredOptions[name] {
			continue
		}
		if !equalOptionValue(ov.Field(i), nv.Field(i), map[[2]uintptr]bool{}) {
			d.add(optionFieldName(name), true)
		}
	}
}

// limit records a server-wide JetStream limit change: raising a set limit
// reloads; lowering it, or moving between set and unset (dynamic), restarts
// a JetStream server (diffOptions "jetstreammaxmemory", "jetstreammaxstore").
func (d *optionsDiffer) limit(name string, jetStreamWasOn bool, old, new int64) {
	if old == new {
		return
	}
	raised := old >= 0 && new >= 0 && new > old
	d.add(name, jetStreamWasOn && !raised)
}

// serverJSLimit is a server-wide JetStream limit with the server's default for
// an unset one (-1: dynamic).
func serverJSLimit(o *server.Options, v int64, setField string) int64 {
	set := reflect.ValueOf(o).Elem().FieldByName(setField)
	if v == 0 && (!set.IsValid() || !set.Bool()) {
		return -1
	}
	return v
}

func durationOrDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// optionsField returns a field of o by name, exported or not, for reading
// with sameOptionValue.
func optionsField(o *server.Options, name string) reflect.Value {
	return reflect.ValueOf(o).Elem().FieldByName(name)
}

// sameOptionValue reports whether a and b are deeply equal by
// equalOptionValue. Either may be a reflect.Value (of a possibly unexported
// field), which is compared by what it holds; a reflect.Value nested inside
// a or b is not unwrapped.
func sameOptionValue(a, b any) bool {
	av, ok := a.(reflect.Value)
	if !ok {
		av = reflect.ValueOf(a)
	}
	bv, ok := b.(reflect.Value)
	if !ok {
		bv = reflect.ValueOf(b)
	}
	return equalOptionValue(av, bv, map[[2]uintptr]bool{})
}

var tlsConfigType = reflect.TypeFor[*tls.Config]()

// equalOptionValue is reflect.DeepEqual for parsed options, reading unexported
// fields without unsafe, with three differences: a *tls.Config is skipped
// (the parser keeps its source settings next to it, in tlsConfigOpts); a nil
// slice or map equals an empty one; and two non-nil funcs or channels are
// equal only when they are the same.
func equalOptionValue(a, b reflect.Value, seen map[[2]uintptr]bool) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == tlsConfigType {
		return true
	}
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.Complex64, reflect.Complex128:
		return a.Complex() == b.Complex()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		key := [2]uintptr{a.Pointer(), b.Pointer()}
		if key[0] == key[1] || seen[key] {
			return true
		}
		seen[key] = true
		return equalOptionValue(a.Elem(), b.Elem(), seen)
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalOptionValue(a.Elem(), b.Elem(), seen)
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalOptionValue(a.Field(i), b.Field(i), seen) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalOptionValue(a.Index(i), b.Index(i), seen) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !equalOptionValue(it.Value(), bv, seen) {
				return false
			}
		}
		return true
	default: // Func, Chan, UnsafePointer
		return a.Pointer() == b.Pointer()
	}
}

// optionFieldName names an unknown server.Options field in config style:
// "MaxSubs" → "max_subs", "JetStreamMaxCatchup" → "jet_stream_max_catchup".
func optionFieldName(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && !unicode.IsUpper(rs[i-1])
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// globalAccount is nats-server's account for users declared outside any
// account.
const globalAccount = "$G"

// AuthState is the accounts and users a config declares, normalized so that
// two configs with the same meaning give equal states (reflect.DeepEqual).
// It never holds a secret: passwords and tokens are left out.
type AuthState struct {
	// SystemAccount is the config's system_account, nats-server's default
	// "$SYS" when it names none, and "" when no_system_account is set.
	SystemAccount string
	// Accounts holds every declared account by name, plus the global account
	// "$G" when users are declared outside any account (authorization block).
	Accounts map[string]AccountState
}

// AccountState is one account of an AuthState.
type AccountState struct {
	// JetStream is nil when JetStream is disabled for the account.
	JetStream *AccountLimits
	// Users holds the account's users by NKey public key, or by username for
	// user/password users. Never nil after ParseAuth.
	Users map[string]UserState
}

// AccountLimits are an account's JetStream limits; -1 means unlimited
// (also what "jetstream: enabled" gives).
type AccountLimits struct {
	MaxMemory, MaxFile, MaxStreams, MaxConsumers int64
}

// UserState is one user's permissions. The subject lists are sorted and nil
// when empty; a user without permissions has all four nil.
type UserState struct {
	PublishAllow, PublishDeny, SubscribeAllow, SubscribeDeny []string
	// AllowResponses is nil unless the user may publish to the reply
	// subjects of requests it received (allow_responses).
	AllowResponses *ResponseLimits
}

// ResponseLimits bound allow_responses: how many replies per request and for
// how long (the server's defaults: 1 and 2m; negative means unlimited).
type ResponseLimits struct {
	MaxMsgs int
	Expires time.Duration
}

// ParseAuth parses a nats-server config (file contents) with the server's
// own parser and returns its normalized accounts and users. It is pure, like
// ClassifyChange. The error wraps ErrInvalidServerConfig when the config
// does not parse.
func ParseAuth(conf []byte) (AuthState, error) {
	pc, err := parseServerConfig(conf)
	if err != nil {
		return AuthState{}, err
	}
	return authStateOf(pc.opts)
}

func authStateOf(o *server.Options) (AuthState, error) {
	st := AuthState{SystemAccount: o.SystemAccount, Accounts: map[string]AccountState{}}
	if st.SystemAccount == "" && !o.NoSystemAccount {
		st.SystemAccount = server.DEFAULT_SYSTEM_ACCOUNT
	}
	for _, acc := range o.Accounts {
		js, err := accountLimits(acc)
		if err != nil {
			return AuthState{}, fmt.Errorf("%w: account %q: %w", ErrInvalidServerConfig, acc.Name, err)
		}
		st.Accounts[acc.Name] = AccountState{JetStream: js, Users: map[string]UserState{}}
	}
	addUser := func(acc *server.Account, key string, p *server.Permissions) {
		name := globalAccount
		if acc != nil {
			name = acc.Name
		}
		as, ok := st.Accounts[name]
		if !ok {
			as = AccountState{Users: map[string]UserState{}}
			st.Accounts[name] = as
		}
		as.Users[key] = toUserState(p)
	}
	for _, u := range o.Nkeys {
		addUser(u.Account, u.Nkey, u.Permissions)
	}
	for _, u := range o.Users {
		addUser(u.Account, u.Username, u.Permissions)
	}
	return st, nil
}

// accountLimits reads the JetStream limits the parser stored in the
// account's unexported jsLimits (opts.go parseJetStreamForAccount); only
// the default tier ("") can come from a config file.
func accountLimits(acc *server.Account) (*AccountLimits, error) {
	f := reflect.ValueOf(acc).Elem().FieldByName("jsLimits")
	if !f.IsValid() || f.Kind() != reflect.Map {
		return nil, errors.New("cannot read JetStream limits: nats-server changed server.Account (jsLimits)")
	}
	if f.IsNil() {
		return nil, nil
	}
	tier := f.MapIndex(reflect.ValueOf(""))
	if !tier.IsValid() {
		return nil, nil
	}
	get := func(name string) int64 {
		v := tier.FieldByName(name)
		if !v.IsValid() {
			return 0
		}
		return v.Int()
	}
	return &AccountLimits{
		MaxMemory:    get("MaxMemory"),
		MaxFile:      get("MaxStore"),
		MaxStreams:   get("MaxStreams"),
		MaxConsumers: get("MaxConsumers"),
	}, nil
}

func toUserState(p *server.Permissions) UserState {
	var u UserState
	if p == nil {
		return u
	}
	if p.Publish != nil {
		u.PublishAllow, u.PublishDeny = sortedSubjects(p.Publish.Allow), sortedSubjects(p.Publish.Deny)
	}
	if p.Subscribe != nil {
		u.SubscribeAllow, u.SubscribeDeny = sortedSubjects(p.Subscribe.Allow), sortedSubjects(p.Subscribe.Deny)
	}
	if p.Response != nil {
		u.AllowResponses = &ResponseLimits{MaxMsgs: p.Response.MaxMsgs, Expires: p.Response.Expires}
	}
	return u
}

func sortedSubjects(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// AuthDiff is one difference between a server's live auth and the desired
// one. It never carries a secret: AuthState holds none.
type AuthDiff struct {
	// Account is the account's name; "" for system_account.
	Account string
	// User is the user's name from DiffAuth's names (public key → name),
	// else its public key (or username); "" for an account-level difference.
	User string
	// Field is what differs: "system_account", "account" (added or
	// removed), "jetstream" (enabled or disabled), "jetstream.maxMemory",
	// "jetstream.maxFile", "jetstream.maxStreams", "jetstream.maxConsumers",
	// "user" (added or removed), "permissions.publish.allow",
	// "permissions.publish.deny", "permissions.subscribe.allow",
	// "permissions.subscribe.deny" or "permissions.responses".
	Field string
	// Live and Desired are short values: "absent"/"present",
	// "disabled"/"enabled", "[a b]", "unlimited", "1073741824", "off",
	// "max=1 expires=2m0s".
	Live, Desired string
}

// String renders the difference for plans and logs, e.g.
// `HARMONY/agent permissions.publish.allow: [a] → [a b]`.
func (d AuthDiff) String() string {
	where := d.Account
	if d.User != "" {
		where += "/" + d.User
	}
	if where != "" {
		where += " "
	}
	return fmt.Sprintf("%s%s: %s → %s", where, d.Field, d.Live, d.Desired)
}

// DiffAuth lists every difference between live and desired, sorted by
// Account, then User, then Field. names maps public keys (or usernames) to
// human names for AuthDiff.User; it may be nil. An account present on one
// side only is one "account" difference (its users are not listed). DiffAuth
// is pure; equal states give no differences (nil).
func DiffAuth(live, desired AuthState, names map[string]string) []AuthDiff {
	var out []AuthDiff
	if live.SystemAccount != desired.SystemAccount {
		out = append(out, AuthDiff{Field: "system_account", Live: noneIfEmpty(live.SystemAccount), Desired: noneIfEmpty(desired.SystemAccount)})
	}
	for _, acc := range sortedUnionKeys(live.Accounts, desired.Accounts) {
		l, lok := live.Accounts[acc]
		d, dok := desired.Accounts[acc]
		if lok != dok {
			out = append(out, AuthDiff{Account: acc, Field: "account", Live: presentOrAbsent(lok), Desired: presentOrAbsent(dok)})
			continue
		}
		out = append(out, diffAccountLimits(acc, l.JetStream, d.JetStream)...)
		for _, key := range sortedUnionKeys(l.Users, d.Users) {
			user := key
			if n, ok := names[key]; ok && n != "" {
				user = n
			}
			lu, luok := l.Users[key]
			du, duok := d.Users[key]
			if luok != duok {
				out = append(out, AuthDiff{Account: acc, User: user, Field: "user", Live: presentOrAbsent(luok), Desired: presentOrAbsent(duok)})
				continue
			}
			for _, f := range []struct {
				field      string
				live, want []string
			}{
				{"permissions.publish.allow", lu.PublishAllow, du.PublishAllow},
				{"permissions.publish.deny", lu.PublishDeny, du.PublishDeny},
				{"permissions.subscribe.allow", lu.SubscribeAllow, du.SubscribeAllow},
				{"permissions.subscribe.deny", lu.SubscribeDeny, du.SubscribeDeny},
			} {
				if !slices.Equal(f.live, f.want) {
					out = append(out, AuthDiff{Account: acc, User: user, Field: f.field, Live: subjectList(f.live), Desired: subjectList(f.want)})
				}
			}
			if lr, dr := responsesString(lu.AllowResponses), responsesString(du.AllowResponses); lr != dr {
				out = append(out, AuthDiff{Account: acc, User: user, Field: "permissions.responses", Live: lr, Desired: dr})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b AuthDiff) int {
		if c := strings.Compare(a.Account, b.Account); c != 0 {
			return c
		}
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	return out
}

func diffAccountLimits(acc string, l, d *AccountLimits) []AuthDiff {
	if (l == nil) != (d == nil) {
		return []AuthDiff{{Account: acc, Field: "jetstream", Live: enabledOrDisabled(l != nil), Desired: enabledOrDisabled(d != nil)}}
	}
	if l == nil {
		return nil
	}
	var out []AuthDiff
	for _, f := range []struct {
		field      string
		live, want int64
	}{
		{"jetstream.maxMemory", l.MaxMemory, d.MaxMemory},
		{"jetstream.maxFile", l.MaxFile, d.MaxFile},
		{"jetstream.maxStreams", l.MaxStreams, d.MaxStreams},
		{"jetstream.maxConsumers", l.MaxConsumers, d.MaxConsumers},
	} {
		if f.live != f.want {
			out = append(out, AuthDiff{Account: acc, Field: f.field, Live: accountLimitString(f.live), Desired: accountLimitString(f.want)})
		}
	}
	return out
}

func sortedUnionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func presentOrAbsent(ok bool) string {
	if ok {
		return "present"
	}
	return "absent"
}

func enabledOrDisabled(ok bool) string {
	if ok {
		return "enabled"
	}
	return "disabled"
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func subjectList(s []string) string { return "[" + strings.Join(s, " ") + "]" }

func accountLimitString(v int64) string {
	if v < 0 {
		return "unlimited"
	}
	return strconv.FormatInt(v, 10)
}

func responsesString(r *ResponseLimits) string {
	if r == nil {
		return "off"
	}
	return fmt.Sprintf("max=%d expires=%s", r.MaxMsgs, r.Expires)
}
