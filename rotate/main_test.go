package rotate_test

import (
	"testing"

	"go.uber.org/goleak"
)

// millRun is the top function of lumberjack's mill goroutine, which starts
// with a Writer's first open and cannot be stopped (natefinch/lumberjack#56).
// It is the one goroutine the leak checks accept.
const millRun = "gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"

// TestMain fails the run if any test leaves a goroutine behind other than
// lumberjack's mills.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction(millRun))
}
