package secrets

import "errors"

// Sentinel errors. Every error returned by this package wraps at most one of
// them and can be matched with [errors.Is]. No error returned by this package
// contains a secret value.
var (
	// ErrNotFound reports that no backend of a [Store] holds the secret.
	ErrNotFound = errors.New("secret not found")

	// ErrReadOnly reports a write to a backend (or a store whose backends
	// are all) read-only, such as the environment.
	ErrReadOnly = errors.New("secret backend is read-only")

	// ErrNoTerminal reports that a prompt was needed but no terminal is
	// attached (CI, a service, a pipe). The message names the environment
	// variable to set instead.
	ErrNoTerminal = errors.New("no terminal to prompt on")

	// ErrInvalidOption wraps every error returned by a bad [Option].
	ErrInvalidOption = errors.New("invalid option")

	// ErrInvalidName reports a secret [Name] that breaks the naming rule.
	ErrInvalidName = errors.New("invalid secret name")

	// ErrInvalidValue reports a value that is not valid JSON for its type or
	// does not satisfy the type's JSON Schema.
	ErrInvalidValue = errors.New("invalid secret value")

	// ErrWrongPassphrase reports an encrypted file that the passphrase does
	// not open. The file is never modified.
	ErrWrongPassphrase = errors.New("wrong passphrase")

	// ErrCorrupt reports a stored secret that cannot be read back (truncated
	// or altered file). The file is never modified.
	ErrCorrupt = errors.New("corrupt secret file")

	// ErrUnavailable reports a backend that cannot be reached, such as an OS
	// keyring on a host without a keyring daemon.
	ErrUnavailable = errors.New("secret backend unavailable")

	// ErrInsecurePermissions reports a plain secret file or directory that
	// other users can read.
	ErrInsecurePermissions = errors.New("insecure permissions")
)
