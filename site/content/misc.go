package content

import (
	"crypto/sha256"
	"errors"
	"time"
)

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// tokyo is Zenn's zone; a fixed offset keeps builds independent of the
// machine's zone database.
func tokyo() *time.Location { return time.FixedZone("JST", 9*60*60) }
