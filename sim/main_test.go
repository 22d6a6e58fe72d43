package sim_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every server, stream and client goroutine must end with its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
