package provision

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"path/filepath"

	"deskphone/provision/flash"
)

// ErrTrialPending refuses an install while a new image awaits MarkGood.
var ErrTrialPending = errors.New("a new image is on trial: mark it good or roll back first")

// ErrNotNewer refuses an image that is not newer than the running one
// without FORCED.
var ErrNotNewer = errors.New("not newer than the installed image (a downgrade needs FORCED)")

// ErrRolledBack refuses the image that was rolled back because it never
// reached service.
var ErrRolledBack = errors.New("this image was rolled back: it never reached service (FORCED installs it again)")

// ImageSource says where an image and its manifest are and how far to
// trust them.
type ImageSource struct {
	Manifest *url.URL // the signed manifest
	Payload  *url.URL // the image
	Signers  []ed25519.PublicKey
	Hardware string // this phone's hardware id
	Forced   bool   // allow the same or a lower version
}

// Install fetches and verifies the signed manifest, then streams the
// payload into the inactive slot, capped at the manifest's length and
// hashed as it is written; the slot file is fsynced and its hash compared,
// and only then does the boot state name it as the slot to try. Any
// failure leaves the active slot and the boot state as they were.
func (s *Slots) Install(ctx context.Context, f Fetcher, src ImageSource) (Manifest, error) {
	mdata, err := FetchBytes(ctx, f, src.Manifest, MaxManifestSize)
	if err != nil {
		return Manifest{}, err
	}
	m, err := VerifyManifest(mdata, src.Signers)
	if err != nil {
		return m, fmt.Errorf("%s: %w", src.Manifest.Redacted(), err)
	}
	if m.Hardware != src.Hardware {
		return m, fmt.Errorf("%s: image for hardware %q, this phone is %q", src.Manifest.Redacted(), m.Hardware, src.Hardware)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil {
		return m, err
	}
	if st.Trying != "" {
		return m, ErrTrialPending
	}
	if !src.Forced && m.Version == st.RolledBack {
		return m, fmt.Errorf("image %s: %w", m.Version, ErrRolledBack)
	}
	if !src.Forced && compareVersions(m.Version, st.Versions[st.Active]) <= 0 {
		return m, fmt.Errorf("image %s, running %s: %w", m.Version, st.Versions[st.Active], ErrNotNewer)
	}
	target := otherSlot(st.Active)
	out, err := flash.Create(s.dir, "slot."+target)
	if err != nil {
		return m, err
	}
	hw := &hashWriter{w: out, h: sha256.New()}
	n, err := f.Fetch(ctx, src.Payload, hw, m.Length)
	if err == nil && n != m.Length {
		err = fmt.Errorf("%s: %d bytes, the manifest says %d", src.Payload.Redacted(), n, m.Length)
	}
	if err == nil && subtle.ConstantTimeCompare(hw.h.Sum(nil), m.SHA256[:]) != 1 {
		err = fmt.Errorf("%s: SHA-256 does not match the manifest", src.Payload.Redacted())
	}
	if err != nil {
		out.Abort()
		return m, err
	}
	if err := out.Commit(); err != nil {
		return m, err
	}
	if err := s.startTrial(target, m.Version); err != nil {
		return m, fmt.Errorf("install %s: %w", filepath.Base(s.SlotPath(target)), err)
	}
	return m, nil
}

// hashWriter hashes what it writes.
type hashWriter struct {
	w io.Writer
	h hash.Hash
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	return n, err
}
