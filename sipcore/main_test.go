package sipcore

import (
	"os"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestMain(m *testing.M) {
	// sipgo logs connection teardown through its process-wide logger.
	sip.SetDefaultLogger(quietLog())
	os.Exit(m.Run())
}
