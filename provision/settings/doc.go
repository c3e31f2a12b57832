// Package settings is the phone's one settings schema and its crash-safe
// store in the phone's flash.
//
// # Schema
//
// Every setting is declared once (schema_defs.go, schema_sip.go) as a [Def]:
// its canonical dotted name ("dot1x.mode", "sip.line1.user"), its [Kind],
// default, validation, whether it is secret, whether only provisioning may
// set it, a one-line description, and its names in the formats phone admins
// use (Htek P-code, Snom name, Avaya keyword). [Lookup] finds a setting by
// any of those names, case-insensitively. Values are kept as canonical
// strings: bools "on"/"off", ints in decimal, choices as their value.
//
// A bad value is refused with a [*ValueError] naming the setting (canonical
// and vendor names) and what was wrong; it never quotes a secret. An unknown
// name gives an [*UnknownError].
//
// # Store
//
// [Open] loads the store from a data directory. The values live in two slot
// files, settings.a and settings.b, like a redundant boot environment. A
// write goes to the slot that was not loaded (the older one): a temporary
// file is written and fsynced, renamed over the slot, and the directory is
// fsynced. Loading takes the newest slot whose checksum verifies, so a torn
// or corrupted newest copy falls back to the last good one; [Store.Loaded]
// and [Store.Recovery] say what was loaded and why anything was refused. If
// no slot is valid the store starts from the defaults and says so.
//
// # Slot file format
//
// A slot is UTF-8 text, one item per line, each line ending in "\n":
//
//	deskphone-settings 1
//	generation 42
//	dot1x.identity="alice"
//	sip.line1.user="1001"
//	sha256 6f1c...(64 lowercase hex digits)
//
// The first line names the format and its version. The generation (decimal,
// at least 1) grows by one on every write. Then come the settings that differ
// from their defaults, sorted by canonical name, unique, each as
// name="value" with the value quoted in Go syntax (strconv.Quote), so any
// byte sequence survives and the file stays readable. The last line is the
// SHA-256 of every byte before it. Nothing may follow. A file that is not
// exactly in this form (the parser accepts only the form the writer
// produces) or whose checksum does not verify is refused as a whole.
//
// Only values that differ from the default are written, so a firmware whose
// defaults change carries the new defaults to settings never set. Secrets
// are stored as values (the flash is the phone's own) but never logged.
package settings
