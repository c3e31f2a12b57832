// Package provision is how the phone gets and keeps its configuration:
// the file formats phone admins write, and (as they come) discovery, the
// fetchers, signed and encrypted files, firmware images and the trust list.
// What a file sets is applied to the settings store as one change.
package provision
