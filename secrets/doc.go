// Package secrets is where harmony's credentials live: NATS admin and user
// NKey seeds, tokens, passwords. They come from a secret store, never from
// code, and never reach logs, errors or outcomes.
//
// # Room and imports
//
// secrets is a leaf: it imports no other harmony package (only the
// internal/atomicfile helper), so any layer
// (scores, modules, topologies, the CLI) may use it. Its dependencies are
// 99designs/keyring (OS keyrings and the encrypted file), invopop/jsonschema
// (schemas for prompts and validation), nats-io/nkeys (seed generation) and
// golang.org/x/term (no-echo input).
//
// # Secrets are Go types
//
// Any Go type whose JSON encoding is an object or a scalar can be a secret.
// [Get], [Set] and [GetOrPrompt] read and write one under a [Name]; the
// stored form is the type's JSON, checked against its JSON Schema on every
// read and write. Fields of type [Value] hold the secret parts:
//
//	type NATSAdmin struct {
//		User     string        `json:"user" jsonschema:"description=Admin user,minLength=1"`
//		Password secrets.Value `json:"password" jsonschema:"description=Admin password,minLength=12"`
//	}
//
//	admin, err := secrets.GetOrPrompt[NATSAdmin](ctx, store, secrets.NameFor[NATSAdmin]("prod"))
//	conn := natsgo.Connect(url, natsgo.UserInfo(admin.User, admin.Password.Reveal()))
//
// # Names
//
// A [Name] is lowercase words joined by dashes and is derived, not typed:
// [NameFor] takes the type's name in kebab case (or its SecretName method,
// see [Namer]) and appends instance parts ("nats-admin-prod");
// [UserSeedName] and [AccountSeedName] name NKey seeds
// ("nats-user-harmony-agent"). In the environment a name becomes
// HARMONY_SECRET_ and the name upper-cased with '-' as '_'
// ([Name.EnvVar]).
//
// # Backends and their order
//
// A [Store] asks its [Backend]s in order; the first that holds a secret
// answers, and writes go to the first writable one. [Default] builds the
// chain that needs no setup:
//
//  1. the environment ([Env]), read-only: CI sets HARMONY_SECRET_<NAME>,
//     and a variable overrides anything stored on the host;
//  2. the encrypted file ([EncryptedFile]) if HARMONY_KEYRING_PASSPHRASE is
//     set, the explicit choice for headless hosts;
//  3. the OS keyring ([OSKeyring]: Keychain, Credential Manager, Secret
//     Service, KWallet) if one answers a short non-interactive probe;
//  4. the encrypted file if it already holds secrets (passphrase prompted);
//  5. otherwise owner-only plain files ([PlainFile], mode 0600, the way nsc
//     keeps NKeys), announced on standard error when a secret is first
//     written there, with how to switch to
//     the encrypted file. A fresh headless host thus runs without a prompt
//     or a variable, at the cost of secrets readable by root and backups.
//
// Secrets are never silently replaced: a backend that fails (locked, wrong
// passphrase, damaged file) stops the lookup with an error, and nothing is
// generated or prompted for in its place.
//
// # Generated secrets
//
// [GenerateOnce] creates a secret on first use and reuses it afterwards;
// [UserSeed] and [AccountSeed] do so for NKey seeds with nats-io/nkeys.
//
// # Prompts
//
// [GetOrPrompt] asks a person for a missing secret on the terminal, one
// question per field of the type's JSON Schema with its description; secret
// fields ([Value], `secret:"true"`, `jsonschema:"writeOnly=true"`) are read
// without echo; answers the schema rejects (required, type, pattern,
// minLength, maxLength, enum, minimum, maximum) are asked again. With no
// terminal it fails at once with [ErrNoTerminal], naming the variable to set
// and the JSON it expects.
//
// # Redaction
//
// [Value] prints as REDACTED in fmt (every verb), JSON, text encoders and
// log/slog; [Value.Reveal] is the only way to the plaintext. Stores encode
// secrets with their own encoder, which reveals Values. Errors of this
// package never contain a secret value.
package secrets
